package ui

import (
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

const commandsRoute = "GET /api/v2/mdm/commands"

// TestBigGroupCountsOnlyVisibleRows: a group above countAllLimit asks for
// the counts of the rows around the view only (≤ 3 requests), shows them
// there and "…" elsewhere, and asks for more as the view scrolls.
func TestBigGroupCountsOnlyVisibleRows(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 2_200, MobileDevices: 10}, "", "")
	m := start(t, f.deps, 120, 40)
	before := f.srv.Log().Requests(commandsRoute)
	m = press(t, m, "enter") // All Managed Clients: every computer
	mm := m.(Model).top().(membersModel)
	if len(mm.devices) <= countAllLimit || !mm.lazyCounts() {
		t.Fatalf("%d members: not a big group", len(mm.devices))
	}
	opened := f.srv.Log().Requests(commandsRoute) - before
	if opened < 1 || opened > 3 {
		t.Fatalf("opening made %d count requests, want 1–3", opened)
	}
	if len(mm.known) > countWindowMax || len(mm.known) < mm.table.height {
		t.Fatalf("%d devices counted", len(mm.known))
	}
	out := screenText(m, f.srv)
	if !strings.Contains(out, "commands counted for rows in view") {
		t.Fatalf("no note on the lazy counts:\n%s", out)
	}
	// Visible rows are counted.
	for r := mm.table.offset; r < mm.table.offset+mm.table.height && r < len(mm.view); r++ {
		if !mm.known[mm.devices[mm.view[r]].ID] {
			t.Fatalf("visible row %d not counted", r)
		}
	}
	// The far end is not, until the view goes there.
	last := mm.devices[mm.view[len(mm.view)-1]].ID
	if mm.known[last] {
		t.Fatal("the last row was counted up front")
	}
	m = press(t, m, "G")
	mm = m.(Model).top().(membersModel)
	if !mm.known[last] {
		t.Fatal("the last row was not counted after G")
	}
	if n := f.srv.Log().Requests(commandsRoute) - before; n > 6 {
		t.Fatalf("%d count requests after one jump, want ≤ 6", n)
	}
	// Moving within counted rows asks for nothing.
	n := f.srv.Log().Requests(commandsRoute)
	m = press(t, m, "k", "k")
	if f.srv.Log().Requests(commandsRoute) != n {
		t.Fatal("moving within counted rows made requests")
	}
	_ = m
}

// TestSmallGroupCountsWhole: a group up to countAllLimit is counted whole,
// so the count columns sort across the group.
func TestSmallGroupCountsWhole(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 120, 40)
	m = press(t, m, "enter")
	mm := m.(Model).top().(membersModel)
	if mm.lazyCounts() || !mm.counted || len(mm.known) != len(mm.devices) {
		t.Fatalf("lazy=%v counted=%v known=%d of %d", mm.lazyCounts(), mm.counted, len(mm.known), len(mm.devices))
	}
	if n := f.srv.Log().Requests(commandsRoute); n > (len(mm.devices)+99)/100 {
		t.Fatalf("%d count requests for %d devices", n, len(mm.devices))
	}
}
