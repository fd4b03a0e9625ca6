package jamf

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
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

// retryHint is what a server said about waiting: how long, and the header
// that said it (name and value, printable and short).
type retryHint struct {
	asked  time.Duration
	header string
}

// capWait bounds a server-requested wait to [0, MaxServerWait].
func capWait(d time.Duration) time.Duration { return min(max(d, 0), MaxServerWait) }

// parseRetryHint reads Retry-After (seconds or an HTTP date), then
// X-RateLimit-Retry-After (seconds), then X-RateLimit-Reset (an epoch time
// or seconds). Negative, NaN, infinite or unreadable values count as not
// said; huge ones saturate rather than overflow.
func parseRetryHint(h http.Header, now time.Time) retryHint {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if d, ok := parseSeconds(v); ok {
			return retryHint{d, "Retry-After: " + printable(v)}
		}
		if t, err := http.ParseTime(v); err == nil {
			return retryHint{max(t.Sub(now), 0), "Retry-After: " + printable(v)}
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Retry-After")); v != "" {
		if d, ok := parseSeconds(v); ok {
			return retryHint{d, "X-RateLimit-Retry-After: " + printable(v)}
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			raw := "X-RateLimit-Reset: " + printable(v)
			if n > 1_000_000_000 { // an epoch time
				return retryHint{max(time.Unix(n, 0).Sub(now), 0), raw}
			}
			return retryHint{secondsToDuration(float64(n)), raw}
		}
	}
	return retryHint{}
}

func parseSeconds(v string) (time.Duration, bool) {
	secs, err := strconv.ParseFloat(v, 64)
	if math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 {
		return 0, false
	}
	if err != nil {
		return 0, false
	}
	return secondsToDuration(secs), true
}

func secondsToDuration(secs float64) time.Duration {
	if secs >= float64(math.MaxInt64)/float64(time.Second) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(secs * float64(time.Second))
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
