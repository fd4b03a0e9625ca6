package mass

import (
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestSecondFollowUpSkipsDevicesTheFirstFixed: a job's sends failed; its
// follow-up delivered the command and the devices acknowledged it. Following
// up the first job again must not send it to them a second time (the
// journal still says "failed", but the devices' command lists say done).
func TestSecondFollowUpSkipsDevicesTheFirstFixed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)[:5]
	path := journalled(t, e, "20261129-020000-fedcba", t0, targetsOf(devs), allFailed(len(devs)), record{T: "end", State: "done"})
	followUp := func() *FollowUp { return followUpOf(t, e, path) }
	f := followUp()
	if len(f.Devices) != 5 {
		t.Fatalf("first follow-up: %d devices", len(f.Devices))
	}
	runFollowUp(t, e, path, f)
	e.clock.Advance(2 * time.Hour) // the online devices check in and answer
	if again := followUp(); len(again.Devices) != 0 {
		t.Fatalf("a second follow-up targets %d devices the first one fixed: %v", len(again.Devices), again.Why)
	}
}
