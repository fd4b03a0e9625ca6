package jamf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestServerWaitsAreCapped(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		h          http.Header
		asked      time.Duration // 0: not said or unreadable
		askedAbove time.Duration // when set, asked must exceed this instead
		raw        string
	}{
		{http.Header{"Retry-After": {"86399"}}, 86399 * time.Second, 0, "Retry-After: 86399"},
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second, 0, "Retry-After: 3"},
		{http.Header{"Retry-After": {now.AddDate(5, 0, 0).Format(http.TimeFormat)}}, 0, 4 * 365 * 24 * time.Hour, ""},
		{http.Header{"Retry-After": {"1e300"}}, 0, 100 * 365 * 24 * time.Hour, "Retry-After: 1e300"},
		{http.Header{"X-Ratelimit-Reset": {"99999999999"}}, 0, 365 * 24 * time.Hour, "X-RateLimit-Reset: 99999999999"},
		{http.Header{"X-Ratelimit-Reset": {"90000"}}, 90000 * time.Second, 0, "X-RateLimit-Reset: 90000"},
		{http.Header{"Retry-After": {"-5"}}, 0, 0, ""},
		{http.Header{"Retry-After": {"NaN"}}, 0, 0, ""},
		{http.Header{"Retry-After": {"+Inf"}}, 0, 0, ""},
		{http.Header{"Retry-After": {"soon\x1b[2J"}}, 0, 0, ""},
		{http.Header{"X-Ratelimit-Reset": {"-1"}}, 0, 0, ""},
	}
	for _, tt := range tests {
		hint := parseRetryHint(tt.h, now)
		switch {
		case tt.askedAbove > 0 && hint.Asked <= tt.askedAbove:
			t.Errorf("%v: asked %v, want above %v", tt.h, hint.Asked, tt.askedAbove)
		case tt.askedAbove == 0 && hint.Asked != tt.asked:
			t.Errorf("%v: asked %v, want %v", tt.h, hint.Asked, tt.asked)
		}
		if tt.raw != "" && hint.Header != tt.raw {
			t.Errorf("%v: header %q, want %q", tt.h, hint.Header, tt.raw)
		}
		if w := capWait(hint.Asked); w < 0 || w > MaxServerWait {
			t.Errorf("%v: capped wait %v outside [0, %v]", tt.h, w, MaxServerWait)
		}
	}
}

// answering serves every request with status and headers, counting them.
func answering(t *testing.T, hits *atomic.Int32, status int, headers map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAbsurdRetryAfterReturnsAtOnce(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		var hits atomic.Int32
		srv := answering(t, &hits, status, map[string]string{"Retry-After": "86399"})
		c, _ := NewClient(srv.URL) // default retries
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		began := time.Now()
		_, _, err := c.Auth.Version(ctx)
		cancel()
		var rl *RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("%d: err = %v, want *RateLimitError at once", status, err)
		}
		if time.Since(began) > 2*time.Second {
			t.Errorf("%d: took %v", status, time.Since(began))
		}
		if rl.Asked != 86399*time.Second || rl.RetryAfter != MaxServerWait || rl.Header != "Retry-After: 86399" || !rl.Capped() {
			t.Errorf("%d: asked %v, retry after %v, header %q", status, rl.Asked, rl.RetryAfter, rl.Header)
		}
		if msg := err.Error(); !strings.Contains(msg, "server asked to wait 23h59m59s") || !strings.Contains(msg, "5m0s") {
			t.Errorf("%d: message %q does not say what was asked and what is allowed", status, msg)
		}
		if n := hits.Load(); n != 1 {
			t.Errorf("%d: %d requests, want 1 (a day-long wait is not sat out)", status, n)
		}
	}
}

