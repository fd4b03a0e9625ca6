package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

func topOf(m tea.Model) screen { return m.(Model).top() }

func TestGroupsScreen(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 120, 40)
	g := topOf(m).(groupsModel)
	if g.table.n != 11 || g.loading {
		t.Fatalf("computer groups listed: %d (loading %v)", g.table.n, g.loading)
	}
	if g.criteria["computer/3"] != "Operating System Version less than 26.0" {
		t.Fatalf("criteria summary = %q", g.criteria["computer/3"])
	}
	m = press(t, m, "tab")
	if n := topOf(m).(groupsModel).table.n; n != 8 {
		t.Fatalf("mobile groups listed: %d", n)
	}
	m = press(t, m, "tab", "/")
	m = typeText(t, m, "30 days")
	m = press(t, m, "enter")
	g = topOf(m).(groupsModel)
	if g.table.n != 1 || g.groups[g.view[0]].Name != "Macs - no check-in for 30 days" {
		t.Fatalf("filter left %d rows", g.table.n)
	}
	// esc clears the filter before it leaves anything.
	m = press(t, m, "esc")
	if n := topOf(m).(groupsModel).table.n; n != 11 {
		t.Fatalf("after esc: %d rows", n)
	}
	// Sorting by member count, largest first.
	m = press(t, m, "s", "s", "S")
	g = topOf(m).(groupsModel)
	if first := g.groups[g.view[0]]; first.Name != "All Managed Clients" {
		t.Fatalf("largest group first: got %q", first.Name)
	}
}

func TestStaleResultsAreDropped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 120, 40)
	g := topOf(m).(groupsModel)
	stale := groupsLoadedMsg{req: g.req - 1, from: g.sc.id, groups: []ops.GroupSummary{{ID: "99", Name: "STALE", Kind: jamf.PlatformComputer}}}
	m, _ = m.Update(stale)
	if strings.Contains(screenText(m, f.srv), "STALE") {
		t.Fatal("a stale groups result replaced the newer one")
	}
	// Members: counts for an older load do not apply.
	grp := g.groups[g.view[0]]
	m = drive(t, m, navigate(navigateMsg{to: screenMembers, group: &grp}))
	mm := topOf(m).(membersModel)
	fake := &ops.QueueSummary{Stuck: []ops.DeviceBacklog{{Device: mm.devices[0], Pending: 99}}}
	m, _ = m.Update(countsMsg{req: mm.req - 1, from: mm.sc.id, summary: fake})
	if topOf(m).(membersModel).counts[mm.devices[0].ID][0] == 99 {
		t.Fatal("stale counts were applied")
	}
}

func TestMembersMarksFilterAndOpen(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 140, 40)
	m = press(t, m, "enter") // the first group by name: All Managed Clients
	mm := topOf(m).(membersModel)
	if len(mm.devices) != 300 || !mm.counted {
		t.Fatalf("members: %d devices, counted %v", len(mm.devices), mm.counted)
	}
	m = press(t, m, "space", "space", "space")
	if n := len(topOf(m).(membersModel).marks); n != 3 {
		t.Fatalf("marks = %d", n)
	}
	m = press(t, m, "A")
	if n := len(topOf(m).(membersModel).marks); n != 300 {
		t.Fatalf("mark all = %d", n)
	}
	m = press(t, m, "u", "/")
	serial := mm.devices[42].Serial
	m = typeText(t, m, strings.ToLower(serial))
	m = press(t, m, "enter")
	mm = topOf(m).(membersModel)
	if mm.table.n != 1 || len(mm.marks) != 0 {
		t.Fatalf("filter by serial: %d rows, %d marks", mm.table.n, len(mm.marks))
	}
	m = press(t, m, "enter")
	d, ok := topOf(m).(deviceModel)
	if !ok || d.device.Serial != serial || d.entries == nil {
		t.Fatalf("enter opened %T", topOf(m))
	}
	m = press(t, m, "esc")
	if _, ok := topOf(m).(membersModel); !ok {
		t.Fatalf("esc went to %T", topOf(m))
	}
}

