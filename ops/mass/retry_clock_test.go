package mass

import (
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestFollowUpOfACancelledJobWithAFastClock: the laptop's clock is ten
// minutes ahead of the server's. A job was cancelled after its first
// batch; its follow-up reached the devices it never sent to, and they
// acknowledged. Following up the job again must see those commands (dated
// by the server, before the job's local creation time) and not target the
// devices a second time.
func TestFollowUpOfACancelledJobWithAFastClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)[:5]
	// The first device was sent to (the server dated the intent t0), the
	// others were never reached.
	path := journalled(t, e, "20261129-021000-abcabc", t0.Add(10*time.Minute), targetsOf(devs),
		record{T: "intent", Batch: 1, IDs: []int{0}, Server: t0},
		record{T: "result", Batch: 1, IDs: []int{0}, Outcomes: []string{StateFailed}, Reasons: []string{"503"}},
		record{T: "result", IDs: []int{1, 2, 3, 4}, Outcomes: []string{StateCancelled, StateCancelled, StateCancelled, StateCancelled},
			Reasons: []string{"cancelled", "cancelled", "cancelled", "cancelled"}},
		record{T: "end", State: "cancelled"})
	find := func() *FollowUp { return followUpOf(t, e, path) }
	f := find()
	if len(f.Devices) != 5 {
		t.Fatalf("first follow-up: %d devices %v", len(f.Devices), f.Why)
	}
	runFollowUp(t, e, path, f)
	e.clock.Advance(2 * time.Hour)
	if again := find(); len(again.Devices) != 0 {
		t.Fatalf("the second follow-up targets %d devices the first one reached: %v", len(again.Devices), again.Why)
	}
}
