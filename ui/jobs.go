package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

type jobsListedMsg struct {
	req  uint64
	from uint64
	jobs []mass.JobInfo
	err  error
}

type jobDetailMsg struct {
	req   uint64
	from  uint64
	id    string
	plan  *mass.Plan
	state *mass.State
	err   error
}

type jobsKeyMap struct {
	Pause, Cancel, GoAhead, Export, Results key.Binding
	Resume, FollowUp                        key.Binding
	list                                    listKeyMap
}

func defaultJobsKeyMap() jobsKeyMap {
	return jobsKeyMap{
		Pause:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		Cancel:   key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "cancel/discard")),
		GoAhead:  key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "go ahead")),
		Export:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export CSV+JSON")),
		Results:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "per-device results")),
		Resume:   key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resume")),
		FollowUp: key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "follow up failed/unanswered")),
		list:     defaultListKeyMap(),
	}
}

// jobsModel lists mass-action jobs and shows the selected one live.
type jobsModel struct {
	c        *common
	keys     jobsKeyMap
	disk     []mass.JobInfo
	ids      []string
	selected string
	list     table
	results  table
	filter   filterBox
	detail   *jobDetailMsg
	showRes  bool
	bar      progress.Model
	req      uint64
	sc       scope
	err      error
	ask      *confirmation
	typed    *typedAsk
}

func newJobsModel(c *common, focus string) jobsModel {
	m := jobsModel{c: c, sc: c.newScope(), keys: defaultJobsKeyMap(), selected: focus, bar: progress.New(progress.WithDefaultBlend(), progress.WithoutPercentage())}
	m.list = newTable(jobsColumns(120))
	m.results = newTable([]column{{title: "DEVICE", width: 0}, {title: "SERIAL", width: 12}, {title: "STATE", width: 10}, {title: "REASON", width: 0}})
	m.filter = newFilterBox("filter results by name, serial or state")
	return m
}

func (m *jobsModel) load() tea.Cmd {
	m.req = m.c.nextTag()
	req, from, dir := m.req, m.sc.id, m.c.deps.JobsDir
	return func() tea.Msg {
		if dir == "" {
			var err error
			if dir, err = mass.JobsDir(); err != nil {
				return jobsListedMsg{req: req, from: from, err: err}
			}
		}
		jobs, err := mass.ListJobs(dir)
		return jobsListedMsg{req: req, from: from, jobs: jobs, err: err}
	}
}

// rebuild merges live jobs with journals on disk, newest first.
func (m *jobsModel) rebuild() {
	seen := map[string]bool{}
	var ids []string
	live := make([]*liveJob, 0, len(m.c.jobs))
	for _, j := range m.c.jobs {
		live = append(live, j)
	}
	slices.SortFunc(live, func(a, b *liveJob) int { return b.began.Compare(a.began) })
	for _, j := range live {
		ids = append(ids, j.plan.ID)
		seen[j.plan.ID] = true
	}
	byID := map[string]mass.JobInfo{}
	for _, d := range m.disk {
		byID[d.Plan.ID] = d
		if !seen[d.Plan.ID] {
			ids = append(ids, d.Plan.ID)
		}
	}
	m.ids = ids
	jobs := m.c.jobs
	serverHost := m.serverName
	m.list.setData(len(ids), func(r, col int) string {
		id := ids[r]
		if j := jobs[id]; j != nil {
			e := j.last
			state := "running"
			switch {
			case j.ended:
				state = e.Note
			case j.paused:
				state = "paused"
			case e.Kind == mass.EvHold:
				state = "held" // the note is shown under the list
			case e.Kind == mass.EvWaiting:
				state = "waiting"
			}
			if j.cancelling && !j.ended {
				state = "cancelling…"
			}
			return []string{id, serverHost(j.plan.Server), j.plan.Action.String(), ops.Clean(j.plan.Label), formatCount(e.Sent), formatCount(e.Failed), formatCount(e.Pending), ops.Clean(state)}[col]
		}
		d := byID[id]
		c := d.State.Counts()
		return []string{id, serverHost(d.Plan.Server), d.Plan.Action.String(), ops.Clean(d.Plan.Label), formatCount(c[mass.StateSent]), formatCount(c[mass.StateFailed]),
			formatCount(c[mass.StatePending] + c[mass.StateUnknown]), ops.Clean(d.Status)}[col]
	}, func(r int) string { return ids[r] })
	if m.selected != "" {
		for i, id := range ids {
			if id == m.selected {
				m.list.cursor = i
			}
		}
		m.list.clamp()
	}
}

