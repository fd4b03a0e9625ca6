package ui

import (
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// followUpMsg is a follow-up job planned from a finished one (F).
type followUpMsg struct {
	from   uint64
	parent string
	plan   *mass.Plan
	pf     *mass.Preflight
	f      *mass.FollowUp
	err    error
}

func (m followUpMsg) addressee() uint64 { return m.from }

// jobCancelMsg asks the jobs screen to cancel a running job (after the
// confirmation), so that the screen, not the status line, says
// "cancelling" until the job has ended.
type jobCancelMsg struct {
	from uint64
	id   string
}

func (m jobCancelMsg) addressee() uint64 { return m.from }

// planFollowUp reads the finished job's devices and plans a job, linked to
// it, for those whose command failed or never got an answer; devices that
// still hold the command pending are skipped.
func (m jobsModel) planFollowUp(d mass.JobInfo) tea.Cmd {
	client, ctx, from := m.c.deps.Jamf, m.sc.ctx, m.sc.id
	p, st := d.Plan, d.State
	now := m.c.now()
	return func() tea.Msg {
		msg := followUpMsg{from: from, parent: p.ID}
		f, err := mass.FindFollowUp(ctx, client, p, st, mass.FollowUpOptions{})
		if err != nil {
			msg.err = err
			return msg
		}
		req, err := mass.FollowUpRequest(p, f, mass.FollowUpOptions{}, now)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.f = f
		msg.plan, msg.pf, msg.err = mass.Build(ctx, client, req)
		return msg
	}
}

// askFollowUp confirms a planned follow-up like a new job.
func (m jobsModel) askFollowUp(msg followUpMsg) (jobsModel, tea.Cmd) {
	if msg.err != nil {
		return m, reportError(fmt.Errorf("follow-up of job %s: %w", msg.parent, msg.err))
	}
	p, pf := msg.plan, msg.pf
	if len(pf.Missing) > 0 {
		return m, reportError(fmt.Errorf("the credential lacks %s", quoteJoin(pf.Missing)))
	}
	if pf.Send == 0 {
		return m, reportInfo("Job %s: the %s devices to follow up all still hold %s pending (or are skipped): nothing to send.",
			msg.parent, formatCount(pf.Total), p.Action.CommandType)
	}
	ctx, c := m.c.deps.Ctx, m.c
	onYes := func() tea.Msg { return startJob(ctx, c, p)() }
	title := fmt.Sprintf("Follow up job %s: send %s to %s devices?", msg.parent, actionWithParams(p.Action), formatCount(pf.Send))
	lines := []string{
		fmt.Sprintf("%s failed, %s unanswered; %s skipped (%s still hold the command pending).", formatCount(msg.f.Failed), formatCount(msg.f.Unanswered),
			formatCount(pf.Total-pf.Send), formatCount(pf.Duplicates)),
		fmt.Sprintf("%d requests, stages %s, the first job's knobs.", pf.Requests, mass.StagesText(pf.StageSizes)),
		"Server: " + ops.Clean(p.Server),
	}
	if msg.f.Gone > 0 {
		lines = append(lines, fmt.Sprintf("%s devices left out: no longer in Jamf Pro.", formatCount(msg.f.Gone)))
	}
	if !p.Action.Destructive() {
		m.ask = &confirmation{title: title, lines: lines, onYes: onYes}
		return m, nil
	}
	profile := m.c.deps.Profile
	var cmd tea.Cmd
	m.typed, cmd = newTypedAsk(title, lines, onYes,
		typedStep{prompt: fmt.Sprintf("%s is destructive. Type the number of devices (%s) and enter:", p.Action, formatCount(pf.Send)),
			accept: []string{strconv.Itoa(pf.Send), formatCount(pf.Send)}, miss: "the count did not match"},
		typedStep{prompt: fmt.Sprintf("Now type the profile name (%s) and enter:", ops.Clean(profile)),
			accept: []string{profile}, miss: "the profile name did not match"})
	return m, cmd
}
