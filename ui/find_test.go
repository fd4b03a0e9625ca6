package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

var ctrlK = tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl}

// findByKey opens the search box with ctrl+k, types text and presses enter.
func findByKey(t *testing.T, m tea.Model, text string) tea.Model {
	t.Helper()
	m, cmd := m.Update(ctrlK)
	m = drive(t, m, cmd)
	if !m.(Model).findOn {
		t.Fatal("ctrl+k did not open the search box")
	}
	m = typeText(t, m, text)
	return press(t, m, "enter")
}

func firstMobile(t *testing.T, f fixture) ops.Device {
	t.Helper()
	list, _, err := f.deps.Jamf.MobileDevices.List(context.Background(), &jamf.ListOptions{PageSize: 5})
	if err != nil || len(list) == 0 {
		t.Fatal(err, len(list))
	}
	return ops.FromMobileDevice(list[0])
}

// TestFindSerialOpensDevice: a serial read from a Mac or an iPad opens the
// device's queue directly, in place of the search, with ctrl+k from the
// start screen (1 + serial + 1 keystrokes).
func TestFindSerialOpensDevice(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	mac := deviceWith(t, f, jamf.StateError)
	ipad := firstMobile(t, f)
	for _, want := range []ops.Device{mac, ipad} {
		m := start(t, f.deps, 120, 40)
		m = findByKey(t, m, want.Serial)
		top := m.(Model).top()
		dm, ok := top.(deviceModel)
		if !ok {
			t.Fatalf("%s: ended on %T:\n%s", want.Serial, top, screenText(m, f.srv))
		}
		if dm.device.ID != want.ID || dm.device.Kind != want.Kind {
			t.Fatalf("opened %s %s, want %s %s", dm.device.Kind, dm.device.ID, want.Kind, want.ID)
		}
		if n := len(m.(Model).stack); n != 2 {
			t.Fatalf("stack has %d screens, want groups › device (the search replaced)", n)
		}
		if !strings.Contains(screenText(m, f.srv), "COMMAND") {
			t.Fatalf("no queue shown:\n%s", screenText(m, f.srv))
		}
	}
}

// TestPaletteDeviceListsAmbiguous: :device with text matching several
// devices shows a pick list (kind, name, serial, user, model, OS, what
// matched); enter opens the chosen one.
func TestPaletteDeviceListsAmbiguous(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 160, 45)
	m = press(t, m, ":")
	m = typeText(t, m, "device iPad")
	m = press(t, m, "enter")
	fm, ok := m.(Model).top().(findModel)
	if !ok {
		t.Fatalf("ended on %T", m.(Model).top())
	}
	if len(fm.res.Matches) < 2 {
		t.Fatalf("%d matches for iPad", len(fm.res.Matches))
	}
	out := screenText(m, f.srv)
	for _, col := range []string{"KIND", "NAME", "SERIAL", "USER", "MODEL", "OS", "MATCHED", "mobile", "contains name"} {
		if !strings.Contains(out, col) {
			t.Fatalf("no %q in the pick list:\n%s", col, out)
		}
	}
	want := fm.res.Matches[1]
	m = press(t, m, "j", "enter")
	dm, ok := m.(Model).top().(deviceModel)
	if !ok || dm.device.ID != want.ID || dm.device.Kind != want.Kind {
		t.Fatalf("enter opened %T %+v, want %s", m.(Model).top(), dm.device, want.Name)
	}
	m = press(t, m, "esc")
	if _, ok := m.(Model).top().(findModel); !ok {
		t.Fatalf("esc from the device went to %T, want the pick list", m.(Model).top())
	}
}

// TestFindNoMatchSaysSo: an unknown text leaves a pick list that says
// nothing matched.
func TestFindNoMatchSaysSo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 100, 30)
	m = findByKey(t, m, "ZZNOTHING9")
	if !strings.Contains(screenText(m, f.srv), "No computer or mobile device matches") {
		t.Fatalf("no empty message:\n%s", screenText(m, f.srv))
	}
}

// TestFindKeyInHelpAndFooter: the find key shows in the footer of every
// screen and in the full help; esc closes the box without searching.
func TestFindKeyInHelpAndFooter(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 100, 30)
	if !strings.Contains(screenText(m, f.srv), "ctrl+k find device") {
		t.Fatalf("footer lacks the find key:\n%s", screenText(m, f.srv))
	}
	m = press(t, m, "enter") // members
	if !strings.Contains(screenText(m, f.srv), "ctrl+k find device") {
		t.Fatalf("members footer lacks the find key:\n%s", screenText(m, f.srv))
	}
	m = press(t, m, "?")
	if !strings.Contains(screenText(m, f.srv), "ctrl+k") {
		t.Fatal("full help lacks the find key")
	}
	before := f.srv.Log().TotalRequests()
	m, _ = m.Update(ctrlK)
	m = typeText(t, m, "abc")
	m = press(t, m, "esc")
	if m.(Model).findOn || f.srv.Log().TotalRequests() != before {
		t.Fatal("esc did not close the box, or a search ran")
	}
	if _, ok := m.(Model).top().(membersModel); !ok {
		t.Fatalf("esc in the box left the screen: %T", m.(Model).top())
	}
}

// TestAllDevicesEntryPoints: a from the groups screen and :computers /
// :mobile list the whole inventory of each kind.
func TestAllDevicesEntryPoints(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 300, MobileDevices: 100}, "", "")
	m := start(t, f.deps, 120, 40)
	m = press(t, m, "a")
	mm, ok := m.(Model).top().(membersModel)
	if !ok || !mm.all || len(mm.devices) != 300 || mm.devices[0].Kind != jamf.PlatformComputer {
		t.Fatalf("a opened %T with %d devices", m.(Model).top(), len(mm.devices))
	}
	if !strings.Contains(screenText(m, f.srv), "All computers") {
		t.Fatal("no title")
	}
	m = press(t, m, "esc", "tab", "a")
	mm = m.(Model).top().(membersModel)
	if len(mm.devices) != 100 || mm.devices[0].Kind != jamf.PlatformMobile {
		t.Fatalf("a on the mobile tab: %d devices", len(mm.devices))
	}
	for _, c := range []struct {
		cmd  string
		n    int
		kind jamf.Platform
	}{{"computers", 300, jamf.PlatformComputer}, {"mobile", 100, jamf.PlatformMobile}} {
		m = press(t, m, ":")
		m = typeText(t, m, c.cmd)
		m = press(t, m, "enter")
		mm = m.(Model).top().(membersModel)
		if len(mm.devices) != c.n || mm.devices[0].Kind != c.kind {
			t.Fatalf(":%s: %d devices", c.cmd, len(mm.devices))
		}
		m = press(t, m, "enter")
		if dm, ok := m.(Model).top().(deviceModel); !ok || dm.device.Kind != c.kind {
			t.Fatalf(":%s then enter: %T", c.cmd, m.(Model).top())
		}
	}
}

// TestFindPickListGolden renders the pick list of an ambiguous search.
// Update with: go test ./ui -run TestFindPickListGolden -update
func TestFindPickListGolden(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{100, 30}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, jamftest.Options{}, "", "")
			m := start(t, f.deps, size[0], size[1])
			m = press(t, m, ":")
			m = typeText(t, m, "device aaron")
			m = press(t, m, "enter")
			golden.RequireEqual(t, screenText(m, f.srv))
		})
	}
}
