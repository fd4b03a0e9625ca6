package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
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