func (m jobsModel) current() *liveJob {
	id := m.list.selectedID()
	if id == "" {
		return nil
	}
	return m.c.jobs[id]
}

// loadDetail reads the selected job's journal for per-device results.
func (m *jobsModel) loadDetail() tea.Cmd {
	id := m.list.selectedID()
	if id == "" {
		return nil
	}
	m.req = m.c.nextTag()
	req, from, dir := m.req, m.sc.id, m.c.deps.JobsDir
	path := ""
	if j := m.c.jobs[id]; j != nil {
		path = j.journal.Path()
	}
	return func() tea.Msg {
		if path == "" {
			if dir == "" {
				dir, _ = mass.JobsDir()
			}
			path = dir + "/" + id + ".jsonl"
		}
		p, st, err := mass.ReadJournal(path)
		return jobDetailMsg{req: req, from: from, id: id, plan: p, state: st, err: err}
	}
}

func (m *jobsModel) rebuildResults() {
	d := m.detail
	if d == nil || d.plan == nil {
		m.results.setData(0, nil, nil)
		return
	}
	q := strings.ToLower(strings.TrimSpace(m.filter.value()))
	var view []int
	for i, t := range d.plan.Targets {
		state := d.state.Targets[i]
		if state == "" {
			state = "pending"
		}
		if q == "" || strings.Contains(strings.ToLower(t.Device.Name+" "+t.Device.Serial+" "+state), q) {
			view = append(view, i)
		}
	}
	m.results.setData(len(view), func(r, col int) string {
		i := view[r]
		t := d.plan.Targets[i]
		state := d.state.Targets[i]
		if state == "" {
			state = "pending"
		}
		return []string{ops.Clean(t.Device.Name), ops.Clean(t.Device.Serial), state, ops.Clean(d.state.Reasons[i])}[col]
	}, func(r int) string { return d.plan.Targets[view[r]].Device.ID })
}

func (m jobsModel) capturing() bool { return m.filter.editing || m.ask != nil || m.typed != nil }

func (m jobsModel) Update(msg tea.Msg) (jobsModel, tea.Cmd) {
	switch msg := msg.(type) {
	case jobsListedMsg:
		if msg.req == m.req {
			m.disk, m.err = msg.jobs, msg.err
			m.rebuild()
		}
		return m, nil
	case jobEventMsg:
		m.rebuild()
		if m.showRes && msg.ev.Kind != mass.EvProgress {
			return m, m.loadDetail()
		}
		return m, nil
	case jobDetailMsg:
		if msg.req == m.req {
			m.detail = &msg
			m.rebuildResults()
		}
		return m, nil
	case followUpMsg:
		return m.askFollowUp(msg)
	case jobCancelMsg:
		if j := m.c.jobs[msg.id]; j != nil && !j.ended {
			j.cancelling = true
			j.runner.Cancel()
			m.rebuild()
		}
		return m, nil
	case jobDiscardedMsg:
		if msg.err == nil {
			m.detail = nil
			return m, m.load()
		}
		return m, nil
	case tea.KeyPressMsg:
		if cmd, ok := answerAsk(&m.ask, msg); ok {
			return m, cmd
		}
		if cmd, ok := answerTyped(&m.typed, msg); ok {
			return m, cmd
		}
		if cmd, ok := m.filter.edit(msg, m.rebuildResults); ok {
			return m, cmd
		}
		if nm, cmd, ok := m.jobKey(msg); ok {
			return nm, cmd
		}
		switch {
		case key.Matches(msg, m.keys.Results, m.keys.Export) && m.list.selectedID() == "":
			return m, reportInfo("No job selected.")
		case key.Matches(msg, m.keys.Results):
			m.showRes = !m.showRes
			if m.showRes {
				return m, m.loadDetail()
			}
			return m, nil
		case key.Matches(msg, m.keys.Export):
			return m, m.export()
		case key.Matches(msg, m.keys.list.Filter) && m.showRes:
			return m, m.filter.start()
		}
	}
	if m.showRes {
		m.results.move(msg)
	} else if m.list.move(msg) {
		m.selected = m.list.selectedID()
		m.detail = nil
	}
	return m, nil
}