func TestDeviceFlushFailedIsConfirmedAndAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	d := deviceWith(t, f, jamf.StateError)
	m := start(t, f.deps, 120, 40)
	m = drive(t, m, navigate(navigateMsg{to: screenDevice, device: &d}))
	// Any key but y cancels.
	m = press(t, m, "f", "f")
	if !strings.Contains(screenText(m, f.srv), "failed commands from 1 device?") {
		t.Fatalf("no preview:\n%s", screenText(m, f.srv))
	}
	m = press(t, m, "enter")
	if len(f.srv.Log().Flushes()) != 0 {
		t.Fatal("enter confirmed a flush")
	}
	if !strings.Contains(m.(Model).status, "Cancelled") {
		t.Fatalf("cancel not reported: %q", m.(Model).status)
	}
	m = press(t, m, "f", "f", "y")
	flushes := f.srv.Log().Flushes()
	if len(flushes) != 1 || flushes[0].ManagementID != d.ManagementID || flushes[0].Status != "Failed" || flushes[0].Removed == 0 {
		t.Fatalf("server flushes = %+v", flushes)
	}
	entries, _, err := f.deps.Audit.Read()
	if err != nil || len(entries) != 1 || entries[0].Action != "flush failed" || entries[0].Targets[0].Outcome != "ok" {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
	dm := topOf(m).(deviceModel)
	for _, e := range dm.entries {
		if e.Status == ops.StatusFailed {
			t.Fatal("the screen still shows failed commands after the flush")
		}
	}
}

func TestReadOnlyOffersNoWrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	f.deps.ReadOnly = true
	d := deviceWith(t, f, jamf.StateError)
	m := start(t, f.deps, 120, 40)
	m = press(t, m, "enter")
	if v := screenText(m, f.srv); strings.Contains(v, "blank push") {
		t.Fatalf("read-only members screen offers a blank push:\n%s", v)
	}
	m = drive(t, m, navigate(navigateMsg{to: screenDevice, device: &d}))
	view := screenText(m, f.srv)
	if !strings.Contains(view, "READ-ONLY") || strings.Contains(view, "flush") || strings.Contains(view, "blank push") {
		t.Fatalf("read-only view offers writes:\n%s", view)
	}
	m = press(t, m, "f", "f", "y", "b", "y")
	if len(f.srv.Log().Flushes()) != 0 || f.srv.Log().BlankPushes(d.ManagementID) != 0 {
		t.Fatal("a write happened in read-only mode")
	}
}

func TestMissingPrivilegeIsNamed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, jamftest.HelpDeskClientID, jamftest.HelpDeskSecret)
	d := deviceWith(t, f, jamf.StateError)
	m := start(t, f.deps, 160, 40)
	m = drive(t, m, navigate(navigateMsg{to: screenDevice, device: &d}))
	if !strings.Contains(screenText(m, f.srv), "flush commands (needs “Flush MDM Commands”)") {
		t.Fatalf("help does not name the missing privilege:\n%s", screenText(m, f.srv))
	}
	m = press(t, m, "f")
	if st := m.(Model).status; !strings.Contains(st, "Flush MDM Commands") {
		t.Fatalf("status = %q", st)
	}
}

