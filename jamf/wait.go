package jamf

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/retryhint"
)

// MaxServerWait is the longest wait jamfops honours when a server asks for
// one (Retry-After in seconds or as an HTTP date, X-RateLimit-Retry-After,
// X-RateLimit-Reset). A longer or absurd request (a day, a date years
// ahead, a huge reset time) is cut to this; RateLimitError keeps both what
// was asked (Asked) and what is honoured (RetryAfter).
const MaxServerWait = 5 * time.Minute

// MaxRetryWait is the longest server-requested wait the client sits out by
// itself before retrying a read. A read asked to wait longer returns its
// *RateLimitError at once so that the caller can say so and decide.
const MaxRetryWait = 30 * time.Second

// DefaultReadDeadline bounds a whole read (GET or HEAD) including its
// retries and waits: a server that never answers fails the call after this
// long. Change it with WithReadDeadline.
const DefaultReadDeadline = 60 * time.Second

// capWait bounds a server-requested wait to [0, MaxServerWait].
func capWait(d time.Duration) time.Duration { return min(max(d, 0), MaxServerWait) }

// parseRetryHint reads Retry-After (seconds or an HTTP date), then
// X-RateLimit-Retry-After (seconds), then X-RateLimit-Reset (an epoch time
// or seconds). Negative, NaN, infinite or unreadable values count as not
// said; huge ones saturate rather than overflow.
func parseRetryHint(h http.Header, now time.Time) retryhint.Hint {
	if hint, ok := retryhint.RetryAfter(h, now); ok {
		return hint
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Retry-After")); v != "" {
		if d, ok := retryhint.Seconds(v); ok {
			return retryhint.Hint{Asked: d, Header: "X-RateLimit-Retry-After: " + retryhint.Printable(v)}
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			raw := "X-RateLimit-Reset: " + retryhint.Printable(v)
			if n > 1_000_000_000 { // an epoch time
				return retryhint.Hint{Asked: max(time.Unix(n, 0).Sub(now), 0), Header: raw}
			}
			return retryhint.Hint{Asked: retryhint.FromSeconds(float64(n)), Header: raw}
		}
	}
	return retryhint.Hint{}
}
