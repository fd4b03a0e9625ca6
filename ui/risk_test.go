package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
)

// newRiskFixture adds a JSC whose devices share the fleet's UDIDs.
func newRiskFixture(t *testing.T, clientID, secret string) (fixture, *jsctest.Server) {
	t.Helper()
	f := newFixture(t, jamftest.Options{Computers: 150, MobileDevices: 40}, clientID, secret)
	var devs []jsctest.ExternalDevice
	for i, id := range f.srv.Identities() {
		if i%9 == 4 {
			continue
		}
		devs = append(devs, jsctest.ExternalDevice{UDID: id.UDID, Name: "jsc " + id.Name, User: id.User, OSType: "MAC_OS"})
	}
	rs := jsctest.NewServer(jsctest.Options{Devices: devs, Unmanaged: 2, Clock: f.clock, Seed: 3})
	t.Cleanup(rs.Close)
	rc, err := jsc.NewClient(rs.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, jsc.WithLimits(200, 10_000))
	if err != nil {
		t.Fatal(err)
	}
	f.deps.JSC = rc
	f.deps.RiskCacheDir = t.TempDir()
	return f, rs
}

func openRisk(t *testing.T, f fixture, w, h int) tea.Model {
	t.Helper()
	m := start(t, f.deps, w, h)
	m = press(t, m, ":")
	m = typeText(t, m, "risk")
	return press(t, m, "enter")
}

func TestRiskScreenFiltersAndCounts(t *testing.T) {
	t.Parallel()
	f, rs := newRiskFixture(t, "", "")
	m := openRisk(t, f, 140, 40)
	r := topOf(m).(riskModel)
	counts := rs.Counts()
	if len(r.fleet) != len(rs.DeviceIDs()) || !strings.Contains(screenText(m, f.srv), fmt.Sprintf("HIGH %d", counts[jsc.High])) {
		t.Fatalf("fleet %d of %d; header:\n%s", len(r.fleet), len(rs.DeviceIDs()), screenText(m, f.srv))
	}
	m = press(t, m, "v", "v") // all → elevated → HIGH
	r = topOf(m).(riskModel)
	if r.table.n != counts[jsc.High] {
		t.Fatalf("HIGH filter shows %d rows, server has %d", r.table.n, counts[jsc.High])
	}
	for _, i := range r.view {
		if r.fleet[i].JSC.Risk != jsc.High {
			t.Fatal("a non-HIGH row passed the filter")
		}
	}
	// Unmanaged devices are listed with no Jamf Pro identity.
	m = press(t, m, "v", "v", "v", "v") // back to all
	m = press(t, m, "/")
	m = typeText(t, m, "personal")
	m = press(t, m, "enter")
	if r := topOf(m).(riskModel); r.table.n != 2 || r.fleet[r.view[0]].Jamf != nil {
		t.Fatalf("BYOD filter: %d rows", r.table.n)
	}
}

