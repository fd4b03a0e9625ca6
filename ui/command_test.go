package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

const longError = "The device is in an invalid state to process this command: it may be in the middle of a software update, or Setup Assistant has not finished, and the command cannot run until it settles (MCMDMErrorDomain 12021)"

func at(d time.Duration) *time.Time { t := t0.Add(d); return &t }

// failedInfo is a failed DEVICE_INFORMATION entry with a long error, and
// (dup) a pending one of the same type beside it.
func failedInfo(dup bool) (ops.CommandEntry, []ops.CommandEntry) {
	e := ops.CommandEntry{UUID: "0f5c3b2a-1d4e-4c6b-9a8f-7e6d5c4b3a21", Command: "DEVICE_INFORMATION", Status: ops.StatusFailed,
		Issued: at(-50 * time.Hour), Completed: at(-49 * time.Hour), Error: longError}
	entries := []ops.CommandEntry{e}
	if dup {
		entries = append([]ops.CommandEntry{{UUID: "aa11", Command: "DEVICE_INFORMATION", Status: ops.StatusPending, Issued: at(-3 * time.Hour), LastPush: at(-2 * time.Hour)}}, entries...)
	}
	return e, entries
}

// openCommand starts the console and opens the detail of e on d.
func openCommand(t *testing.T, f fixture, d ops.Device, e ops.CommandEntry, entries []ops.CommandEntry, w, h int) tea.Model {
	t.Helper()
	m := start(t, f.deps, w, h)
	return drive(t, m, navigate(navigateMsg{to: screenCommand, device: &d, command: &e, entries: entries}))
}

// TestCommandDetailGolden: every field, the whole error text wrapped, the
// explanation; nothing cut at 100 or 160 columns.
// Update with: go test ./ui -run TestCommandDetailGolden -update
func TestCommandDetailGolden(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{100, 30}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, jamftest.Options{}, "", "")
			d := ops.Device{ID: "573", Name: "Priya's MacBook Pro with a rather long name for the header", Serial: "C02XK1JHJG5J", Kind: jamf.PlatformComputer,
				ManagementID: "m-573", Model: "MacBook Pro (14-inch, M3 Pro, 2023)", LastCheckIn: at(-26 * time.Hour)}
			e, entries := failedInfo(false)
			m := openCommand(t, f, d, e, entries, size[0], size[1])
			out := screenText(m, f.srv)
			for _, l := range strings.Split(out, "\n") {
				if w := len([]rune(l)); w > size[0] {
					t.Fatalf("line of %d columns: %q", w, l)
				}
			}
			flat := strings.Join(strings.Fields(out), " ")
			for _, want := range []string{"(MCMDMErrorDomain 12021)", e.UUID, "R re-sends"} {
				if !strings.Contains(flat, want) {
					t.Fatalf("%q missing:\n%s", want, out)
				}
			}
			golden.RequireEqual(t, out)
		})
	}
}

// TestDeviceEnterOpensCommandDetail: enter on a command row of the device
// screen opens that command.
func TestDeviceEnterOpensCommandDetail(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	d := deviceWith(t, f, jamf.StateError)
	m := start(t, f.deps, 120, 40)
	m = drive(t, m, navigate(navigateMsg{to: screenDevice, device: &d}))
	dm := m.(Model).top().(deviceModel)
	row := -1
	for i, r := range dm.rows {
		if r.entry != nil && r.entry.Status == ops.StatusFailed {
			row = i
			break
		}
	}
	if row < 0 {
		t.Fatal("no failed row")
	}
	for range row {
		m = press(t, m, "j")
	}
	m = press(t, m, "enter")
	cm, ok := m.(Model).top().(commandModel)
	if !ok {
		t.Fatalf("enter opened %T", m.(Model).top())
	}
	if cm.entry.UUID != dm.rows[row].entry.UUID || len(cm.entries) != len(dm.entries) {
		t.Fatalf("opened %+v", cm.entry)
	}
	m = press(t, m, "esc")
	if _, ok := m.(Model).top().(deviceModel); !ok {
		t.Fatal("esc did not return to the device")
	}
}

