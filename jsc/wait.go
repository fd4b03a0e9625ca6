package jsc

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/retryhint"
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

// honoured is the wait the client honours for a hint: the asked wait (2 s
// when none), at least half a second, at most MaxServerWait.
func honoured(h retryhint.Hint) time.Duration {
	d := h.Asked
	if d <= 0 {
		d = defaultRateLimitWait
	}
	return min(max(d, minRateLimitWait), MaxServerWait)
}

// parseRetryHint reads X-Rate-Limit-Retry-After-Milliseconds, else
// Retry-After (seconds or an HTTP date). Negative, NaN or unreadable values
// count as not said; huge ones saturate rather than overflow.
func parseRetryHint(h http.Header, now time.Time) retryhint.Hint {
	if v := strings.TrimSpace(h.Get("X-Rate-Limit-Retry-After-Milliseconds")); v != "" {
		raw := "X-Rate-Limit-Retry-After-Milliseconds: " + retryhint.Printable(v)
		ms, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err == nil && ms >= 0:
			if ms > math.MaxInt64/int64(time.Millisecond) {
				return retryhint.Hint{Asked: time.Duration(math.MaxInt64), Header: raw}
			}
			return retryhint.Hint{Asked: time.Duration(ms) * time.Millisecond, Header: raw}
		case errors.Is(err, strconv.ErrRange) && ms > 0:
			return retryhint.Hint{Asked: time.Duration(math.MaxInt64), Header: raw}
		}
	}
	hint, _ := retryhint.RetryAfter(h, now)
	return hint
}
