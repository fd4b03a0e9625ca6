package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops/mass"
)

// planFor opens the plan screen for all members of the first group.
func planFor(t *testing.T, f fixture) tea.Model {
	t.Helper()
	m := start(t, f.deps, 140, 45)
	m = press(t, m, "enter", "M")
	if _, ok := topOf(m).(planModel); !ok {
		t.Fatalf("M opened %T", topOf(m))
	}
	return m
}

// setField moves to a form field and types a new value.
func setField(t *testing.T, m tea.Model, field int, value string) tea.Model {
	t.Helper()
	p := topOf(m).(planModel)
	for p.cursor < field {
		m = press(t, m, "j")
		p = topOf(m).(planModel)
	}
	for p.cursor > field {
		m = press(t, m, "k")
		p = topOf(m).(planModel)
	}
	m = press(t, m, "enter")
	pm := topOf(m).(planModel)
	pm.input.SetValue(value)
	m.(Model).stack[len(m.(Model).stack)-1] = pm
	return press(t, m, "enter")
}

func TestMassActionFromMembersRunsToTheEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	f.deps.JobsDir = t.TempDir()
	m := planFor(t, f)
	m = setField(t, m, fRate, "50")
	m = setField(t, m, fStages, "100%")
	m = setField(t, m, fSkipOffline, "0")
	// Starting before the preflight is refused.
	m = press(t, m, "S")
	if st := m.(Model); !strings.Contains(st.status, "preflight first") {
		t.Fatalf("status %q", st.status)
	}
	m = press(t, m, "P")
	p := topOf(m).(planModel)
	if p.pf == nil || p.pf.Send != 300 || p.pf.Requests != 6 {
		t.Fatalf("preflight %+v", p.pf)
	}
	if len(f.srv.Log().Commands()) != 0 || f.srv.Log().Requests("POST /api/v2/mdm/blank-push") != 0 {
		t.Fatal("the preflight sent something")
	}
	m = press(t, m, "S", "y") // drive runs the job to its end through the root
	j, ok := topOf(m).(jobsModel)
	if !ok {
		t.Fatalf("after starting: %T", topOf(m))
	}
	live := j.current()
	if live == nil || !live.ended || live.last.Sent != 300 || live.last.Note != "done" {
		t.Fatalf("job %+v", live)
	}
	if n := f.srv.Log().Requests("POST /api/v2/mdm/blank-push"); n != 6 {
		t.Fatalf("%d blank-push requests, want 6 batches of 50", n)
	}
	view := screenText(m, f.srv)
	if !strings.Contains(view, "100%") || !strings.Contains(view, "ended: done") {
		t.Fatalf("live view:\n%s", view)
	}
	// Per-device results and the audit log.
	m = press(t, m, "d")
	if j := topOf(m).(jobsModel); j.results.n != 300 {
		t.Fatalf("results rows %d", j.results.n)
	}
	entries, _, _ := f.deps.Audit.Read()
	if len(entries) != 6 || !strings.HasPrefix(entries[0].Action, "mass blank push") {
		t.Fatalf("audit: %d entries", len(entries))
	}
}

func TestDestructiveNeedsCountAndProfileTyped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 40, MobileDevices: 10}, "", "")
	f.deps.JobsDir = t.TempDir()
	m := planFor(t, f)
	for topOf(m).(planModel).fields[fAction].value != "ERASE_DEVICE" {
		m = press(t, m, "l")
	}
	m = setField(t, m, fSkipOffline, "0")
	m = press(t, m, "P", "S", "y", "enter") // "y" is not the count
	if len(f.srv.Log().Commands()) != 0 || !strings.Contains(m.(Model).status, "count did not match") {
		t.Fatalf("an erase went ahead without the count typed: %q", m.(Model).status)
	}
	m = press(t, m, "S")
	m = typeText(t, m, "40")
	m = press(t, m, "enter")
	m = typeText(t, m, "wrong-profile")
	m = press(t, m, "enter")
	if len(f.srv.Log().Commands()) != 0 || !strings.Contains(m.(Model).status, "profile name did not match") {
		t.Fatalf("status %q", m.(Model).status)
	}
	m = setField(t, m, fStages, "100%")
	m = press(t, m, "P", "S")
	m = typeText(t, m, "40")
	m = press(t, m, "enter")
	m = typeText(t, m, "test")
	m = press(t, m, "enter")
	if n := len(f.srv.Log().Commands()); n != 40 {
		t.Fatalf("%d erase commands after the count and profile were typed, want 40", n)
	}
}

func TestReadOnlyOffersNoMassAction(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 40, MobileDevices: 10}, "", "")
	f.deps.ReadOnly = true
	m := start(t, f.deps, 140, 40)
	m = press(t, m, "enter", "M")
	if _, ok := topOf(m).(planModel); ok || !strings.Contains(m.(Model).status, "read-only") {
		t.Fatalf("read-only M opened %T, status %q", topOf(m), m.(Model).status)
	}
}

func TestConsoleResumesAnInterruptedJob(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 60, MobileDevices: 10}, "", "")
	f.deps.JobsDir = t.TempDir()
	// A job planned and saved (as with mass run --save) but never run.
	m := planFor(t, f)
	m = setField(t, m, fStages, "100%")
	m = setField(t, m, fSkipOffline, "0")
	m = setField(t, m, fRate, "50")
	m = press(t, m, "P")
	p := topOf(m).(planModel)
	j, err := mass.CreateJournal(f.deps.JobsDir, p.plan)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	// A new console notices it and resumes it with R.
	m2 := start(t, f.deps, 140, 45)
	if st := m2.(Model).status; !strings.Contains(st, "did not finish") {
		t.Fatalf("start status %q", st)
	}
	m2 = press(t, m2, ":")
	m2 = typeText(t, m2, "jobs")
	m2 = press(t, m2, "enter", "R", "y")
	if live := topOf(m2).(jobsModel).current(); live == nil || !live.ended || live.last.Sent != 60 {
		t.Fatalf("resumed job %+v", live)
	}
	if n := f.srv.Log().Requests("POST /api/v2/mdm/blank-push"); n != 2 {
		t.Fatalf("%d blank-push requests, want 2", n)
	}
}
