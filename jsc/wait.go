package jsc

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxServerWait is the longest wait jamfops honours when the Risk API asks
// for one (X-Rate-Limit-Retry-After-Milliseconds, or Retry-After in
// seconds or as an HTTP date). A longer or absurd request (the daily
// budget's wait until midnight, a huge number) is cut to this;
// RateLimitError keeps both what was asked (Asked) and what is honoured
// (RetryAfter).
const MaxServerWait = 5 * time.Minute

// MaxRetryWait is the longest server-requested wait the client sits out by
// itself, on a login or a data call; a longer one is returned to the caller.
const MaxRetryWait = 30 * time.Second

// MaxRateLimitRetries is how many times one login or data call is retried
// after a 429 (or 503) whose wait is at most MaxRetryWait, before the
// *RateLimitError is reported.
const MaxRateLimitRetries = 3

// DefaultReadDeadline bounds a whole read (a device page) including its
// retries and waits; change it with WithReadDeadline.
const DefaultReadDeadline = 60 * time.Second

// Waits used when the server does not say, and the least ever waited.
const (
	defaultRateLimitWait = 2 * time.Second
	minRateLimitWait     = 500 * time.Millisecond
)

// retryHint is what the server asked: how long (0 when it did not say or
// said something unreadable) and the header that said it.
type retryHint struct {
	asked  time.Duration
	header string
}

// wait is what the client honours for a hint: the asked wait (2 s when
// none), at least half a second, at most MaxServerWait.
func (h retryHint) wait() time.Duration {
	d := h.asked
	if d <= 0 {
		d = defaultRateLimitWait
	}
	return min(max(d, minRateLimitWait), MaxServerWait)
}

// parseRetryHint reads X-Rate-Limit-Retry-After-Milliseconds, else
// Retry-After (seconds or an HTTP date). Negative, NaN or unreadable values
// count as not said; huge ones saturate rather than overflow.
func parseRetryHint(h http.Header, now time.Time) retryHint {
	if v := strings.TrimSpace(h.Get("X-Rate-Limit-Retry-After-Milliseconds")); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err == nil && ms >= 0:
			if ms > math.MaxInt64/int64(time.Millisecond) {
				return retryHint{time.Duration(math.MaxInt64), "X-Rate-Limit-Retry-After-Milliseconds: " + printable(v)}
			}
			return retryHint{time.Duration(ms) * time.Millisecond, "X-Rate-Limit-Retry-After-Milliseconds: " + printable(v)}
		case errors.Is(err, strconv.ErrRange) && ms > 0:
			return retryHint{time.Duration(math.MaxInt64), "X-Rate-Limit-Retry-After-Milliseconds: " + printable(v)}
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(s) && !math.IsInf(s, 0) && s >= 0 {
			d := time.Duration(math.MaxInt64)
			if s < float64(math.MaxInt64)/float64(time.Second) {
				d = time.Duration(s * float64(time.Second))
			}
			return retryHint{d, "Retry-After: " + printable(v)}
		}
		if t, err := http.ParseTime(v); err == nil {
			return retryHint{max(t.Sub(now), 0), "Retry-After: " + printable(v)}
		}
	}
	return retryHint{}
}

// printable keeps a header value fit for a message: printable ASCII only,
// at most 64 characters.
func printable(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(r)
		}
		if b.Len() >= 64 {
			b.WriteString("…")
			break
		}
	}
	return b.String()
}
