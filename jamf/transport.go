package jamf

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"time"

	"github.com/jamfops/jamfops/internal/ctxtime"
	"github.com/jamfops/jamfops/internal/netsafe"
)

// traceState reports when a request has been written to the connection.
type traceState struct{ onWrote func() }

func (t *traceState) with(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: t.onWrote,
	})
}

// redactErr strips the query string and userinfo from URLs inside transport
// errors so that error text never carries more than the path; a refused
// redirect is returned as the *netsafe.RedirectError itself (it names both
// URLs already).
func redactErr(err error) error {
	var re *netsafe.RedirectError
	if errors.As(err, &re) {
		return re
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			return &url.Error{Op: ue.Op, URL: netsafe.RedactedURL(u), Err: ue.Err}
		}
		return &url.Error{Op: ue.Op, URL: netsafe.RedactURL(ue.URL), Err: ue.Err}
	}
	return err
}

// retryPolicy is exponential backoff with full jitter for idempotent reads.
type retryPolicy struct {
	max  int
	base time.Duration
	cap  time.Duration
}

func defaultRetryPolicy() retryPolicy {
	return retryPolicy{max: 4, base: 500 * time.Millisecond, cap: MaxRetryWait}
}

func (p retryPolicy) shouldRetry(attempt int) bool { return attempt < p.max }

// wait sleeps before retry number attempt+1: the server's Retry-After when it
// gave one, otherwise a jittered exponential delay.
func (p retryPolicy) wait(ctx context.Context, attempt int, retryAfter time.Duration) error {
	d := retryAfter
	if d <= 0 {
		backoff := p.base << attempt
		if backoff > p.cap || backoff <= 0 {
			backoff = p.cap
		}
		d = backoff/2 + rand.N(backoff/2+1)
	}
	if d > p.cap {
		d = p.cap
	}
	return ctxtime.Sleep(ctx, d)
}

func isRetryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// isStickyCookie reports whether name is one of Jamf Cloud's load-balancer
// cookies: jpro-ingress today, APBALANCEID on older clusters.
func isStickyCookie(name string) bool { return name == "jpro-ingress" || name == "APBALANCEID" }

// stickySession remembers the load balancer's node cookie.
type stickySession struct {
	mu     sync.Mutex
	cookie *http.Cookie
}

func (s *stickySession) capture(resp *http.Response) {
	for _, ck := range resp.Cookies() {
		if isStickyCookie(ck.Name) {
			s.mu.Lock()
			s.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
			s.mu.Unlock()
			return
		}
	}
}

func (s *stickySession) apply(req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cookie != nil {
		req.AddCookie(s.cookie)
	}
}
