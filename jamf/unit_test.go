package jamf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRefreshMargin(t *testing.T) {
	t.Parallel()
	tests := []struct{ life, want time.Duration }{
		{60 * time.Second, 12 * time.Second},
		{5 * time.Minute, time.Minute},
		{30 * time.Minute, 5 * time.Minute},
		{24 * time.Hour, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := refreshMargin(tt.life); got != tt.want {
			t.Errorf("refreshMargin(%v) = %v, want %v", tt.life, got, tt.want)
		}
	}
}

// tokenServer counts token requests and serves 60-second tokens.
func tokenServer(t *testing.T, hits *atomic.Int32, slow time.Duration) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		time.Sleep(slow)
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","scope":"api-role:1","expires_in":60}`, n)
	})
	mux.HandleFunc("GET /api/v1/jamf-pro-version", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"version":%q}`, r.Header.Get("Authorization"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestTokenRefreshedAheadOfExpiry(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := tokenServer(t, &hits, 0)
	c, err := NewClient(srv.URL, WithClientCredentials("id", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ctx := t.Context()
	v, _, _ := c.Auth.Version(ctx)
	advance(47 * time.Second) // inside the 48 s of use
	v2, _, _ := c.Auth.Version(ctx)
	if v != "Bearer tok-1" || v2 != v || hits.Load() != 1 {
		t.Fatalf("before the margin: %q then %q after %d token requests", v, v2, hits.Load())
	}
	advance(2 * time.Second) // 49 s: within 12 s of expiry
	v3, _, _ := c.Auth.Version(ctx)
	if v3 != "Bearer tok-2" || hits.Load() != 2 {
		t.Fatalf("near expiry: %q after %d token requests", v3, hits.Load())
	}
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := tokenServer(t, &hits, 50*time.Millisecond)
	c, _ := NewClient(srv.URL, WithClientCredentials("id", "secret"), WithConcurrency(5))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, _, err := c.Auth.Version(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := hits.Load(); n != 1 {
		t.Fatalf("20 concurrent callers made %d token requests", n)
	}
}

func TestStickySessionCookieIsReturned(t *testing.T) {
	t.Parallel()
	var seen []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie("jpro-ingress")
		mu.Lock()
		if err == nil {
			seen = append(seen, ck.Value)
		} else {
			seen = append(seen, "")
		}
		mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "jpro-ingress", Value: "node-7"})
		http.SetCookie(w, &http.Cookie{Name: "other", Value: "x"})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"version":"11.30.1"}`)
	}))
	defer srv.Close()
	for _, sticky := range []bool{false, true} {
		seen = nil
		opts := []Option{}
		if sticky {
			opts = append(opts, WithStickySessions())
		}
		c, _ := NewClient(srv.URL, opts...)
		for range 2 {
			if _, _, err := c.Auth.Version(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		want := ""
		if sticky {
			want = "node-7"
		}
		if seen[0] != "" || seen[1] != want {
			t.Errorf("sticky=%v: cookies sent %q, want [\"\" %q]", sticky, seen, want)
		}
	}
}

func TestErrorBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ctype, body, want string
	}{
		{"api error", "application/json", `{"httpStatus":403,"errors":[{"code":"INVALID_PRIVILEGE","description":"Forbidden","id":"0","field":null}]}`, "INVALID_PRIVILEGE: Forbidden"},
		{"oauth error", "application/json", `{"error":"invalid_client","error_description":"Client authentication failed"}`, "invalid_client: Client authentication failed"},
		{"classic page", "text/html", `<html><head><title>Status page</title></head><body><p style="x">Conflict</p><p>Error: Duplicate name</p></body></html>`, "Conflict: Error: Duplicate name"},
		{"classic fragment", "text/html", `<br>An error has occurred.<br>Invalid resource type<br><br>`, "An error has occurred.: Invalid resource type"},
		{"entities", "text/html", `<p>Unable to match &quot;Lab &amp; Co&quot;</p>`, `Unable to match "Lab & Co"`},
		{"plain", "text/plain", "Gateway Timeout\nmore", "Gateway Timeout"},
	}
	for _, tt := range tests {
		causes, msg := parseErrorBody(tt.ctype, []byte(tt.body))
		got := msg
		if len(causes) > 0 {
			got = causes[0].Code + ": " + causes[0].Description
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRetryAfterHeaders(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{http.Header{"Retry-After": {now.Add(10 * time.Second).Format(http.TimeFormat)}}, 10 * time.Second},
		{http.Header{"Retry-After": {"-4"}}, 0},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{"X-Ratelimit-Reset": {fmt.Sprint(now.Add(7 * time.Second).Unix())}}, 7 * time.Second},
		{http.Header{"X-Ratelimit-Reset": {"20"}}, 20 * time.Second},
		{http.Header{}, 0},
	}
	for _, tt := range tests {
		if got := parseRetryHint(tt.h, now).Asked; got != tt.want {
			t.Errorf("parseRetryHint(%v) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

func TestTimeShapes(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 2, 28, 17, 2, 45, 0, time.UTC)
	for _, s := range []string{"2026-02-28T17:02:45Z", "2026-02-28T17:02:45.000Z", "2026-02-28T17:02:45.000+0000", "2026-02-28 17:02:45", "1772298165000"} {
		got, ok := ParseTime(s)
		if !ok || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "null", "0", "yesterday"} {
		if _, ok := ParseTime(s); ok {
			t.Errorf("ParseTime(%q) accepted", s)
		}
	}
}

func TestFilterBuilders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		got  Filter
		want string
	}{
		{Eq("general.name", `Bob's "Mac"`), `general.name=="Bob's \"Mac\""`},
		{Eq("a", `back\slash`), `a=="back\\slash"`},
		{In("id", "1", "2"), `id=in=("1","2")`},
		{And(Eq("a", "1"), Or(Eq("b", "2"), Ne("c", "3"))), `(a=="1");((b=="2"),(c!="3"))`},
		{And(Eq("a", "1"), ""), `a=="1"`},
		{Ge("dateSent", "2026-01-01T00:00:00Z"), `dateSent=ge="2026-01-01T00:00:00Z"`},
		{Eq("bad field;x==y", "v"), `badfieldxy=="v"`},
		{Out("id"), ``},
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestRequestPathsMustBeRelative(t *testing.T) {
	t.Parallel()
	c, _ := NewClient("https://example.jamfcloud.com/base")
	for _, p := range []string{"/api/v1/x", "https://evil.example/api"} {
		_, err := c.newHTTPRequest(context.Background(), &request{method: http.MethodGet, path: p}, "")
		if err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	req, err := c.newHTTPRequest(context.Background(), &request{method: http.MethodGet, path: "api/v1/auth"}, "")
	if err != nil || req.URL.String() != "https://example.jamfcloud.com/base/api/v1/auth" {
		t.Fatalf("resolved to %v, %v", req.URL, err)
	}
}

func TestErrorTypesWorkWithErrorsAs(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL, WithRetries(0, 0))
	_, _, err := c.Auth.Version(t.Context())
	var rl *RateLimitError
	var er *ErrorResponse
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second || !errors.As(err, &er) || er.StatusCode() != 429 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "retry after 2s") {
		t.Fatalf("message = %q", err.Error())
	}
}