// export writes the selected job's per-device results next to its journal.
func (m jobsModel) export() tea.Cmd {
	id := m.list.selectedID()
	if id == "" {
		return nil
	}
	dir := m.c.deps.JobsDir
	return func() tea.Msg {
		if dir == "" {
			dir, _ = mass.JobsDir()
		}
		p, st, err := mass.ReadJournal(dir + "/" + id + ".jsonl")
		if err != nil {
			return statusMsg{text: humanError(err), isErr: true}
		}
		base, err := exportResults(dir, id, mass.Results(p, st))
		if err != nil {
			return statusMsg{text: humanError(err), isErr: true}
		}
		return statusMsg{text: "Exported to " + base + ".csv and .json"}
	}
}

// jobsColumns fits the job list to the width: on a narrow terminal the
// action is cut and the state keeps a fixed width, so it stays readable.
func jobsColumns(w int) []column {
	if w >= 100 {
		return []column{{title: "JOB", width: 22}, {title: "SERVER", width: 16, drop: 1}, {title: "ACTION", width: 20}, {title: "TARGET", width: 0}, {title: "SENT", width: 7, right: true},
			{title: "FAILED", width: 6, right: true}, {title: "LEFT", width: 6, right: true}, {title: "STATE", width: 0}}
	}
	// Narrow: no room for the server (the detail below names it).
	return []column{{title: "JOB", width: 22}, {title: "SERVER", width: 10, drop: 1}, {title: "ACTION", width: 12}, {title: "TARGET", width: 0}, {title: "SENT", width: 6, right: true},
		{title: "FAILED", width: 6, right: true}, {title: "LEFT", width: 6, right: true}, {title: "STATE", width: 12}}
}

func (m *jobsModel) setSize(w, h int) {
	m.list.cols = jobsColumns(w)
	m.list.setSize(w, max(4, h/3))
	// Narrow screens wrap the job's detail onto more lines (View).
	detail := 10
	if w < 110 {
		detail = 13
	}
	m.results.setSize(w, max(4, h-h/3-detail))
	m.bar.SetWidth(min(70, w-20))
	m.filter.setWidth(w - 4)
}

func (m jobsModel) title() string { return "Jobs" }

// progressValue is the share of the job's sendable devices with a final
// answer (sent or failed). Cancelled devices never got one: a cancelled
// job's bar stops where the sending stopped.
func progressValue(e mass.Event) float64 {
	total := e.Total - e.Skipped
	if total <= 0 {
		return 0
	}
	return float64(e.Sent+e.Failed) / float64(total)
}

