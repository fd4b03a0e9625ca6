package mass

import (
	"testing"
	"time"
)

// TestPacerStaysUnderARefusingServer: a server that refuses above 8 sends
// a second and gives no warning in its latency. The pacer is refused a few
// times in 400 sends, not once a cycle, and keeps most of the capacity.
func TestPacerStaysUnderARefusingServer(t *testing.T) {
	t.Parallel()
	var p pacer
	at := simEpoch
	cur, ceiling, capacity := 1.0, 10.0, 8.0
	refusals, sum := 0, 0.0
	for range 400 {
		refusedNow := cur > capacity
		if refusedNow {
			refusals++
		}
		sum += min(cur, capacity)
		at = at.Add(time.Duration(float64(time.Second) / cur))
		cur = p.next(at, cur, ceiling, 40*time.Millisecond, !refusedNow, refusedNow)
	}
	if refusals > 4 || sum/400 < 0.85*capacity {
		t.Fatalf("%d refusals, average %.2f sends/s of %.0f", refusals, sum/400, capacity)
	}
}

// TestPacerEasesOffAsLatencyGrows: a server whose answers slow down as it
// fills (1+3u² times its idle service time) is never pushed past it, and
// the pace does not collapse (this toy queue is harsher than jamftest's:
// the bench measures the real share).
func TestPacerEasesOffAsLatencyGrows(t *testing.T) {
	t.Parallel()
	var p pacer
	at := simEpoch
	cur, ceiling, capacity := 1.0, 20.0, 10.0
	fill, refusals, sum := 0.0, 0, 0.0
	for range 1000 {
		// The queue fills when sends outpace the capacity and drains otherwise.
		fill = max(0, min(1.2, fill+(cur-capacity)/capacity/20)) // two seconds of burst
		refusedNow := fill >= 1
		if refusedNow {
			refusals++
			fill = 1
		}
		u := min(1, fill)
		latency := time.Duration(float64(40*time.Millisecond) * (1 + 3*u*u))
		sum += min(cur, capacity)
		at = at.Add(time.Duration(float64(time.Second) / cur))
		cur = p.next(at, cur, ceiling, latency, !refusedNow, refusedNow)
	}
	if refusals > 0 || sum/1000 < 0.6*capacity {
		t.Fatalf("%d refusals, average %.2f sends/s of %.0f", refusals, sum/1000, capacity)
	}
}