// TestResendDuplicateNeedsSecondYes: with the same type pending, R warns,
// and only a second y sends; any other key at either question cancels.
func TestResendDuplicateNeedsSecondYes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	d := deviceWith(t, f, jamf.StateError)
	e, entries := failedInfo(true)
	m := openCommand(t, f, d, e, entries, 120, 40)
	sends := func() int { return f.srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION") }
	before := sends()

	m = press(t, m, "R")
	if out := screenText(m, f.srv); !strings.Contains(out, "already pending") || !strings.Contains(out, "Warning: 1 command is of this type already pending") {
		t.Fatalf("no duplicate warning:\n%s", out)
	}
	m = press(t, m, "y")
	if !strings.Contains(screenText(m, f.srv), "Really queue a duplicate DEVICE_INFORMATION") {
		t.Fatalf("no second question:\n%s", screenText(m, f.srv))
	}
	m = press(t, m, "enter") // not y: cancels
	if sends() != before {
		t.Fatal("sent without the second y")
	}
	m = press(t, m, "R", "n")
	if sends() != before {
		t.Fatal("sent after n")
	}
	m = press(t, m, "R", "y", "y")
	if sends() != before+1 {
		t.Fatalf("server saw %d sends, want %d", sends(), before+1)
	}
	if !strings.Contains(screenText(m, f.srv), "Queued DEVICE_INFORMATION") {
		t.Fatalf("no report:\n%s", screenText(m, f.srv))
	}
	log, _, err := f.deps.Audit.Read()
	if err != nil {
		t.Fatal(err)
	}
	last := log[len(log)-1]
	if last.Action != "send DEVICE_INFORMATION" || last.Targets[0].Serial != d.Serial || last.Targets[0].Kind != "computer" ||
		last.Params["alreadyPending"] != float64(1) || last.Params["resendOf"] != e.UUID {
		t.Fatalf("audit entry %+v", last)
	}
}

// TestResendWithoutDuplicateAsksOnce: no pending duplicate, one y sends.
func TestResendWithoutDuplicateAsksOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	d := deviceWith(t, f, jamf.StateError)
	e, entries := failedInfo(false)
	m := openCommand(t, f, d, e, entries, 120, 40)
	before := f.srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION")
	m = press(t, m, "R")
	if strings.Contains(screenText(m, f.srv), "already pending") {
		t.Fatal("warned without a duplicate")
	}
	press(t, m, "y")
	if got := f.srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION"); got != before+1 {
		t.Fatalf("server saw %d sends, want %d", got, before+1)
	}
}

// TestResendGated: read-only hides R and sends nothing; a missing
// privilege is named; destructive or parameterised types are refused.
func TestResendGated(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	d := deviceWith(t, f, jamf.StateError)
	e, entries := failedInfo(false)

	ro := f
	ro.deps.ReadOnly = true
	sends := func() int {
		return f.srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION") + f.srv.Log().CommandCount(d.ManagementID, "ERASE_DEVICE")
	}
	before := sends()
	m := openCommand(t, ro, d, e, entries, 120, 40)
	lines := strings.Split(strings.TrimRight(screenText(m, f.srv), "\n "), "\n")
	if footer := lines[len(lines)-1]; strings.Contains(footer, "R re-send") || !strings.Contains(footer, "find device") {
		t.Fatalf("read-only footer: %q", footer)
	}
	if !strings.Contains(screenText(m, f.srv), "Read-only session: re-sending is not available.") {
		t.Fatal("read-only detail does not say re-sending is unavailable")
	}
	m = press(t, m, "R")
	if out := screenText(m, f.srv); !strings.Contains(out, "read-only mode") {
		t.Fatalf("no read-only refusal:\n%s", out)
	}

	m = openCommand(t, f, d, e, entries, 120, 40)
	mm := m.(Model)
	mm.c.privs = jamf.NewPrivileges(jamf.PrivViewMDMCommands)
	m = press(t, mm, "R")
	if out := screenText(m, f.srv); !strings.Contains(out, "Send Device Information Command") {
		t.Fatalf("privilege not named:\n%s", out)
	}

	wipe := e
	wipe.Command = "ERASE_DEVICE"
	m = openCommand(t, f, d, wipe, []ops.CommandEntry{wipe}, 120, 40)
	m = press(t, m, "R")
	if out := screenText(m, f.srv); !strings.Contains(out, "destructive") {
		t.Fatalf("erase not refused:\n%s", out)
	}
	if sends() != before {
		t.Fatal("a gated re-send went out")
	}
}

