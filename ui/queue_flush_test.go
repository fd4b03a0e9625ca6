package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestQueueFlushOneDevice: f on a stuck device flushes its pending
// commands, says what it flushed and re-reads only that device.
func TestQueueFlushOneDevice(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 140, 45)
	m = press(t, m, "enter", "Q")
	q, ok := topOf(m).(queueModel)
	if !ok || q.summary == nil {
		t.Fatalf("Q opened %T", topOf(m))
	}
	m = press(t, m, "tab")
	row := -1
	for i, s := range q.summary.Stuck {
		if s.Pending > 0 {
			row = i
			break
		}
	}
	if row < 0 {
		t.Fatal("no device with pending commands")
	}
	for topOf(m).(queueModel).stuck.cursor < row {
		m = press(t, m, "j")
	}
	dev := q.summary.Stuck[row]
	reads := f.srv.Log().Requests("GET /api/v2/mdm/commands")
	m = press(t, m, "f", "y")
	want := fmt.Sprintf("Flushed %d pending command", dev.Pending)
	if dev.Pending > 1 {
		want += "s"
	}
	want += " of " + dev.Device.Name
	if st := m.(Model).status; !strings.HasPrefix(st, want) {
		t.Fatalf("status %q, want %q", st, want)
	}
	flushes := f.srv.Log().Flushes()
	if len(flushes) != 1 || flushes[0].ManagementID != dev.Device.ManagementID || flushes[0].Status != "Pending" {
		t.Fatalf("flushes %+v", flushes)
	}
	if n := f.srv.Log().Requests("GET /api/v2/mdm/commands") - reads; n != 2 {
		t.Fatalf("%d command-list reads after the flush; want 2 (that device before and after), not the group's", n)
	}
	q = topOf(m).(queueModel)
	for _, s := range q.summary.Stuck {
		if s.Device.ID == dev.Device.ID && s.Pending != 0 {
			t.Fatalf("the row still shows %d pending", s.Pending)
		}
	}
	if q.summary.TotalPending != topOf(press(t, m, "esc", "Q")).(queueModel).summary.TotalPending {
		t.Fatal("the adjusted totals differ from a fresh read")
	}
}
