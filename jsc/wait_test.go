package jsc

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestServerWaitsAreCappedJSC(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		h     http.Header
		asked time.Duration
		wait  time.Duration
	}{
		{http.Header{"X-Rate-Limit-Retry-After-Milliseconds": {"800"}}, 800 * time.Millisecond, 800 * time.Millisecond},
		{http.Header{"X-Rate-Limit-Retry-After-Milliseconds": {"10"}}, 10 * time.Millisecond, minRateLimitWait},
		{http.Header{"X-Rate-Limit-Retry-After-Milliseconds": {"86399000"}}, 86399 * time.Second, MaxServerWait},
		{http.Header{"X-Rate-Limit-Retry-After-Milliseconds": {"-5"}}, 0, defaultRateLimitWait},
		{http.Header{"X-Rate-Limit-Retry-After-Milliseconds": {"garbage"}}, 0, defaultRateLimitWait},
		{http.Header{"Retry-After": {"86399"}}, 86399 * time.Second, MaxServerWait},
		{http.Header{"Retry-After": {"NaN"}}, 0, defaultRateLimitWait},
		{http.Header{"Retry-After": {"1e300"}}, 1<<63 - 1, MaxServerWait},
		{http.Header{"Retry-After": {now.AddDate(3, 0, 0).Format(http.TimeFormat)}}, now.AddDate(3, 0, 0).Sub(now), MaxServerWait},
		{http.Header{}, 0, defaultRateLimitWait},
	}
	for _, tt := range tests {
		h := parseRetryHint(tt.h, now)
		if h.Asked != tt.asked || honoured(h) != tt.wait {
			t.Errorf("%v: asked %v wait %v, want %v and %v", tt.h, h.Asked, honoured(h), tt.asked, tt.wait)
		}
	}
}

func TestEndlessBodyIsCutJSC(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/login" {
			fmt.Fprint(w, `{"token":"a.eyJleHAiOjQxMDI0NDQ4MDB9.c"}`)
			return
		}
		_, _ = w.Write([]byte(`{"userDeviceList":[`))
		chunk := []byte(strings.Repeat(`{"guid":"x"},`, 4096))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := NewClient(srv.URL, "app", "secret")
	c.maxBody = 1 << 20
	_, err := c.ListDevices(t.Context(), nil)
	var too *ResponseTooLargeError
	if !errors.As(err, &too) || too.Limit != 1<<20 {
		t.Fatalf("err = %v (%T)", err, err)
	}
}
