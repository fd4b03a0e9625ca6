package mass

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// TestFollowUpLeavesOutDeletedDevicesAndReadsFreshIDs: between a job and
// its follow-up a device was deleted from Jamf Pro and another re-enrolled
// (a new management ID). Sending to the stale IDs would fail the whole
// batch (Jamf answers 400 for an unknown management ID), so the follow-up
// leaves the deleted device out, says so, and sends to the re-enrolled
// one's current ID: every other device of the batch gets its command.
func TestFollowUpLeavesOutDeletedDevicesAndReadsFreshIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)[:6]
	ghost := devs[0]
	ghost.ID, ghost.ManagementID, ghost.Name = "999999", "00000000-dead-4000-8000-000000000000", "Deleted Mac"
	moved := devs[1]
	fresh := moved.ManagementID
	moved.ManagementID = "00000000-0000-4000-8000-0000000000aa" // its ID before it re-enrolled
	stale := targetsOf(append([]ops.Device{ghost, moved}, devs[2:]...))
	path := journalled(t, e, "20261129-020000-abcdef", t0, stale, allFailed(len(stale)), record{T: "end", State: "done"})
	p, st, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f, err := FindFollowUp(ctx, e.c, p, st, FollowUpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Gone != 1 || !strings.Contains(f.Why[ghost.ID], "no longer in Jamf Pro") {
		t.Fatalf("gone %d, why %q", f.Gone, f.Why[ghost.ID])
	}
	for _, d := range f.Devices {
		if d.ID == ghost.ID {
			t.Fatal("the follow-up targets a device deleted from Jamf Pro")
		}
		if d.ID == moved.ID && d.ManagementID != fresh {
			t.Fatalf("the re-enrolled device keeps its old management ID %s", d.ManagementID)
		}
	}
	if len(f.Devices) != 5 {
		t.Fatalf("%d devices to follow up, want 5", len(f.Devices))
	}
	final := runFollowUp(t, e, path, f)
	if c := final.Counts(); c[StateSent] != 5 || c[StateFailed] != 0 {
		t.Fatalf("follow-up: %v %v", c, final.Reasons)
	}
}

// TestNothingToFollowUpSaysDevicesWereDeleted: when every device to follow
// up is gone from Jamf Pro, "nothing to follow up" says so instead of
// claiming no device failed.
func TestNothingToFollowUpSaysDevicesWereDeleted(t *testing.T) {
	t.Parallel()
	p := &Plan{ID: "20261129-020000-abcdef", Action: Action{Kind: KindCommand, CommandType: "DEVICE_INFORMATION"}}
	_, err := FollowUpRequest(p, &FollowUp{Gone: 3, Why: map[string]string{}}, FollowUpOptions{}, t0)
	if !errors.Is(err, ErrNothingToFollowUp) || !strings.Contains(err.Error(), "3 devices") || !strings.Contains(err.Error(), "no longer in Jamf Pro") {
		t.Fatalf("%v", err)
	}
}
