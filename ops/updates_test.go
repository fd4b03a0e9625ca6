package ops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// TestUpdateOverviewOfAGroup: the queue view's OS-update panel reads a
// group's statuses in one request and counts them by state and failure.
func TestUpdateOverviewOfAGroup(t *testing.T) {
	t.Parallel()
	clock := jamftest.NewVirtualClock(start)
	srv, c := setup(t, jamftest.Options{Computers: 200, MobileDevices: -1, Clock: clock}, "", "")
	ctx := t.Context()
	list, _, err := c.Groups.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ops.FindGroup(ops.Summarise(list), "Executive Macs", "")
	if err != nil {
		t.Fatal(err)
	}
	members, err := ops.GroupMembers(ctx, c, g)
	if err != nil || len(members) < 10 {
		t.Fatalf("members: %v (%d)", err, len(members))
	}
	var plan []jamf.PlanDevice
	for i, d := range members[:10] {
		plan = append(plan, jamf.PlanDevice{DeviceID: d.ID, ObjectType: jamf.ObjectComputer})
		if i < 2 {
			if err := srv.FailSoftwareUpdate("COMPUTER", d.ID, "DOWNLOAD_INSUFFICIENT_SPACE"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, _, err := c.SoftwareUpdates().CreatePlan(ctx, plan, jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstall, VersionType: jamf.VersionLatestAny}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Hour)
	// The token expired while the clock moved: renew it first, so only
	// the status reading is counted.
	if _, _, err := c.Groups.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	before := srv.Log().TotalRequests()
	o, err := ops.ReadUpdateOverview(ctx, c, &g, members)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Log().TotalRequests() - before; n != 1 {
		t.Fatalf("the group's statuses took %d requests, want 1", n)
	}
	if o.Devices != len(members) || o.WithStatus == 0 || o.Failures["insufficient space"] != 2 {
		t.Fatalf("overview %+v", o)
	}
	if s := o.DeviceState(members[0]); s != "insufficient space" {
		t.Fatalf("first device's state %q", s)
	}
	if line := o.Line(); !strings.Contains(line, "2 failed (insufficient space 2)") {
		t.Fatalf("line %q", line)
	}
	// The same devices named one by one give the same counts.
	byDevice, err := ops.ReadUpdateOverview(ctx, c, nil, members)
	if err != nil || byDevice.WithStatus != o.WithStatus || byDevice.Failures["insufficient space"] != 2 {
		t.Fatalf("by device: %v %+v", err, byDevice)
	}
}