func (m jobsModel) View() string {
	st := &m.c.styles
	top := st.App.Title.Render("Mass-action jobs") + st.App.Subtle.Render(fmt.Sprintf("  %s   %s", plural(len(m.ids), "job"), m.list.position()))
	if m.err != nil {
		return top + "\n\n  " + st.App.Error.Render("Could not list jobs") + " " + humanError(m.err)
	}
	if len(m.ids) == 0 {
		return top + "\n\n  No jobs yet. Mark devices on a group's members screen (or none for all) and press M to plan one."
	}
	var b strings.Builder
	b.WriteString(top + "\n" + m.list.View(st) + "\n")
	if m.ask != nil {
		return b.String() + m.ask.View(st, m.c.width)
	}
	if m.typed != nil {
		return b.String() + m.typed.View(st, m.c.width)
	}
	j := m.current()
	if j == nil {
		b.WriteString(st.App.Subtle.Render(indent(wrapLines(m.diskHint(), m.c.width-4, 2), "  ")) + "\n")
	} else {
		e := j.last
		head := []string{st.App.Bold.Render(j.plan.Action.String()) + " to " + ops.Clean(j.plan.Label), "on " + m.serverName(j.plan.Server),
			fmt.Sprintf("stage %d of %d", e.Stage+1, max(1, e.Stages))}
		b.WriteString("\n" + indent(packParts(head, max(20, m.c.width-4)), "  ") + "\n")
		b.WriteString("  " + m.bar.ViewAs(progressValue(e)) + fmt.Sprintf(" %3.0f%%\n", 100*progressValue(e)))
		backlog := "off"
		if j.plan.Knobs.BacklogLimit > 0 {
			backlog = fmt.Sprintf("~%d pending (limit %d)", e.Backlog, j.plan.Knobs.BacklogLimit)
		}
		// Lines break between their parts, never inside a number or a
		// word, so nothing is cut at 80 columns.
		width := max(20, m.c.width-4)
		counts := []string{"sent " + st.Status.Completed.Render(formatCount(e.Sent)), "failed " + st.Status.Failed.Render(formatCount(e.Failed)),
			"skipped " + formatCount(e.Skipped), "cancelled " + formatCount(e.Cancelled), "to send " + formatCount(e.Pending), j.etaText()}
		b.WriteString(indent(packParts(counts, width), "  ") + "\n")
		pace := []string{fmt.Sprintf("rate %.2f/s (ceiling %.1f)", e.Rate, j.plan.Knobs.Rate), fmt.Sprintf("concurrency ≤ %d", j.plan.Knobs.Concurrency), "backlog guard " + backlog}
		b.WriteString(st.App.Subtle.Render(indent(packParts(pace, width), "  ")) + "\n")
		state := "running"
		switch {
		case j.ended && j.cancelling:
			state = "ended: " + e.Note + " (cancelled by you; F follows up the devices not reached)"
		case j.ended:
			state = "ended: " + e.Note
		case j.cancelling:
			state = "cancelling: requests in flight finish, nothing more is sent"
		case j.paused:
			state = "paused (p resumes)"
		case e.Kind == mass.EvHold:
			state = "held: " + e.Note + " (g goes ahead)"
		case e.Kind == mass.EvWaiting:
			state = "" // the counts line says why it is not sending
		}
		if state != "" {
			b.WriteString(st.App.Hint.Render(indent(wrapLines(ops.Clean(state), width, 3), "  ")) + "\n")
		}
	}
	if m.showRes {
		b.WriteString(m.results.View(st))
		if m.filter.active() {
			b.WriteString("\n" + m.filter.View())
		}
	}
	return b.String()
}

func (m jobsModel) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Pause, m.keys.GoAhead, m.keys.Cancel, m.c.gated(m.keys.Resume), m.keys.Results, m.keys.Export}
}

func (m jobsModel) FullHelp() [][]key.Binding {
	t := m.list.keys
	return [][]key.Binding{m.ShortHelp(), {m.c.gated(m.keys.FollowUp), m.keys.list.Filter}, {t.Up, t.Down}}
}

// nativeProgress is the terminal progress indicator for the running job on
// screen, if any.
func (m jobsModel) nativeProgress() *tea.ProgressBar {
	j := m.current()
	if j == nil || j.ended {
		return nil
	}
	state := tea.ProgressBarDefault
	if j.paused || j.last.Kind == mass.EvHold {
		state = tea.ProgressBarWarning
	}
	return tea.NewProgressBar(state, int(100*progressValue(j.last)))
}

// serverName names a job's server in the list: the profile's name for the
// server this console is on, the host for any other.
func (m jobsModel) serverName(server string) string {
	here := m.c.deps.jamfServer()
	if m.c.deps.JSC != nil && strings.TrimSuffix(server, "/") == strings.TrimSuffix(m.c.deps.jscServer(), "/") {
		here = server
	}
	if strings.TrimSuffix(server, "/") == strings.TrimSuffix(here, "/") && m.c.deps.Profile != "" {
		return ops.Clean(m.c.deps.Profile)
	}
	return serverHost(server)
}
