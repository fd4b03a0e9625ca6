// Package retryhint reads what a server says about waiting (Retry-After in
// seconds or as an HTTP date, and the rate-limit headers built on seconds),
// the same way for the Jamf Pro and JSC clients: negative, NaN, infinite or
// unreadable values count as not said, and huge ones saturate rather than
// overflow.
package retryhint

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Hint is what a server asked: how long (0 when it did not say) and the
// header that said it ("Retry-After: 120"), printable and short.
type Hint struct {
	Asked  time.Duration
	Header string
}

// RetryAfter reads the Retry-After header: seconds, or an HTTP date
// relative to now.
func RetryAfter(h http.Header, now time.Time) (Hint, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return Hint{}, false
	}
	if d, ok := Seconds(v); ok {
		return Hint{d, "Retry-After: " + Printable(v)}, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return Hint{max(t.Sub(now), 0), "Retry-After: " + Printable(v)}, true
	}
	return Hint{}, false
}

// Seconds reads a non-negative number of seconds (fractions allowed).
func Seconds(v string) (time.Duration, bool) {
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 {
		return 0, false
	}
	return FromSeconds(secs), true
}

// FromSeconds converts seconds to a duration, saturating at the largest.
func FromSeconds(secs float64) time.Duration {
	if secs >= float64(math.MaxInt64)/float64(time.Second) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(secs * float64(time.Second))
}

// Printable keeps a header value fit for a message: printable ASCII only,
// at most 64 characters.
func Printable(v string) string {
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
