package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// TestFlowSerialToCommandDetail: in a real program, from the start screen,
// ctrl+k, the serial and enter reach the device's queue; enter on its
// failed command shows the whole error and what it means.
func TestFlowSerialToCommandDetail(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	d := deviceWith(t, f, jamf.StateError)
	tm := teatest.NewTestModel(t, New(f.deps), teatest.WithInitialTermSize(140, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitText(t, tm, "All Managed Clients")
	tm.Send(ctrlK)
	waitText(t, tm, "find device:")
	tm.Type(d.Serial)
	sendKeys(tm, "enter")
	waitText(t, tm, "FAILED ·")
	// Walk down to the first failed command: the PENDING heading and its
	// rows come first, then the FAILED heading.
	entries, _, err := ops.DeviceCommands(t.Context(), f.deps.Jamf, d)
	if err != nil {
		t.Fatal(err)
	}
	row, failed := 1, ""
	for _, e := range entries {
		if e.Active() {
			row++
		}
	}
	for _, e := range entries {
		if e.Status == ops.StatusFailed {
			failed = e.UUID
			break
		}
	}
	for range row + 1 {
		sendKeys(tm, "j")
	}
	sendKeys(tm, "enter")
	waitText(t, tm, failed)
	tm.Quit()
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	cm, ok := final.top().(commandModel)
	if !ok || cm.device.ID != d.ID || cm.entry.UUID != failed {
		t.Fatalf("ended on %T", final.top())
	}
	if out := ansi.Strip(final.render()); !strings.Contains(out, "What it means") {
		t.Fatalf("no explanation:\n%s", out)
	}
}
