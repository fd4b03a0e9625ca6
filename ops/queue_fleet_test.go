package ops_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// TestAnalyseQueueReadsTheFleetBacklogForLargeGroups: the queue view of a
// group covering the fleet reads the fleet's waiting and failed commands in
// a few pages instead of a request per 100 devices, with the same result
// as the per-chunk reading of the same devices.
func TestAnalyseQueueReadsTheFleetBacklogForLargeGroups(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 3000, MobileDevices: 10}, "", "")
	ctx := t.Context()
	list, _, err := c.Groups.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ops.FindGroup(ops.Summarise(list), "All Managed Clients", "")
	if err != nil {
		t.Fatal(err)
	}
	devices, err := ops.GroupMembers(ctx, c, g)
	if err != nil {
		t.Fatal(err)
	}
	now := start.Add(time.Hour)
	route := "GET /api/v2/mdm/commands"
	before := srv.Log().Requests(route)
	whole, err := ops.AnalyseQueue(ctx, c, devices, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	fleetReqs := srv.Log().Requests(route) - before
	if whole.TotalPending+whole.TotalFailed == 0 {
		t.Fatal("the demo fleet has no backlog to compare")
	}
	// The same devices read 400 at a time (four chunks each: per-chunk reads).
	var pending, failed, notNow int
	before = srv.Log().Requests(route)
	for i := 0; i < len(devices); i += 400 {
		part, err := ops.AnalyseQueue(ctx, c, devices[i:min(len(devices), i+400)], now, nil)
		if err != nil {
			t.Fatal(err)
		}
		pending, failed, notNow = pending+part.TotalPending, failed+part.TotalFailed, notNow+part.TotalNotNow
	}
	chunkReqs := srv.Log().Requests(route) - before
	got := []int{whole.TotalPending, whole.TotalFailed, whole.TotalNotNow}
	if want := []int{pending, failed, notNow}; !reflect.DeepEqual(got, want) {
		t.Fatalf("fleet reading %v, per-chunk reading %v", got, want)
	}
	if fleetReqs > 3 || chunkReqs < 30 {
		t.Fatalf("fleet reading took %d requests, per-chunk %d", fleetReqs, chunkReqs)
	}
}
