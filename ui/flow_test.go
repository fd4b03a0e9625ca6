package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// waitText waits until the program has drawn text (colour stripped).
func waitText(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(ansi.Strip(string(b)), text)
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func sendKeys(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

// flushFlow walks groups → members → device → flush failed in a real
// program and returns the server's flush count and the final model.
func flushFlow(t *testing.T, readOnly bool) (int, Model) {
	f := newFixture(t, jamftest.Options{}, "", "")
	f.deps.ReadOnly = readOnly
	d := deviceWith(t, f, jamf.StateError)
	tm := teatest.NewTestModel(t, New(f.deps), teatest.WithInitialTermSize(140, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitText(t, tm, "Macs - no check-in for 30 days")
	sendKeys(tm, "enter") // All Managed Clients, first by name
	waitText(t, tm, "computer group")
	sendKeys(tm, "/")
	tm.Type(strings.ToLower(d.Serial))
	sendKeys(tm, "enter")
	waitText(t, tm, d.Name)
	sendKeys(tm, "enter")
	waitText(t, tm, "management ID")
	sendKeys(tm, "f")
	if !readOnly {
		waitText(t, tm, "Flush which commands?")
		sendKeys(tm, "f")
		waitText(t, tm, "y confirm")
		sendKeys(tm, "y")
		waitText(t, tm, "Recorded in the audit log")
	} else {
		waitText(t, tm, "read-only mode")
		sendKeys(tm, "f", "y")
	}
	sendKeys(tm, "q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	return len(f.srv.Log().Flushes()), fm
}

func TestFlowFlushFailedFromGroup(t *testing.T) {
	t.Parallel()
	n, fm := flushFlow(t, false)
	if n != 1 {
		t.Fatalf("the server saw %d flushes, want 1", n)
	}
	if _, ok := fm.top().(deviceModel); !ok {
		t.Fatalf("ended on %T", fm.top())
	}
}

func TestFlowReadOnlyOffersNoFlush(t *testing.T) {
	t.Parallel()
	n, fm := flushFlow(t, true)
	if n != 0 {
		t.Fatalf("read-only mode flushed %d times", n)
	}
	if !bytes.Contains([]byte(ansi.Strip(fm.render())), []byte("READ-ONLY")) && !fm.quitting {
		t.Fatal("no read-only badge")
	}
}
