package jamftest

import (
	"testing"
	"time"
)

func TestPeakConcurrencySince(t *testing.T) {
	t.Parallel()
	l := newAdminLog()
	base := time.Now()
	for i, d := range []time.Duration{100, 100, 100} {
		l.record(RequestRecord{At: base.Add(time.Duration(i*50) * time.Millisecond), Route: "GET /x", Duration: d * time.Millisecond}, false)
	}
	l.record(RequestRecord{At: base.Add(time.Second), Route: "GET /x", Duration: time.Millisecond}, false)
	if got := l.PeakConcurrencySince(base); got != 2 {
		t.Fatalf("peak = %d, want 2 (overlapping 50 ms apart, 100 ms each)", got)
	}
	if got := l.PeakConcurrencySince(base.Add(time.Second)); got != 1 {
		t.Fatalf("peak since 1 s = %d, want 1", got)
	}
	if got := l.MaxInWindow("GET /x", 200*time.Millisecond); got != 3 {
		t.Fatalf("max in a 200 ms window = %d, want 3", got)
	}
}