func TestShortRetryAfterStillWaitedOut(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"version":"11.30.1"}`)
	}))
	t.Cleanup(srv.Close)
	c, _ := NewClient(srv.URL)
	began := time.Now()
	v, _, err := c.Auth.Version(t.Context())
	if err != nil || v != "11.30.1" || time.Since(began) < 900*time.Millisecond {
		t.Fatalf("%q, %v after %v", v, err, time.Since(began))
	}
}

func TestReadDeadlineServerNeverAnswers(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	c, err := NewClient(srv.URL, WithReadDeadline(300*time.Millisecond), WithRetries(4, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, _, err = c.Auth.Version(t.Context())
	elapsed := time.Since(began)
	var de *DeadlineError
	if !errors.As(err, &de) || !errors.Is(err, context.DeadlineExceeded) || de.Limit != 300*time.Millisecond {
		t.Fatalf("err = %v (%T)", err, err)
	}
	if elapsed > 2*time.Second {
		t.Fatalf("the read took %v with a 300 ms deadline", elapsed)
	}
	if !strings.Contains(err.Error(), "300ms") {
		t.Fatalf("message %q does not name the deadline", err)
	}
	if _, err := NewClient(srv.URL, WithReadDeadline(0)); err == nil {
		t.Fatal("a zero deadline was accepted")
	}
}

func TestWriteAnswered5xxIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status  int
		headers map[string]string
	}{
		{http.StatusInternalServerError, nil},
		{http.StatusBadGateway, nil},
		{http.StatusServiceUnavailable, nil},
		{http.StatusServiceUnavailable, map[string]string{"Retry-After": "2"}},
		{http.StatusGatewayTimeout, nil},
	}
	for _, tt := range tests {
		var hits atomic.Int32
		srv := answering(t, &hits, tt.status, tt.headers)
		c, _ := NewClient(srv.URL)
		_, _, err := c.MDM.SendCommand(t.Context(), PlatformComputer, CommandData{CommandType: "RESTART_DEVICE"}, []string{"m-1"})
		var ou *OutcomeUnknownError
		if !errors.As(err, &ou) || ou.Status != tt.status {
			t.Errorf("%d %v: err = %v (%T), want *OutcomeUnknownError with the status", tt.status, tt.headers, err, err)
			continue
		}
		var er *ErrorResponse
		if !errors.As(err, &er) || er.StatusCode() != tt.status {
			t.Errorf("%d: the answer is not kept: %v", tt.status, err)
		}
		if n := hits.Load(); n != 1 {
			t.Errorf("%d: the write was sent %d times", tt.status, n)
		}
	}
	// A rate limiter answers before any work: 429 stays a *RateLimitError.
	var hits atomic.Int32
	srv := answering(t, &hits, http.StatusTooManyRequests, map[string]string{"Retry-After": "86399"})
	c, _ := NewClient(srv.URL)
	_, _, err := c.MDM.SendCommand(t.Context(), PlatformComputer, CommandData{CommandType: "RESTART_DEVICE"}, []string{"m-1"})
	var ou *OutcomeUnknownError
	var rl *RateLimitError
	if errors.As(err, &ou) || !errors.As(err, &rl) || rl.RetryAfter != MaxServerWait || hits.Load() != 1 {
		t.Fatalf("429 on a write: %v", err)
	}
}

func TestTokenEndpointRateLimitSaysTheWait(t *testing.T) {
	t.Parallel()
	for _, user := range []bool{false, true} {
		var hits atomic.Int32
		srv := answering(t, &hits, http.StatusTooManyRequests, map[string]string{"Retry-After": "86399"})
		opt := WithClientCredentials("id", "secret")
		if user {
			opt = WithUserCredentials("admin", "secret")
		}
		c, _ := NewClient(srv.URL, opt)
		began := time.Now()
		_, _, err := c.Auth.Version(t.Context())
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.Asked != 86399*time.Second || rl.RetryAfter != MaxServerWait || time.Since(began) > 2*time.Second {
			t.Errorf("user=%v: err = %v (%T) after %v", user, err, err, time.Since(began))
		}
		if hits.Load() != 1 {
			t.Errorf("user=%v: %d token requests", user, hits.Load())
		}
	}
}

func TestRateLimitHoldSaysAskedAndUntil(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 4, 5, 0, 0, time.UTC)
	rl := &RateLimitError{RetryAfter: MaxServerWait, Asked: 86399 * time.Second, Header: "Retry-After: 86399"}
	if got, want := rl.Hold(now), "server asked to wait 23h59m59s; holding until 04:10"; got != want {
		t.Errorf("capped: %q, want %q", got, want)
	}
	rl = &RateLimitError{RetryAfter: 2 * time.Second, Asked: 2 * time.Second}
	if got, want := rl.Hold(now), "server asked to wait 2s; holding until 04:05:02"; got != want {
		t.Errorf("short: %q, want %q", got, want)
	}
	rl = &RateLimitError{}
	if got, want := rl.Hold(now), "server asked to wait without saying how long; holding until 04:05:00"; got != want {
		t.Errorf("unsaid: %q, want %q", got, want)
	}
}