func TestRiskFlowResetThreeHighDevices(t *testing.T) {
	t.Parallel()
	f, rs := newRiskFixture(t, "", "")
	tm := teatest.NewTestModel(t, New(f.deps), teatest.WithInitialTermSize(150, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitText(t, tm, "Macs - no check-in for 30 days")
	sendKeys(tm, ":")
	tm.Type("risk")
	sendKeys(tm, "enter")
	waitText(t, tm, "CHECK-IN") // the joined fleet has loaded and the table is drawn
	// No I/O happens between these keys, so they need no waits.
	sendKeys(tm, "v", "v", "space", "space", "space", "R") // HIGH only, mark 3, reset
	waitText(t, tm, "reason:")
	tm.Type("cleared after investigation")
	sendKeys(tm, "enter")
	waitText(t, tm, "y confirm")
	sendKeys(tm, "y")
	waitText(t, tm, "Recorded in the audit log")
	sendKeys(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	// As the console does: the read-back's cache write, still running
	// after q, finishes before the test's directories go.
	tm.FinalModel(t).(Model).Close()

	recs := rs.Log().Overrides()
	if len(recs) != 3 {
		t.Fatalf("the server saw %d overrides, want 3", len(recs))
	}
	for _, rec := range recs {
		if rec.Source != jsc.SourceJSC || rec.Before != jsc.High {
			t.Fatalf("override %+v", rec)
		}
		if lvl, _ := rs.Risk(rec.DeviceID); lvl != rec.After {
			t.Fatalf("server level %s, logged %s", lvl, rec.After)
		}
	}
	entries, _, err := f.deps.Audit.Read()
	if err != nil {
		t.Fatal(err)
	}
	perDevice := 0
	for _, e := range entries {
		if e.Action == "risk reset" {
			perDevice++
			if e.Reason != "cleared after investigation" || len(e.Targets) != 1 || e.Targets[0].Outcome != "ok" {
				t.Fatalf("audit entry %+v", e)
			}
		}
	}
	if perDevice != 3 {
		t.Fatalf("%d per-device audit entries, want 3", perDevice)
	}
}

func TestRiskReadOnlyAndMissingJSC(t *testing.T) {
	t.Parallel()
	f, rs := newRiskFixture(t, "", "")
	f.deps.ReadOnly = true
	m := openRisk(t, f, 140, 40)
	if v := screenText(m, f.srv); strings.Contains(v, "set level") || strings.Contains(v, "reset to JSC") {
		t.Fatalf("read-only risk screen offers changes:\n%s", v)
	}
	m = press(t, m, "R")
	if st := m.(Model); !st.statusErr || !strings.Contains(st.status, "read-only") {
		t.Fatalf("status %q", st.status)
	}
	if len(rs.Log().Overrides()) != 0 {
		t.Fatal("read-only mode changed risk")
	}
	g := newFixture(t, jamftest.Options{}, "", "")
	m = openRisk(t, g, 140, 40)
	if !strings.Contains(screenText(m, g.srv), "JSC is not configured") {
		t.Fatal("no JSC: the screen does not say why")
	}
}

func TestRiskReasonRequiredAndRemembered(t *testing.T) {
	t.Parallel()
	f, rs := newRiskFixture(t, "", "")
	m := openRisk(t, f, 140, 40)
	m = press(t, m, "space", "t", "h", "enter") // one device marked, no reason
	if st := m.(Model); !strings.Contains(st.status, "reason is required") {
		t.Fatalf("status %q", st.status)
	}
	m = typeText(t, m, "tabletop exercise")
	m = press(t, m, "enter", "y")
	if len(rs.Log().Overrides()) != 1 || rs.Log().Overrides()[0].After != jsc.High {
		t.Fatalf("overrides %+v", rs.Log().Overrides())
	}
	// The next change starts with the same reason.
	m = press(t, m, "R")
	if r := topOf(m).(riskModel); r.reason.Value() != "tabletop exercise" {
		t.Fatalf("reason not remembered: %q", r.reason.Value())
	}
	m = press(t, m, "esc")
	if len(rs.Log().Overrides()) != 1 {
		t.Fatal("esc changed risk")
	}
}

func TestRiskFromMembersAndDevicePanel(t *testing.T) {
	t.Parallel()
	f, rs := newRiskFixture(t, "", "")
	m := start(t, f.deps, 140, 40)
	m = press(t, m, "enter", "space", "space")
	before := len(rs.Log().Requests())
	m = press(t, m, "K")
	r, ok := topOf(m).(riskModel)
	if !ok || r.table.n == 0 || r.table.n > 2 {
		t.Fatalf("K from members opened %T with %d rows", topOf(m), r.table.n)
	}
	// Two marked devices are looked up one by one (and a login), not
	// found in a listing of the tenant.
	if n := len(rs.Log().Requests()) - before; n > 3 {
		t.Fatalf("K on two devices cost %d Risk API requests", n)
	}
	m = press(t, m, "esc", "enter")
	if _, ok := topOf(m).(deviceModel); !ok {
		t.Fatalf("enter opened %T", topOf(m))
	}
	v := screenText(m, f.srv)
	if !strings.Contains(v, "JSC risk: ") || !strings.Contains(v, "source") {
		t.Fatalf("no risk panel:\n%s", v)
	}
}

func TestRiskGoldenViews(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{100, 30}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			f, rs := newRiskFixture(t, "", "")
			m := openRisk(t, f, size[0], size[1])
			view := func(m tea.Model) string { return strings.ReplaceAll(screenText(m, f.srv), rs.URL, "JSC") }
			golden.RequireEqual(t, view(m))
			m = press(t, m, "v", "v", "space", "space", "t", "c")
			m = typeText(t, m, "ticket 4411")
			m = press(t, m, "enter")
			t.Run("confirm", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			_ = ops.RiskCounts
		})
	}
}

// TestRiskSelectionRule: a change acts on the marked devices, else on the
// rows the filters show, else on every device listed; the dialogue says
// which, and a selection nobody marked of more than one device needs its
// count typed (a wrong count changes nothing).
func TestRiskSelectionRule(t *testing.T) {
	t.Parallel()
	f, rs := newRiskFixture(t, "", "")
	m := openRisk(t, f, 140, 40)
	all := topOf(m).(riskModel).table.n
	if all < 10 {
		t.Fatalf("%d devices listed", all)
	}
	// Nothing marked, no filter: every device listed, count typed.
	m = press(t, m, "R")
	m = typeText(t, m, "drill")
	m = press(t, m, "enter")
	want := fmt.Sprintf("Nothing is marked: this changes all %s devices of the JSC fleet.", formatCount(all))
	if v := screenText(m, f.srv); !strings.Contains(v, want) || !strings.Contains(v, fmt.Sprintf("Type the number of devices (%d) and enter:", all)) {
		t.Fatalf("the whole list:\n%s", v)
	}
	m = press(t, m, "y")
	m = press(t, m, "enter")
	if st := m.(Model); !strings.Contains(st.status, "is not the number of devices") || len(rs.Log().Overrides()) != 0 {
		t.Fatalf("a wrong count: status %q, %d overrides", st.status, len(rs.Log().Overrides()))
	}
	// The level filter shows the HIGH devices: those are the targets.
	m = press(t, m, "v", "v")
	high := topOf(m).(riskModel).table.n
	if high < 2 || high >= all {
		t.Fatalf("%d HIGH of %d", high, all)
	}
	m = press(t, m, "t", "s")
	m = typeText(t, m, "triaged")
	m = press(t, m, "enter")
	if v := screenText(m, f.srv); !strings.Contains(v, fmt.Sprintf("this changes %d filtered devices of the JSC fleet", high)) {
		t.Fatalf("the filtered rows:\n%s", v)
	}
	m = typeText(t, m, fmt.Sprint(high))
	m = press(t, m, "enter")
	got := map[string]bool{}
	for _, o := range rs.Log().Overrides() {
		if o.After != jsc.Secure {
			t.Fatalf("override %+v", o)
		}
		got[o.DeviceID] = true
	}
	if len(got) != high {
		t.Fatalf("%d devices changed, want the %d filtered", len(got), high)
	}
	// Marked rows win over the filter, with a plain y.
	m = press(t, m, "v", "v", "v", "v", "space")
	m = press(t, m, "R")
	m = typeText(t, m, "one")
	m = press(t, m, "enter")
	if v := screenText(m, f.srv); !strings.Contains(v, "Devices: 1 marked device of the JSC fleet") || strings.Contains(v, "Type the number") {
		t.Fatalf("one marked:\n%s", v)
	}
}

// TestRiskMarksHiddenByAFilterAreSaid: marks stay on rows a filter then
// hides, and the change acts on every marked device; the dialogue says how
// many of them the filters hide and asks for the count typed, so nobody
// changes devices they cannot see with a bare y.
func TestRiskMarksHiddenByAFilterAreSaid(t *testing.T) {
	t.Parallel()
	f, rs := newRiskFixture(t, "", "")
	m := openRisk(t, f, 140, 40)
	m = press(t, m, "space", "G", "space") // the first row (HIGH) and the last
	rm := topOf(m).(riskModel)
	if len(rm.marks) != 2 {
		t.Fatalf("%d marked", len(rm.marks))
	}
	m = press(t, m, "v", "v") // HIGH only: the last row is hidden
	m = press(t, m, "t", "m")
	m = typeText(t, m, "hidden marks")
	m = press(t, m, "enter")
	v := screenText(m, f.srv)
	if !strings.Contains(v, "Devices: 2 marked devices of the JSC fleet, 1 of them hidden by the filters") || !strings.Contains(v, "Type the number of devices (2) and enter:") ||
		!strings.Contains(v, "clear the filters to see every marked device") {
		t.Fatalf("marks hidden by a filter:\n%s", v)
	}
	m = press(t, m, "y")
	if n := len(rs.Log().Overrides()); n != 0 {
		t.Fatalf("a bare y changed %d devices", n)
	}
	m = press(t, m, "backspace")
	m = typeText(t, m, "2")
	m = press(t, m, "enter")
	if n := len(rs.Log().Overrides()); n != 2 {
		t.Fatalf("%d devices changed, want the 2 marked", n)
	}
	_ = m
}

// TestRiskTypedCountIsTheNumber: the typed count is the number as shown,
// with or without its thousands commas; commas elsewhere, a leading zero
// or a space inside are not the number.
func TestRiskTypedCountIsTheNumber(t *testing.T) {
	t.Parallel()
	for typed, ok := range map[string]bool{"1200": true, " 1,200 ": true, "12,00": false, "1,2,0,0": false, "01200": false, "1 200": false, "": false, "1200.": false} {
		if got := countTyped(typed, 1200); got != ok {
			t.Errorf("%q for 1200: accepted %v, want %v", typed, got, ok)
		}
	}
	if !countTyped("7", 7) || countTyped("07", 7) {
		t.Error("a small count")
	}
}

// TestRiskRefreshDuringTheDialogueKeepsItsTargets: a listing that arrives
// while the confirmation is open (a refresh begun before) changes the
// rows behind it, not what the dialogue said it would change.
func TestRiskRefreshDuringTheDialogueKeepsItsTargets(t *testing.T) {
	t.Parallel()
	f, rs := newRiskFixture(t, "", "")
	m := openRisk(t, f, 140, 40)
	rm := topOf(m).(riskModel)
	all := rm.table.n
	m = press(t, m, "t", "l")
	m = typeText(t, m, "drill")
	m = press(t, m, "enter")
	rm = topOf(m).(riskModel)
	fewer := rm.jscDevices[:3]
	m = drive(t, m, func() tea.Msg {
		return riskLoadedMsg{req: rm.req, from: rm.sc.id, devices: fewer, taken: t0}
	})
	if n := topOf(m).(riskModel).table.n; n != 3 {
		t.Fatalf("the refresh left %d rows", n)
	}
	if v := screenText(m, f.srv); !strings.Contains(v, fmt.Sprintf("Type the number of devices (%d) and enter:", all)) {
		t.Fatalf("the dialogue after the refresh:\n%s", v)
	}
	m = typeText(t, m, fmt.Sprint(all))
	m = press(t, m, "enter")
	got := map[string]bool{}
	for _, o := range rs.Log().Overrides() {
		got[o.DeviceID] = true
	}
	if len(got) != all {
		t.Fatalf("%d devices changed, want the %d the dialogue named", len(got), all)
	}
}

// TestRiskScreenFitsAt80x24: the header breaks between its parts instead
// of running off an 80-column screen, and the table gives up the rows the
// extra lines take, so the screen is still 24 lines with its key help.
func TestRiskScreenFitsAt80x24(t *testing.T) {
	t.Parallel()
	f, _ := newRiskFixture(t, "", "")
	m := openRisk(t, f, 80, 24)
	m = press(t, m, "v", "v", "space", "o")
	view := screenText(m, f.srv)
	lines := strings.Split(view, "\n")
	for _, line := range lines {
		if ansi.StringWidth(line) > 80 {
			t.Fatalf("a line of %d columns: %q\n%s", ansi.StringWidth(line), line, view)
		}
	}
	if len(lines) > 24 || !strings.Contains(lines[len(lines)-1], "? help") {
		t.Fatalf("%d lines, the last %q:\n%s", len(lines), lines[len(lines)-1], view)
	}
	flat := strings.Join(strings.Fields(view), " ")
	for _, want := range []string{"level: HIGH", "source: jamfops", "API budget", "1 marked"} {
		if !strings.Contains(flat, want) {
			t.Fatalf("%q is not on screen:\n%s", want, view)
		}
	}
}

// TestDeviceRiskLineWrapsAt80Columns: the device screen's JSC risk line
// wraps instead of running off an 80-column screen, and the screen still
// fits 24 lines.
func TestDeviceRiskLineWrapsAt80Columns(t *testing.T) {
	t.Parallel()
	f, _ := newRiskFixture(t, "", "")
	m := start(t, f.deps, 80, 24)
	m = press(t, m, "enter")
	var view string
	for range 5 { // the first member enrolled in JSC
		m = press(t, m, "enter")
		if _, ok := topOf(m).(deviceModel); !ok {
			t.Fatalf("enter opened %T", topOf(m))
		}
		if view = screenText(m, f.srv); !strings.Contains(view, "not enrolled in JSC") {
			break
		}
		m = press(t, m, "esc", "j")
	}
	lines := strings.Split(view, "\n")
	for _, line := range lines {
		if ansi.StringWidth(line) > 80 {
			t.Fatalf("a line of %d columns: %q", ansi.StringWidth(line), line)
		}
	}
	if flat := strings.Join(strings.Fields(view), " "); !strings.Contains(flat, "K to set or reset") || len(lines) > 24 {
		t.Fatalf("%d lines:\n%s", len(lines), view)
	}
}
