package jamf

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jamfops/jamfops/internal/netsafe"
)

// sink is a second loopback server that records what reaches it.
type sink struct {
	*httptest.Server
	mu   sync.Mutex
	hits []http.Header
	body []string
}

func newSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 4096)
		n, _ := r.Body.Read(b)
		s.mu.Lock()
		s.hits = append(s.hits, r.Header.Clone())
		s.body = append(s.body, string(b[:n]))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"stolen","token_type":"Bearer","expires_in":600,"version":"x","token":"t","expires":"2099-01-01T00:00:00Z"}`))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *sink) received() ([]http.Header, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits, s.body
}

// redirector answers every request under prefix with a redirect to target.
func redirector(t *testing.T, code int, prefix, target string, serveToken bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if serveToken && r.URL.Path == "/api/v1/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"real-token-123","token_type":"Bearer","expires_in":600}`))
			return
		}
		if strings.HasPrefix(r.URL.Path, prefix) {
			http.Redirect(w, r, target+r.URL.Path, code)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTokenRequestRedirectRefused(t *testing.T) {
	t.Parallel()
	for _, user := range []bool{false, true} {
		other := newSink(t)
		srv := redirector(t, http.StatusTemporaryRedirect, "/api/v1/", other.URL, false)
		opt := WithClientCredentials("id", "the-client-secret")
		if user {
			opt = WithUserCredentials("admin", "the-client-secret")
		}
		c, err := NewClient(srv.URL, opt, WithRetries(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.Auth.Version(t.Context())
		var re *netsafe.RedirectError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "refused redirect from ") {
			t.Errorf("user=%v: err = %v, want a refused redirect", user, err)
		}
		if hits, bodies := other.received(); len(hits) != 0 {
			t.Errorf("user=%v: the other server received %d requests (%q, %v)", user, len(hits), bodies, hits)
		}
	}
}

func TestAPIRedirectToAnotherPortCarriesNoToken(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusMovedPermanently} {
		other := newSink(t)
		srv := redirector(t, code, "/api/v1/jamf-pro-version", other.URL, true)
		c, _ := NewClient(srv.URL, WithClientCredentials("id", "secret"), WithRetries(2, 0))
		_, _, err := c.Auth.Version(t.Context())
		var re *netsafe.RedirectError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "port") {
			t.Errorf("%d: err = %v, want a refused redirect naming the port", code, err)
		}
		hits, _ := other.received()
		for _, h := range hits {
			if h.Get("Authorization") != "" {
				t.Errorf("%d: the bearer token reached the other port", code)
			}
		}
		if len(hits) != 0 {
			t.Errorf("%d: the other server received %d requests", code, len(hits))
		}
	}
}

func TestHTTPSDowngradeRefused(t *testing.T) {
	t.Parallel()
	plain := newSink(t)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"real-token-123","token_type":"Bearer","expires_in":600}`))
			return
		}
		// Same host and port, but plain http.
		http.Redirect(w, r, "http://"+r.Host+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(tlsSrv.Close)
	c, err := NewClient(tlsSrv.URL, WithHTTPClient(tlsSrv.Client()), WithClientCredentials("id", "secret"), WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Auth.Version(t.Context())
	if err == nil || !strings.Contains(err.Error(), "https must not be downgraded") {
		t.Fatalf("err = %v", err)
	}
	if hits, _ := plain.received(); len(hits) != 0 {
		t.Fatal("a request reached the plain server")
	}
}

func TestSameOriginReadRedirectStillFollowed(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/oauth/token":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"real-token-123","token_type":"Bearer","expires_in":600}`))
		case "/api/v1/jamf-pro-version":
			http.Redirect(w, r, "/moved/version", http.StatusFound)
		case "/moved/version":
			mu.Lock()
			auths = append(auths, r.Header.Get("Authorization"))
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"version":"11.30.1"}`))
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := NewClient(srv.URL, WithClientCredentials("id", "secret"))
	v, _, err := c.Auth.Version(t.Context())
	if err != nil || v != "11.30.1" {
		t.Fatalf("same-origin redirect: %q, %v", v, err)
	}
	if len(auths) != 1 || auths[0] != "Bearer real-token-123" {
		t.Fatalf("Authorization on the same origin: %q", auths)
	}
}

func TestWriteRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	other := newSink(t)
	srv := redirector(t, http.StatusTemporaryRedirect, "/api/v2/mdm/commands", other.URL, true)
	c, _ := NewClient(srv.URL, WithClientCredentials("id", "secret"))
	_, _, err := c.MDM.SendCommand(t.Context(), PlatformComputer, CommandData{CommandType: "RESTART_DEVICE"}, []string{"m-1"})
	var re *netsafe.RedirectError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v", err)
	}
	if hits, _ := other.received(); len(hits) != 0 {
		t.Fatal("the write was re-sent to another server")
	}
}

func TestNewClientNeverEchoesAPassword(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"https://user:pw@host:abc/", "https://user:pw@host/", "user:pw@host:abc"} {
		_, err := NewClient(raw)
		if err == nil || strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: %v", raw, err)
		}
	}
}
