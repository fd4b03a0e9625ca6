package ui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/ops/mass"
)

// quitConfirmedMsg quits after the user agreed to interrupt running jobs.
type quitConfirmedMsg struct{}

// runningJobs lists the jobs of this session that have not ended (running,
// paused or held), plus a JSC risk change in progress, by ID.
func (m Model) runningJobs() []string {
	var ids []string
	for id, j := range m.c.jobs {
		if !j.ended {
			ids = append(ids, id)
		}
	}
	for id := range m.starting {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, s := range m.stack {
		if r, ok := s.(riskModel); ok && r.stage == riskRunning {
			ids = append(ids, "(JSC risk change)")
		}
	}
	return ids
}

// askQuit quits, or first asks when quitting would interrupt a job.
func (m Model) askQuit() (tea.Model, tea.Cmd) {
	ids := m.runningJobs()
	if len(ids) == 0 {
		m.quitting = true
		return m, tea.Quit
	}
	what := "job " + ids[0] + " is"
	if len(ids) > 1 {
		what = "jobs " + strings.Join(ids, ", ") + " are"
	}
	resume := "jamfops mass resume " + ids[0] + "   (or R in :jobs)"
	if len(ids) > 1 || strings.HasPrefix(ids[0], "(") {
		resume = "jamfops mass resume ID   (or R in :jobs)"
	}
	if m.c.deps.ServerID != "" { // the demo: its jobs resume only in the demo
		resume = "R in :jobs, the next time you open the same demo"
	}
	m.quitAsk = &confirmation{
		title: "Quit while " + what + " running?",
		lines: []string{
			"The job will be interrupted: nothing more is sent, and requests in flight may end without an answer (the journal marks those devices unknown).",
			"Resume it later with: " + resume,
		},
		onYes: func() tea.Msg { return quitConfirmedMsg{} },
		onNo:  "Not quitting: " + what + " still running.",
	}
	return m, nil
}

// requestResume starts a resume unless the job is starting or running here.
func (m Model) requestResume(msg resumeRequestMsg) (tea.Model, tea.Cmd) {
	if j := m.c.jobs[msg.id]; j != nil && !j.ended {
		return m, reportError(fmt.Errorf("job %s is already running in this session", msg.id))
	}
	if m.starting[msg.id] {
		return m, reportError(fmt.Errorf("job %s is already starting: wait for it", msg.id))
	}
	m.starting[msg.id] = true
	return m, tea.Batch(reportInfo("Resuming job %s…", msg.id), resumeJob(m.c.deps.Ctx, m.c, msg.id, msg.path))
}

// requestDiscard discards an interrupted job unless it runs here.
func (m Model) requestDiscard(msg discardRequestMsg) (tea.Model, tea.Cmd) {
	if j := m.c.jobs[msg.id]; (j != nil && !j.ended) || m.starting[msg.id] {
		return m, reportError(fmt.Errorf("job %s is running in this session: C cancels it first", msg.id))
	}
	discard, dir, id := m.c.deps.DiscardJob, m.c.deps.JobsDir, msg.id
	if discard == nil {
		discard = mass.Discard // refuses a job another process is running
	}
	return m, func() tea.Msg {
		if dir == "" {
			var err error
			if dir, err = mass.JobsDir(); err != nil {
				return jobDiscardedMsg{id: id, err: err}
			}
		}
		return jobDiscardedMsg{id: id, err: discard(dir, id)}
	}
}

// discarded reports a discard and lets the jobs screens list again.
func (m Model) discarded(msg jobDiscardedMsg) (tea.Model, tea.Cmd) {
	report := reportInfo("Job %s discarded: its journal was deleted; nothing was sent.", msg.id)
	if msg.err != nil {
		report = reportError(fmt.Errorf("discarding job %s: %w", msg.id, msg.err))
	}
	cmds := []tea.Cmd{report}
	for i, s := range m.stack {
		ns, cmd := s.step(msg)
		m.stack[i] = ns
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}
