package retryhint

import (
	"math"
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		ok    bool
		asked time.Duration
	}{
		{"", false, 0},
		{"120", true, 2 * time.Minute},
		{"0.5", true, 500 * time.Millisecond},
		{"86399", true, 86399 * time.Second},
		{"-5", false, 0},
		{"NaN", false, 0},
		{"Inf", false, 0},
		{"soon", false, 0},
		{"1e300", true, time.Duration(math.MaxInt64)},
		{now.Add(90 * time.Second).Format(http.TimeFormat), true, 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), true, 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := RetryAfter(h, now)
		if ok != tt.ok || got.Asked != tt.asked {
			t.Errorf("Retry-After %q: %v %v, want %v %v", tt.value, got.Asked, ok, tt.asked, tt.ok)
		}
	}
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	if got := Printable("12\x1b[2J\u202e3"); got != "12[2J3" {
		t.Errorf("Printable = %q", got)
	}
	long := Printable(string(make([]byte, 0)) + "0123456789012345678901234567890123456789012345678901234567890123456789")
	if len(long) > 64+len("…") {
		t.Errorf("not cut: %d bytes", len(long))
	}
}
