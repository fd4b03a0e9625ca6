package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestMembersSelectionRule: M, Q and K act on the marked rows, else on the
// rows the filter shows, else on the whole group, and say which.
func TestMembersSelectionRule(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 140, 40)
	m = press(t, m, "enter") // All Managed Clients
	mm := topOf(m).(membersModel)
	serial := mm.devices[42].Serial
	m = press(t, m, "/")
	m = typeText(t, m, strings.ToLower(serial))
	m = press(t, m, "enter")
	if topOf(m).(membersModel).table.n != 1 {
		t.Fatal("the filter does not show one device")
	}
	members := m
	// Filtered, nothing marked: the one device shown.
	m = press(t, members, "M")
	p, ok := topOf(m).(planModel)
	if !ok || len(p.devices) != 1 || p.devices[0].Serial != serial || p.label != "1 filtered devices of All Managed Clients" {
		t.Fatalf("M with a filter showing one device planned %T %v", topOf(m), describePlan(topOf(m)))
	}
	m = press(t, members, "Q")
	q, ok := topOf(m).(queueModel)
	if !ok || len(q.devices) != 1 || !strings.Contains(q.label, "1 filtered devices") {
		t.Fatalf("Q with a filter opened %T", topOf(m))
	}
	m = press(t, members, ":")
	m = typeText(t, m, "queue")
	m = press(t, m, "enter")
	if q, ok := topOf(m).(queueModel); !ok || len(q.devices) != 1 || !strings.Contains(q.label, "1 filtered devices") {
		t.Fatalf(":queue with a filter opened %T", topOf(m))
	}
	m = press(t, members, "K")
	if r, ok := topOf(m).(riskModel); !ok || len(r.scope) != 1 || !strings.Contains(r.label, "1 filtered devices") {
		t.Fatalf("K with a filter opened %T", topOf(m))
	}
	// Marked rows win over the filter.
	m = press(t, members, "/", "esc", "space", "down", "space")
	m = press(t, m, "/")
	m = typeText(t, m, strings.ToLower(serial))
	m = press(t, m, "enter", "M")
	p = topOf(m).(planModel)
	if len(p.devices) != 2 || p.label != "2 marked devices of All Managed Clients" {
		t.Fatalf("M with marks planned %d devices: %q", len(p.devices), p.label)
	}
	// Neither: the whole group.
	m = press(t, members, "/", "esc", "u", "M")
	p = topOf(m).(planModel)
	if len(p.devices) != 300 || p.label != "group All Managed Clients" {
		t.Fatalf("M without marks or filter planned %d devices: %q", len(p.devices), p.label)
	}
	// A filter that shows nobody: refused, and said.
	m = press(t, members, "/", "esc", "u", "/")
	m = typeText(t, m, "no-such-device")
	m = press(t, m, "enter", "M")
	if _, ok := topOf(m).(membersModel); !ok || !strings.Contains(m.(Model).status, "the filter shows no devices") {
		t.Fatalf("M on an empty filter: %T %q", topOf(m), m.(Model).status)
	}
}

func describePlan(s any) string {
	if p, ok := s.(planModel); ok {
		return p.label
	}
	return ""
}

var _ tea.Model = Model{}
