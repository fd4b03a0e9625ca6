package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops/mass"
)

// TestGuardGoldenViews renders the questions of the console guards at a
// small and a large size, so that each is on screen whole.
// Update with: go test ./ui -run TestGuardGoldenViews -update
func TestGuardGoldenViews(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, jamftest.Options{Computers: 40, MobileDevices: 10}, "", "")
			p := savedJob(t, f, "ERASE_DEVICE")
			view := func(m tea.Model) string {
				return strings.ReplaceAll(screenText(m, f.srv), p.ID, "YYYYMMDD-hhmmss-xxxxxx")
			}
			// Starting a plan: the question replaces the form.
			m := start(t, f.deps, size[0], size[1])
			m = press(t, m, "enter")
			t.Run("members", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = press(t, m, "M", "P", "S")
			t.Run("plan-confirm", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = press(t, m, "esc")
			// :jobs with the interrupted job, then R and C on it.
			m = press(t, m, ":")
			m = typeText(t, m, "jobs")
			m = press(t, m, "enter")
			t.Run("jobs-interrupted", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = press(t, m, "R")
			t.Run("resume-typed", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = press(t, m, "esc", "C")
			t.Run("discard-typed", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = press(t, m, "esc", "g")
			t.Run("why-status", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			// Quitting while a job of this session runs.
			mm := m.(Model)
			mm.c.jobs[p.ID] = &liveJob{plan: p, last: mass.Event{Total: 40}}
			m = press(t, mm, "q")
			t.Run("quit-ask", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
		})
	}
}

// After a start, the plan screen does not start the same plan again.
func TestPlanStartsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 40, MobileDevices: 10}, "", "")
	m := planFor(t, f)
	m = setField(t, m, fStages, "100%")
	m = setField(t, m, fSkipOffline, "0")
	m = press(t, m, "P", "S", "y")
	if _, ok := topOf(m).(jobsModel); !ok {
		t.Fatalf("after the start: %T", topOf(m))
	}
	m = press(t, m, "esc", "S")
	if !strings.Contains(status(m), "preflight first") {
		t.Fatalf("S on a used plan: %q", status(m))
	}
	jobs, _ := mass.ListJobs(f.deps.JobsDir)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(jobs))
	}
}

// TestLiveJobDetailIsWholeAt80Columns: the live job's counts, pace and
// reason for not sending break between their parts at 80 columns, so no
// word or number is cut off the screen.
func TestLiveJobDetailIsWholeAt80Columns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 40, MobileDevices: 10}, "", "")
	p := savedJob(t, f, "RESTART_DEVICE")
	m := start(t, f.deps, 80, 24)
	mm := m.(Model)
	note := "stage 1 done; watching its outcome for 2m0s"
	mm.c.jobs[p.ID] = &liveJob{plan: p, last: mass.Event{Kind: mass.EvWaiting, Total: 12345, Sent: 1234, Pending: 11111, Skipped: 29, Rate: 2, Note: note}}
	m = press(t, mm, ":")
	m = typeText(t, m, "jobs")
	m = press(t, m, "enter")
	view := screenText(m, f.srv)
	for _, line := range strings.Split(view, "\n") {
		if ansi.StringWidth(line) > 80 {
			t.Fatalf("a line of %d columns is cut by an 80-column terminal: %q", ansi.StringWidth(line), line)
		}
	}
	flat := strings.Join(strings.Fields(view), " ")
	for _, want := range []string{"to send 11,111", "not sending: " + note, "backlog guard off", "concurrency ≤ "} {
		if !strings.Contains(flat, want) {
			t.Fatalf("%q is cut at 80 columns:\n%s", want, view)
		}
	}
}

// TestPreflightIsOnScreenAt80x24: after P the preflight comes before the
// form, whole, within an 80×24 terminal.
func TestPreflightIsOnScreenAt80x24(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 400, MobileDevices: 10}, "", "")
	m := start(t, f.deps, 80, 24)
	m = press(t, m, "enter", "M", "P")
	lines := strings.Split(screenText(m, f.srv), "\n")
	if len(lines) > 24 {
		lines = lines[:24] // what the terminal shows
	}
	for _, line := range lines {
		if ansi.StringWidth(line) > 80 {
			t.Fatalf("a line of %d columns: %q", ansi.StringWidth(line), line)
		}
	}
	shown := strings.Join(strings.Fields(strings.Join(lines, "\n")), " ")
	for _, want := range []string{"Preflight (nothing sent yet)", "to send", "requests in stages", "first stage (in list order): ", "privileges: View MDM command information in Jamf Pro API — held"} {
		if !strings.Contains(shown, want) {
			t.Fatalf("%q is not on an 80×24 screen:\n%s", want, strings.Join(lines, "\n"))
		}
	}
}

// TestFullHelpShowsEveryKeyAt80Columns: "?" on an 80-column terminal lays
// the help's columns out in rows instead of cutting the last ones to "…".
func TestFullHelpShowsEveryKeyAt80Columns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 40, MobileDevices: 10}, "", "")
	m := start(t, f.deps, 80, 24)
	m = press(t, m, "enter", "?")
	view := screenText(m, f.srv)
	h := helpKeys{screen: topOf(m), global: m.(Model).keys}
	for _, group := range h.FullHelp() {
		for _, b := range group {
			if d := b.Help().Desc; d != "" && b.Enabled() && !strings.Contains(view, d) {
				t.Fatalf("%q (%s) is not in the help at 80 columns:\n%s", d, b.Help().Key, view)
			}
		}
	}
}
