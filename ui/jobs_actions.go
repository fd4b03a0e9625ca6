package ui

import (
	"fmt"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// resumeRequestMsg asks the root to resume a job from its journal. The root
// owns the in-flight set, so a second request for a job that is starting
// or running is refused there, whichever screen sent it.
type resumeRequestMsg struct{ id, path string }

// discardRequestMsg asks the root to discard an interrupted job.
type discardRequestMsg struct{ id string }

// jobDiscardedMsg reports a discard to the root and the jobs screens.
type jobDiscardedMsg struct {
	id  string
	err error
}

// jobStatus is what the jobs screen knows of the selected job.
type jobStatus struct {
	id       string
	live     *liveJob      // started in this session (nil otherwise)
	disk     *mass.JobInfo // its journal as last listed (nil if not listed)
	running  bool          // live and not ended
	ended    string        // why it ended ("" while it can go on)
	heldDisk bool          // held on disk, not running here
}

// status describes the selected job.
func (m jobsModel) status() (jobStatus, bool) {
	id := m.list.selectedID()
	if id == "" {
		return jobStatus{}, false
	}
	s := jobStatus{id: id, live: m.c.jobs[id]}
	for i := range m.disk {
		if m.disk[i].Plan.ID == id {
			s.disk = &m.disk[i]
		}
	}
	switch {
	case s.live != nil && !s.live.ended:
		s.running = true
	case s.live != nil && s.live.last.Kind == mass.EvDone:
		s.ended = ops.Clean(s.live.last.Note)
	case s.disk != nil && s.disk.State.Ended != "":
		s.ended = ops.Clean(s.disk.State.Ended)
	case s.disk != nil && s.disk.State.Held >= 0:
		s.heldDisk = true
	}
	return s, true
}

// jobKey handles the keys that act on the selected job. Keys that cannot
// act now say why in the status line.
func (m jobsModel) jobKey(msg tea.KeyPressMsg) (jobsModel, tea.Cmd, bool) {
	k := m.keys
	if !key.Matches(msg, k.Pause, k.GoAhead, k.Cancel, k.Resume, k.FollowUp) {
		return m, nil, false
	}
	s, ok := m.status()
	if !ok {
		return m, reportInfo("No job selected."), true
	}
	j := s.live
	switch {
	case key.Matches(msg, k.Pause):
		switch {
		case s.running:
			if j.paused {
				j.runner.Resume()
			} else {
				j.runner.Pause()
			}
			j.paused = !j.paused
			m.rebuild()
			return m, reportInfo("Job %s %s.", s.id, map[bool]string{true: "paused: requests in flight finish, nothing new is sent", false: "resumed"}[j.paused]), true
		case s.ended != "":
			return m, reportInfo("Job %s has ended (%s): nothing to pause.", s.id, s.ended), true
		}
		return m, reportInfo("Job %s is not running here: R resumes it.", s.id), true
	case key.Matches(msg, k.GoAhead):
		switch {
		case s.running && j.last.Kind == mass.EvHold:
			j.runner.GoAhead()
			return m, reportInfo("Go-ahead given: the next stage starts."), true
		case s.running && j.cancelling:
			return m, reportInfo("Job %s is being cancelled: there is no next stage.", s.id), true
		case s.running && j.last.Kind == mass.EvWaiting:
			return m, reportInfo("Job %s is not held yet (%s): g works once the stage waits for a go-ahead.", s.id, ops.Clean(j.last.Note)), true
		case s.running:
			return m, reportInfo("Job %s is not held: g works when a stage waits for a go-ahead.", s.id), true
		case s.ended != "":
			return m, reportInfo("Job %s is not held: it has ended (%s).", s.id, s.ended), true
		case s.heldDisk:
			return m, reportInfo("Job %s is held, not running here: R resumes it, then g.", s.id), true
		}
		return m, reportInfo("Job %s is not held: it was interrupted; R resumes it.", s.id), true
	case key.Matches(msg, k.Cancel):
		switch {
		case s.running && j.cancelling:
			return m, reportInfo("Job %s is already being cancelled: requests in flight finish.", s.id), true
		case s.running:
			msg := jobCancelMsg{from: m.sc.id, id: s.id}
			m.ask = &confirmation{title: fmt.Sprintf("Cancel job %s?", s.id), lines: []string{"Requests in flight finish; nothing more is sent. Devices not yet sent to are marked cancelled."},
				onYes: func() tea.Msg { return msg }}
			return m, nil, true
		case s.ended != "":
			return m, reportInfo("Job %s has ended (%s): nothing to cancel; F follows up its failed or unanswered devices.", s.id, s.ended), true
		case s.disk == nil:
			return m, reportInfo("Job %s has no journal listed: r refreshes the list.", s.id), true
		}
		return m.askDiscard(*s.disk)
	}
	if key.Matches(msg, k.FollowUp) {
		return m.followUpKey(s)
	}
	// Resume.
	if why := m.c.writeBlocked(); why != "" {
		return m, reportError(fmt.Errorf("resuming is not available: %s", why)), true
	}
	switch {
	case s.running:
		return m, reportInfo("Job %s is running here: p pauses it, C cancels it.", s.id), true
	case s.ended != "":
		return m, reportInfo("Job %s has ended (%s): nothing to resume.", s.id, s.ended), true
	case s.disk == nil:
		return m, reportInfo("Job %s has no journal listed: r refreshes the list.", s.id), true
	}
	return m.askResume(*s.disk)
}

// askResume confirms a resume as a new job is confirmed: the count of
// devices left and the profile typed for destructive commands, y otherwise.
func (m jobsModel) askResume(d mass.JobInfo) (jobsModel, tea.Cmd, bool) {
	m.selected = d.Plan.ID
	if err := notHere(m.c.deps, d.Plan); err != nil {
		return m, reportError(fmt.Errorf("%w: it cannot be resumed here (C discards it)", err)), true
	}
	c := d.State.Counts()
	left := c[mass.StatePending] + c[mass.StateUnknown]
	req := resumeRequestMsg{id: d.Plan.ID, path: d.Path}
	onYes := func() tea.Msg { return req }
	title := fmt.Sprintf("Resume %s to %s devices?", d.Plan.Action, formatCount(left))
	lines := []string{
		fmt.Sprintf("Job %s · %s · %s", d.Plan.ID, ops.Clean(d.Plan.Label), ops.Clean(d.Status)),
		fmt.Sprintf("Before: %s sent, %s failed, %s with no recorded answer.",
			formatCount(c[mass.StateSent]), formatCount(c[mass.StateFailed]), formatCount(c[mass.StateUnknown])),
		"Server: " + ops.Clean(d.Plan.Server),
	}
	if !d.Plan.Action.Destructive() {
		m.ask = &confirmation{title: title, lines: lines, onYes: onYes}
		return m, nil, true
	}
	profile := m.c.deps.Profile
	var cmd tea.Cmd
	m.typed, cmd = newTypedAsk(title, lines, onYes,
		typedStep{prompt: fmt.Sprintf("%s is destructive. Type the number of devices left (%s) and enter:", d.Plan.Action, formatCount(left)),
			accept: []string{strconv.Itoa(left), formatCount(left)}, miss: "the count did not match"},
		typedStep{prompt: fmt.Sprintf("Now type the profile name (%s) and enter:", ops.Clean(profile)),
			accept: []string{profile}, miss: "the profile name did not match"})
	return m, cmd, true
}

// askDiscard confirms discarding an interrupted job: its ID or "discard" typed.
func (m jobsModel) askDiscard(d mass.JobInfo) (jobsModel, tea.Cmd, bool) {
	c := d.State.Counts()
	id := d.Plan.ID
	req := discardRequestMsg{id: id}
	var cmd tea.Cmd
	m.typed, cmd = newTypedAsk(fmt.Sprintf("Discard job %s?", id),
		[]string{
			fmt.Sprintf("%s to %s · %s", d.Plan.Action, ops.Clean(d.Plan.Label), ops.Clean(d.Status)),
			fmt.Sprintf("Nothing is sent. Its journal is deleted, so the %s devices not yet sent to (%s with a lost answer) can no longer be resumed or exported.",
				formatCount(c[mass.StatePending]+c[mass.StateUnknown]), formatCount(c[mass.StateUnknown])),
		},
		func() tea.Msg { return req },
		typedStep{prompt: `To discard, type the job ID or "discard" and enter:`, accept: []string{id, "discard"}, miss: "the answer did not match the job ID or \"discard\""})
	return m, cmd, true
}

// diskHint says what can be done with a job not running in this session.
func (m jobsModel) diskHint() string {
	s, ok := m.status()
	if !ok {
		return ""
	}
	on := ""
	if s.disk != nil {
		on = " on " + m.serverName(s.disk.Plan.Server)
	}
	switch {
	case s.ended != "":
		return "Ended" + on + " (" + s.ended + "): d shows per-device results, e exports them, F follows up the failed or unanswered devices."
	case s.heldDisk:
		return "Held" + on + ", not running here: R resumes it (then g), C discards it, d per-device results."
	}
	return "Interrupted" + on + ": R resumes it, C discards it, d shows per-device results."
}

// followUpKey plans a follow-up of a finished command job, or says why not.
func (m jobsModel) followUpKey(s jobStatus) (jobsModel, tea.Cmd, bool) {
	if why := m.c.writeBlocked(); why != "" {
		return m, reportError(fmt.Errorf("follow-ups are not available: %s", why)), true
	}
	switch {
	case s.running:
		return m, reportInfo("Job %s is still running: F follows up once it has ended.", s.id), true
	case s.disk == nil:
		return m, reportInfo("Job %s has no journal listed yet: F works once the list shows it ended.", s.id), true
	case s.disk.State.Ended == "":
		return m, reportInfo("Job %s has not ended (%s): R resumes it; F follows up once it has ended.", s.id, ops.Clean(s.disk.Status)), true
	case s.disk.Plan.Action.Kind != mass.KindCommand:
		return m, reportInfo("Job %s sent %s: it leaves no answer to check, so it cannot be followed up.", s.id, s.disk.Plan.Action), true
	}
	if err := notHere(m.c.deps, s.disk.Plan); err != nil {
		return m, reportError(err), true
	}
	return m, tea.Batch(reportInfo("Reading the devices of job %s…", s.id), m.planFollowUp(*s.disk)), true
}