func TestQueueViewAndGroupFlush(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 140, 45)
	m = press(t, m, "Q") // queue of the first group: All Managed Clients
	q := topOf(m).(queueModel)
	if q.summary == nil || q.summary.Devices != 300 || q.summary.TotalFailed == 0 || len(q.summary.ByType) == 0 {
		t.Fatalf("summary = %+v", q.summary)
	}
	failedBefore := q.summary.TotalFailed
	m = press(t, m, "F")
	if !strings.Contains(screenText(m, f.srv), "failed commands from") {
		t.Fatalf("no preview:\n%s", screenText(m, f.srv))
	}
	m = press(t, m, "y")
	if q := topOf(m).(queueModel); q.summary.TotalFailed != 0 {
		t.Fatalf("after flush: %d failed (was %d)", q.summary.TotalFailed, failedBefore)
	}
	removed := 0
	for _, fl := range f.srv.Log().Flushes() {
		removed += fl.Removed
	}
	if removed != failedBefore {
		t.Fatalf("server removed %d, preview said %d", removed, failedBefore)
	}
	// Tab to the stuck devices and drill into the oldest.
	m = press(t, m, "tab", "enter")
	if _, ok := topOf(m).(deviceModel); !ok {
		t.Fatalf("enter on a stuck device opened %T", topOf(m))
	}
}

func TestServerStringsAreSanitised(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{HostileNames: true}, "", "")
	m := start(t, f.deps, 140, 40)
	m = press(t, m, "enter")
	out := m.(Model).render()
	// Styling adds SGR sequences; nothing else may appear (no clear
	// screen, no title change, no bell).
	for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\x07", "\x1b[H"} {
		if strings.Contains(out, bad) {
			t.Fatalf("%q from a device name reached the screen", bad)
		}
	}
	m = press(t, m, "/")
	m = typeText(t, m, "pwned")
	m = press(t, m, "enter")
	if !strings.Contains(screenText(m, f.srv), "PWNED-MAC") {
		t.Fatalf("the hostile device is not listed:\n%s", screenText(m, f.srv))
	}
}

func TestPaletteAndAudit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 120, 40)
	m = press(t, m, ":")
	m = typeText(t, m, "log")
	m = press(t, m, "enter")
	if _, ok := topOf(m).(auditModel); !ok {
		t.Fatalf(":log opened %T", topOf(m))
	}
	m = press(t, m, ":")
	m = typeText(t, m, "nonsense")
	m = press(t, m, "enter")
	if st := m.(Model); !st.statusErr || !strings.Contains(st.status, "unknown command") {
		t.Fatalf("status = %q", st.status)
	}
	m = press(t, m, "x") // any key clears the status line
	if m.(Model).status != "" {
		t.Fatal("status survived a key press")
	}
	m = press(t, m, "?")
	if !strings.Contains(screenText(m, f.srv), "audit log") {
		t.Fatal("full help does not list the audit key")
	}
}

func TestProfileSwitch(t *testing.T) {
	t.Parallel()
	a := newFixture(t, jamftest.Options{}, "", "")
	b := newFixture(t, jamftest.Options{Computers: 40, MobileDevices: 10, Seed: 9}, "", "")
	b.deps.Profile, b.deps.Accent, b.deps.ReadOnly = "lab", "#d70000", true
	a.deps.Profiles = []string{"test", "lab"}
	a.deps.Switch = func(name string) (Deps, error) {
		if name != "lab" {
			return Deps{}, fmt.Errorf("no profile named %q", name)
		}
		return b.deps, nil
	}
	m := start(t, a.deps, 120, 40)
	m = press(t, m, ":")
	m = typeText(t, m, "profile nope")
	m = press(t, m, "enter")
	if !strings.Contains(m.(Model).status, "no profile named") {
		t.Fatalf("status = %q", m.(Model).status)
	}
	m = press(t, m, ":")
	m = typeText(t, m, "profile lab")
	var cmd tea.Cmd
	m, cmd = m.Update(keyMsg("enter"))
	m = drive(t, m, cmd)
	view := screenText(m, b.srv)
	if !strings.Contains(view, "jamfops · lab") || !strings.Contains(view, "READ-ONLY") {
		t.Fatalf("after the switch:\n%s", view)
	}
	if g := topOf(m).(groupsModel); len(g.groups) == 0 || g.groups[0].MemberCount > 40 {
		t.Fatalf("groups come from the wrong server: %+v", g.groups)
	}
}
