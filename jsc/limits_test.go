package jsc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
)

const farToken = "a.eyJleHAiOjQxMDI0NDQ4MDB9.c" // expires in 2100

// scripted serves logins and device pages through the given functions.
func scripted(t *testing.T, login, data http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/login" {
			login(w, r)
			return
		}
		data(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func okLogin(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"token":%q}`, farToken)
}

func emptyList(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"userDeviceList":[]}`)
}

func limitedWith(ms string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Rate-Limit-Retry-After-Milliseconds", ms)
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"logref":"TOO_MANY_REQUESTS","message":"slow down"}`)
	}
}

func TestLoginRateLimitIsWaitedOut(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var logins []time.Time
	srv := scripted(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		logins = append(logins, time.Now())
		n := len(logins)
		mu.Unlock()
		if n == 1 {
			limitedWith("800")(w, r)
			return
		}
		okLogin(w, r)
	}, emptyList)
	c, _ := jsc.NewClient(srv.URL, "app", "secret")
	if _, err := c.ListDevices(t.Context(), nil); err != nil {
		t.Fatalf("a login answered 429 (800 ms) was not waited out: %v", err)
	}
	if len(logins) != 2 {
		t.Fatalf("%d logins, want 2", len(logins))
	}
	if gap := logins[1].Sub(logins[0]); gap < 800*time.Millisecond {
		t.Fatalf("the login was retried after %v, before the 800 ms asked", gap)
	}
}

func TestLongLoginWaitIsReportedWithWhatWasAsked(t *testing.T) {
	t.Parallel()
	var logins atomic.Int32
	srv := scripted(t, func(w http.ResponseWriter, r *http.Request) { logins.Add(1); limitedWith("86400000")(w, r) }, emptyList)
	c, _ := jsc.NewClient(srv.URL, "app", "secret")
	began := time.Now()
	_, err := c.ListDevices(t.Context(), nil)
	var rl *jsc.RateLimitError
	if !errors.As(err, &rl) || time.Since(began) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(began))
	}
	if rl.Asked != 24*time.Hour || rl.RetryAfter != jsc.MaxServerWait || !rl.Capped() || rl.Header != "X-Rate-Limit-Retry-After-Milliseconds: 86400000" {
		t.Fatalf("asked %v, retry after %v, header %q", rl.Asked, rl.RetryAfter, rl.Header)
	}
	if !strings.Contains(err.Error(), "server asked to wait 24h0m0s") {
		t.Fatalf("message %q", err)
	}
	if logins.Load() != 1 {
		t.Fatalf("%d logins", logins.Load())
	}
}

func TestRateLimitRetriesAreBounded(t *testing.T) {
	t.Parallel()
	var data atomic.Int32
	srv := scripted(t, okLogin, func(w http.ResponseWriter, r *http.Request) { data.Add(1); limitedWith("50")(w, r) })
	c, _ := jsc.NewClient(srv.URL, "app", "secret", jsc.WithLimits(100, 1000))
	_, err := c.ListDevices(t.Context(), nil)
	var rl *jsc.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v", err)
	}
	if n := data.Load(); n != 1+jsc.MaxRateLimitRetries {
		t.Fatalf("%d data requests, want %d", n, 1+jsc.MaxRateLimitRetries)
	}
}

func TestAbsurdWaitsNeverSleepPastTheCap(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"99999999999999999999", "9223372036854775807"} {
		srv := scripted(t, okLogin, limitedWith(v))
		c, _ := jsc.NewClient(srv.URL, "app", "secret")
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		_, err := c.ListDevices(ctx, nil)
		cancel()
		var rl *jsc.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != jsc.MaxServerWait {
			t.Errorf("%s: err = %v", v, err)
		}
	}
}

func TestLoginsAndDataShareOnePacer(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, jsctest.Options{Devices: fleet(5)}, jsc.WithLimits(2, 1000))
	if _, err := c.ListDevices(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Log().Requests()
	if len(reqs) != 2 || reqs[0].Path != "/v1/login" {
		t.Fatalf("requests %+v", reqs)
	}
	// 2 a second, paced at 90 %: 555 ms apart.
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 450*time.Millisecond {
		t.Fatalf("the first data call came %v after the login: logins are paced apart from data", gap)
	}
}

func TestBackToBackClientsWithLoginsInTheDataWindow(t *testing.T) {
	t.Parallel()
	srv := jsctest.NewServer(jsctest.Options{Devices: fleet(450), PerSecond: 3, CombinedWindow: true})
	t.Cleanup(srv.Close)
	for i := range 3 {
		// A fresh client each time, as three CLI processes would be.
		c, _ := jsc.NewClient(srv.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, jsc.WithLimits(3, 1000))
		list, err := c.ListDevices(t.Context(), nil)
		if err != nil || len(list) != 450 {
			t.Fatalf("process %d: %d devices, %v", i+1, len(list), err)
		}
	}
	limitedLogins := 0
	for _, r := range srv.Log().Requests() {
		if r.Path == "/v1/login" && r.Status == http.StatusTooManyRequests {
			limitedLogins++
		}
	}
	if limitedLogins == 0 {
		t.Fatal("no login was answered 429; the test proves nothing")
	}
}

func TestReadDeadlineServerNeverAnswersJSC(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	srv := scripted(t, okLogin, func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) })
	c, err := jsc.NewClient(srv.URL, "app", "secret", jsc.WithReadDeadline(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err = c.ListDevices(t.Context(), nil)
	var de *jsc.DeadlineError
	if !errors.As(err, &de) || !errors.Is(err, context.DeadlineExceeded) || time.Since(began) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(began))
	}
}

// devicePage serves GET /risk/v2/devices from pageOf(page).
func devicePager(t *testing.T, pageOf func(page int) []string) *jsc.Client {
	t.Helper()
	srv := scripted(t, okLogin, func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		var list []map[string]string
		for _, id := range pageOf(p) {
			list = append(list, map[string]string{"guid": id, "riskCategory": "LOW"})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"userDeviceList": list})
	})
	c, _ := jsc.NewClient(srv.URL, "app", "secret", jsc.WithLimits(1000, 100_000))
	return c
}

func ids(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("d-%d", from+i)
	}
	return out
}

func TestHostileDevicePages(t *testing.T) {
	t.Parallel()
	// Pages ten times the size asked.
	c := devicePager(t, func(p int) []string { return ids(p*1000, 1000) })
	list, err := c.ListDevices(t.Context(), nil)
	var pe *jsc.PagingError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "larger than") || len(list) != 0 {
		t.Fatalf("oversized pages: %d devices, %v", len(list), err)
	}
	// A server that ignores the page number.
	c = devicePager(t, func(int) []string { return ids(0, 100) })
	list, err = c.ListDevices(t.Context(), nil)
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "repeats") {
		t.Fatalf("repeated pages: %d devices, %v", len(list), err)
	}
}

func TestOverrideAnswered5xxIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout} {
		var puts atomic.Int32
		srv := scripted(t, okLogin, func(w http.ResponseWriter, r *http.Request) {
			puts.Add(1)
			w.WriteHeader(status)
		})
		c, _ := jsc.NewClient(srv.URL, "app", "secret", jsc.WithLimits(100, 1000))
		res := c.SetRisk(t.Context(), []string{"d-1"}, jsc.High)
		var ou *jsc.OutcomeUnknownError
		var er *jsc.ErrorResponse
		if !errors.As(res[0].Err, &ou) || ou.Status != status || !errors.As(res[0].Err, &er) || er.StatusCode != status {
			t.Errorf("%d: err = %v (%T)", status, res[0].Err, res[0].Err)
		}
		if n := puts.Load(); n != 1 {
			t.Errorf("%d: %d override requests", status, n)
		}
	}
}

func TestRateLimitHoldJSC(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 4, 5, 0, 0, time.UTC)
	rl := &jsc.RateLimitError{RetryAfter: jsc.MaxServerWait, Asked: 20 * time.Hour}
	if got, want := rl.Hold(now), "server asked to wait 20h0m0s; holding until 04:10"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	rl = &jsc.RateLimitError{RetryAfter: 800 * time.Millisecond, Asked: 800 * time.Millisecond}
	if got, want := rl.Hold(now), "server asked to wait 800ms; holding until 04:05:00"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestHostileV1Pages(t *testing.T) {
	t.Parallel()
	serve := func(records func(page int) (int, int)) *jsc.Client {
		srv := scripted(t, okLogin, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/risk/v2/devices" {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			p, _ := strconv.Atoi(r.URL.Query().Get("page"))
			n, pages := records(p)
			var recs []map[string]string
			for _, id := range ids(p*1000, n) {
				recs = append(recs, map[string]string{"deviceId": id, "risk": "LOW"})
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"records": recs, "pagination": map[string]int{"totalPages": pages}})
		})
		c, _ := jsc.NewClient(srv.URL, "app", "secret", jsc.WithLimits(1000, 100_000))
		return c
	}
	var pe *jsc.PagingError
	_, err := serve(func(int) (int, int) { return 1000, 5 }).ListDevices(t.Context(), nil)
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("oversized v1 pages: %v", err)
	}
	_, err = serve(func(p int) (int, int) { return 100, 3 + 10*p }).ListDevices(t.Context(), nil)
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "grew") {
		t.Fatalf("growing v1 page count: %v", err)
	}
	list, err := serve(func(p int) (int, int) { return min(100, 250-100*p), 3 }).ListDevices(t.Context(), nil)
	if err != nil || len(list) != 250 {
		t.Fatalf("honest v1 pages: %d, %v", len(list), err)
	}
}
