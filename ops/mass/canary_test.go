package mass

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestCanaryGroupOutsideTheTargetsIsRefused: a pilot group none of whose
// members is among the devices to send to (an empty group, a group of
// other devices, members all skipped) would give a canary of devices the
// admin did not choose while the preflight says "members of Pilot first":
// it is a usage error naming the group.
func TestCanaryGroupOutsideTheTargetsIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 100}, "", "")
	devs := e.devices(t, true)
	targets, others := devs[:len(devs)-5], devs[len(devs)-5:]
	k := fast()
	k.Stages, k.CanaryGroup = []Stage{{Count: 2}, {Share: 1}}, "Pilot"
	build := func(pilot []string, skipID string) error {
		ts := targets
		if skipID != "" {
			// The only pilot member is a device without a management ID.
			ts = append(ts[:0:0], targets...)
			for i := range ts {
				if ts[i].ID == skipID {
					ts[i].ManagementID = ""
				}
			}
		}
		_, _, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindBlankPush}, Knobs: k, Devices: ts, Now: t0, Pilot: pilot})
		return err
	}
	for name, err := range map[string]error{
		"empty group":            build(nil, ""),
		"other devices":          build([]string{others[0].ID, others[1].ID}, ""),
		"only member is skipped": build([]string{targets[3].ID}, targets[3].ID),
	} {
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "Pilot") {
			t.Errorf("%s: %v, want a usage error naming the group", name, err)
		}
	}
	// One member among the targets is enough.
	if err := build([]string{others[0].ID, targets[3].ID}, ""); err != nil {
		t.Fatalf("a pilot with one target: %v", err)
	}
}