// TestResendRefusesWhatTheCatalogueDoesNotFit: the command detail offers
// a re-send only where a mass job would send it: a failed RESTART_DEVICE
// on an unsupervised iPad is refused with the preflight's reason, on a
// supervised one it is offered.
func TestResendRefusesWhatTheCatalogueDoesNotFit(t *testing.T) {
	t.Parallel()
	e := ops.CommandEntry{UUID: "u1", Command: "RESTART_DEVICE", Status: ops.StatusFailed, Issued: at(-2 * time.Hour)}
	ipad := ops.Device{ID: "12", Name: "Cart iPad", Kind: jamf.PlatformMobile, ManagementID: "m-12", Model: "iPad (10th generation)"}
	if why := (commandModel{device: ipad, entry: e}).resendRefusal(); why != "" {
		t.Fatalf("supervised iPad: refused %q", why)
	}
	ipad.Unsupervised = true
	if why := (commandModel{device: ipad, entry: e}).resendRefusal(); !strings.Contains(why, "supervised") {
		t.Fatalf("unsupervised iPad: refusal %q, want the supervision reason", why)
	}
}

// TestBackFromAReSendShowsTheNewCommand: after a re-send, esc returns to a
// device screen that has read the queue again, so the new command is on
// it; without a re-send, esc reads nothing.
func TestBackFromAReSendShowsTheNewCommand(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	d := deviceWith(t, f, jamf.StateError)
	m := start(t, f.deps, 120, 40)
	m = drive(t, m, navigate(navigateMsg{to: screenDevice, device: &d}))
	var failed *ops.CommandEntry
	for _, e := range m.(Model).top().(deviceModel).entries {
		if e.Status == ops.StatusFailed && e.Command != "" {
			if spec, ok := mass.LookupCommand(e.Command); ok && !spec.Destructive && len(spec.Params) == 0 {
				failed = &e
				break
			}
		}
	}
	if failed == nil {
		t.Fatal("no failed command of a type the catalogue re-sends on this device")
	}
	count := func(m tea.Model) int {
		n := 0
		for _, e := range m.(Model).top().(deviceModel).entries {
			if e.Command == failed.Command && e.Status == ops.StatusPending {
				n++
			}
		}
		return n
	}
	entries := m.(Model).top().(deviceModel).entries
	before := count(m)
	m = drive(t, m, navigate(navigateMsg{to: screenCommand, device: &d, command: failed, entries: entries}))
	reads := f.srv.Log().TotalRequests()
	m = press(t, m, "esc")
	if f.srv.Log().TotalRequests() != reads {
		t.Fatal("esc without a re-send read the queue again")
	}
	m = drive(t, m, navigate(navigateMsg{to: screenCommand, device: &d, command: failed, entries: entries}))
	m = press(t, m, "R", "y")
	if strings.Contains(screenText(m, f.srv), "Really queue a duplicate") {
		m = press(t, m, "y")
	}
	m = press(t, m, "esc")
	if _, ok := m.(Model).top().(deviceModel); !ok {
		t.Fatalf("esc opened %T", m.(Model).top())
	}
	if got := count(m); got != before+1 {
		t.Fatalf("the device screen shows %d pending %s, want %d", got, failed.Command, before+1)
	}
}
