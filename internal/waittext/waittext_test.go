package waittext

import (
	"testing"
	"time"
)

func TestHold(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 4, 5, 0, 0, time.UTC)
	tests := []struct {
		asked, wait time.Duration
		want        string
	}{
		{86399 * time.Second, 5 * time.Minute, "server asked to wait 23h59m59s; holding until 04:10"},
		{1500 * time.Millisecond, 1500 * time.Millisecond, "server asked to wait 2s; holding until 04:05:01"},
		{0, 2 * time.Second, "server asked to wait without saying how long; holding until 04:05:02"},
	}
	for _, tt := range tests {
		if got := Hold(tt.asked, tt.wait, now); got != tt.want {
			t.Errorf("Hold(%v, %v) = %q, want %q", tt.asked, tt.wait, got, tt.want)
		}
	}
}
