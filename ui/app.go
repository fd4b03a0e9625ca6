// Package ui is jamfops's terminal console, built on Bubble Tea v2.
package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// Model is the console's root: it routes messages to screens and draws the
// header, the status line and the help.
type Model struct {
	c         *common
	keys      globalKeyMap
	stack     []screen
	status    string
	statusErr bool
	help      help.Model
	palette   textinput.Model
	paletteOn bool
	// find is the device search box (the Find key, or :device alone).
	find     textinput.Model
	findOn   bool
	quitting bool
	initCmd  tea.Cmd
	// quitAsk is the question asked before quitting interrupts a job.
	quitAsk *confirmation
	// starting holds the IDs of jobs whose resume is on its way, so a
	// second R cannot start a second runner.
	starting map[string]bool
}

// New builds the console for deps.
func New(deps Deps) Model { return newModel(deps, &tagSource{}, &cacheWriter{}) }

// newModel builds the console drawing screen and request tags from tags
// and writing the risk cache through cache, both of which a profile switch
// carries over.
func newModel(deps Deps, tags *tagSource, cache *cacheWriter) Model {
	c := &common{deps: deps, isDark: true, jobs: map[string]*liveJob{}, tags: tags, cache: cache}
	c.styles = newStyles(true, deps.Accent)
	m := Model{c: c, keys: defaultGlobalKeyMap(), help: help.New(), starting: map[string]bool{}}
	m.palette = newInput(": ", "device TEXT · groups · computers · mobile · queue · jobs · risk · log · profile NAME · quit")
	m.palette.SetSuggestions(paletteCommands())
	m.palette.ShowSuggestions = true
	m.find = newInput("find device: ", "serial, name, user, email, UDID, management ID or asset tag; * is a wildcard")
	groups := newGroupsModel(c)
	m.initCmd = groups.load()
	m.stack = []screen{groups}
	return m
}

func paletteCommands() []string {
	return []string{"groups", "device", "computers", "mobile", "queue", "log", "audit", "profile", "risk", "jobs", "quit", "help"}
}

// Init implements tea.Model.
func (m Model) Init() tea.Cmd {
	client, ctx := m.c.deps.Jamf, m.c.deps.Ctx
	connect := func() tea.Msg {
		v, _, err := client.Auth.Version(ctx)
		if err != nil {
			return connectedMsg{err: err}
		}
		p, err := client.Auth.Privileges(ctx)
		return connectedMsg{version: v, privs: p, err: err}
	}
	return tea.Batch(tea.RequestBackgroundColor, connect, m.initCmd, unfinishedJobs(m.c.deps.JobsDir))
}

func (m Model) top() screen { return m.stack[len(m.stack)-1] }

func (m Model) bodyHeight() int { return max(3, m.c.height-3) }

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.palette.SetWidth(msg.Width - 4)
		m.find.SetWidth(msg.Width - 16)
		for i, s := range m.stack {
			m.stack[i] = s.resize(msg.Width, m.bodyHeight())
		}
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.isDark = msg.IsDark()
		m.c.styles = newStyles(m.c.isDark, m.c.deps.Accent)
		m.help.Styles = help.DefaultStyles(m.c.isDark)
		return m, nil
	case connectedMsg:
		if msg.err != nil {
			m.status, m.statusErr = "Connecting: "+humanError(msg.err), true
			return m, nil
		}
		m.c.version, m.c.privs = msg.version, msg.privs
		return m, nil
	case statusMsg:
		m.status, m.statusErr = msg.text, msg.isErr
		return m, nil
	case resumeRequestMsg:
		return m.requestResume(msg)
	case discardRequestMsg:
		return m.requestDiscard(msg)
	case jobDiscardedMsg:
		return m.discarded(msg)
	case quitConfirmedMsg:
		m.quitting = true
		return m, tea.Quit
	case jobStartedMsg:
		delete(m.starting, msg.id)
		if msg.err != nil {
			return m, reportError(msg.err)
		}
		m.c.jobs[msg.job.plan.ID] = msg.job
		nm, cmd := m.open(navigateMsg{to: screenJobs, jobID: msg.job.plan.ID})
		return nm, tea.Batch(cmd, waitJob(msg.job.plan.ID, msg.job.events))
	case jobEventMsg:
		var cmds []tea.Cmd
		if j := m.c.jobs[msg.id]; j != nil && j.apply(msg.ev, msg.close) {
			cmds = append(cmds, waitJob(msg.id, j.events))
		}
		for i, s := range m.stack {
			ns, cmd := s.step(msg)
			m.stack[i] = ns
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	case navigateMsg:
		return m.open(msg)
	case backMsg:
		m.popTo(len(m.stack) - 1)
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseWheelMsg:
		s, cmd := m.top().step(msg)
		m.stack[len(m.stack)-1] = s
		return m, cmd
	}
	if a, ok := msg.(addressed); ok {
		return m.deliver(a)
	}
	// Other messages (spinner ticks) go to every screen; each keeps its own.
	var cmds []tea.Cmd
	for i, s := range m.stack {
		ns, cmd := s.step(msg)
		m.stack[i] = ns
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.status, m.statusErr = "", false // any key clears the status line
	if cmd, ok := answerAsk(&m.quitAsk, msg); ok {
		return m, cmd
	}
	if msg.String() == "ctrl+c" {
		return m.askQuit()
	}
	if m.paletteOn {
		switch msg.String() {
		case "esc":
			m.paletteOn = false
			m.palette.Blur()
			return m, nil
		case "enter":
			m.paletteOn = false
			m.palette.Blur()
			line := strings.TrimSpace(m.palette.Value())
			m.palette.SetValue("")
			return m.runPalette(line)
		}
		var cmd tea.Cmd
		m.palette, cmd = m.palette.Update(msg)
		return m, cmd
	}
	if m.findOn {
		return m.findKey(msg)
	}
	if !m.top().capturing() {
		switch {
		case key.Matches(msg, m.keys.Find):
			return m.openFind()
		case key.Matches(msg, m.keys.Quit):
			return m.askQuit()
		case key.Matches(msg, m.keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			return m, nil
		case key.Matches(msg, m.keys.Palette):
			m.paletteOn = true
			return m, m.palette.Focus()
		case key.Matches(msg, m.keys.Audit):
			return m.open(navigateMsg{to: screenAudit})
		case key.Matches(msg, m.keys.Refresh):
			s, cmd := m.top().reload()
			m.stack[len(m.stack)-1] = s
			return m, cmd
		case key.Matches(msg, m.keys.Back) && len(m.stack) > 1 && !hasFilter(m.top()):
			left := m.top()
			m.popTo(len(m.stack) - 1)
			if w, ok := left.(writer); ok && w.wroteBelow() {
				s, cmd := m.top().reload()
				m.stack[len(m.stack)-1] = s
				return m, cmd
			}
			return m, nil
		}
	}
	s, cmd := m.top().step(msg)
	m.stack[len(m.stack)-1] = s
	return m, cmd
}

// hasFilter reports whether esc should clear the screen's filter first.
func hasFilter(s screen) bool {
	switch s := s.(type) {
	case groupsModel:
		return s.filter.value() != ""
	case membersModel:
		return s.filter.value() != ""
	case riskModel:
		return s.filter.value() != ""
	case auditModel:
		return s.filter.value() != ""
	}
	return false
}

// open pushes a screen and starts its load.
func (m Model) open(msg navigateMsg) (tea.Model, tea.Cmd) {
	var s screen
	switch msg.to {
	case screenGroups:
		m.popTo(1)
		return m, nil
	case screenMembers:
		if msg.all {
			s = newAllDevicesModel(m.c, msg.group.Kind)
		} else {
			s = newMembersModel(m.c, *msg.group)
		}
	case screenFind:
		s = newFindModel(m.c, msg.text)
	case screenCommand:
		s = newCommandModel(m.c, *msg.device, *msg.command, msg.entries)
	case screenDevice:
		s = newDeviceModel(m.c, *msg.device)
	case screenQueue:
		s = newQueueModel(m.c, msg.group, msg.devices, msg.label)
	case screenAudit:
		if _, ok := m.top().(auditModel); ok {
			return m, nil
		}
		s = newAuditModel(m.c)
	case screenPlan:
		s = newPlanModel(m.c, msg.devices, msg.label)
	case screenJobs:
		if jm, ok := m.top().(jobsModel); ok {
			jm.selected = msg.jobID
			jm.rebuild()
			m.stack[len(m.stack)-1] = jm
			return m, nil
		}
		s = newJobsModel(m.c, msg.jobID)
	case screenRisk:
		if _, ok := m.top().(riskModel); ok && msg.devices == nil {
			return m, nil
		}
		s = newRiskModel(m.c, msg.devices, msg.label)
	}
	if msg.replace != 0 && m.top().owner().id == msg.replace {
		m.popTo(len(m.stack) - 1)
	}
	s = s.resize(m.c.width, m.bodyHeight())
	s, cmd := s.reload()
	m.stack = append(m.stack, s)
	return m, cmd
}

// runPalette executes a ":" command.
func (m Model) runPalette(line string) (tea.Model, tea.Cmd) {
	word, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch strings.ToLower(word) {
	case "":
		return m, nil
	case "groups", "g":
		return m.open(navigateMsg{to: screenGroups})
	case "log", "audit":
		return m.open(navigateMsg{to: screenAudit})
	case "device", "find", "d":
		if arg == "" {
			return m.openFind()
		}
		return m.open(navigateMsg{to: screenFind, text: arg})
	case "computers":
		return m.open(navigateMsg{to: screenMembers, group: &ops.GroupSummary{Kind: jamf.PlatformComputer}, all: true})
	case "mobile", "mobiles":
		return m.open(navigateMsg{to: screenMembers, group: &ops.GroupSummary{Kind: jamf.PlatformMobile}, all: true})
	case "queue", "q":
		switch s := m.top().(type) {
		case membersModel:
			devices, label, why := s.selectionFor("queue")
			if why != nil {
				return m, why
			}
			return m.open(navigateMsg{to: screenQueue, devices: devices, label: label})
		case groupsModel:
			if g, ok := s.selected(); ok {
				return m.open(navigateMsg{to: screenQueue, group: &g})
			}
		case deviceModel:
			return m.open(navigateMsg{to: screenQueue, devices: []ops.Device{s.device}, label: s.device.Name})
		}
		return m, reportError(fmt.Errorf(":queue needs a group: open one first (or press Q on it)"))
	case "profile":
		return m.switchProfile(arg)
	case "risk":
		return m.open(navigateMsg{to: screenRisk})
	case "jobs":
		return m.open(navigateMsg{to: screenJobs})
	case "help":
		m.help.ShowAll = true
		return m, nil
	case "quit", "q!":
		return m.askQuit()
	}
	return m, reportError(fmt.Errorf("unknown command %q (try: %s)", word, strings.Join(paletteCommands(), ", ")))
}

// switchProfile reopens the console on another profile.
func (m Model) switchProfile(name string) (tea.Model, tea.Cmd) {
	if name == "" {
		if len(m.c.deps.Profiles) == 0 {
			return m, reportInfo("Profile %q. No other profiles are saved (jamfops login adds one).", m.c.deps.Profile)
		}
		return m, reportInfo("Profiles: %s. Switch with :profile NAME.", strings.Join(m.c.deps.Profiles, ", "))
	}
	if m.c.deps.Switch == nil {
		return m, reportError(fmt.Errorf("profiles cannot be switched in this session"))
	}
	if ids := m.runningJobs(); len(ids) > 0 {
		return m, reportError(fmt.Errorf("job %s is running on this profile: wait for it to end, or cancel it in :jobs, before switching", strings.Join(ids, ", ")))
	}
	deps, err := m.c.deps.Switch(name)
	if err != nil {
		return m, reportError(err)
	}
	if deps.Ctx == nil {
		deps.Ctx = m.c.deps.Ctx
	}
	if deps.Switch == nil {
		deps.Switch = m.c.deps.Switch
	}
	if deps.DiscardJob == nil {
		deps.DiscardJob = m.c.deps.DiscardJob
	}
	for _, s := range m.stack {
		s.owner().end() // the old profile's loads stop
	}
	nm := newModel(deps, m.c.tags, m.c.cache)
	nm.c.width, nm.c.height, nm.c.isDark = m.c.width, m.c.height, m.c.isDark
	nm.c.styles = newStyles(m.c.isDark, deps.Accent)
	nm.help.SetWidth(m.c.width)
	nm.stack[0] = nm.stack[0].resize(m.c.width, nm.bodyHeight())
	return nm, tea.Batch(nm.Init(), reportInfo("Switched to profile %q.", name))
}

// View implements tea.Model.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "jamfops · " + m.c.deps.Profile
	if jm, ok := m.top().(jobsModel); ok {
		v.ProgressBar = jm.nativeProgress()
	}
	return v
}

func (m Model) render() string {
	if m.quitting {
		return ""
	}
	footer := m.footer()
	// The full help takes lines from the bottom of the body.
	bodyH := max(1, min(m.bodyHeight(), m.c.height-1-strings.Count(footer, "\n")-1))
	view := m.top().View()
	if m.quitAsk != nil {
		view = m.quitAsk.View(&m.c.styles, m.c.width)
	}
	body := fitHeight(view, bodyH)
	return m.header() + "\n" + body + "\n" + footer
}

// fitHeight pads or cuts s to exactly h lines.
func fitHeight(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m Model) header() string {
	st := &m.c.styles
	profile := st.App.HeaderAccent.Render("jamfops · " + ops.Clean(m.c.deps.Profile))
	if m.c.deps.ReadOnly {
		profile += " " + st.App.ReadOnly.Render("READ-ONLY")
	}
	// Optional parts, dropped last first when the line is too narrow for
	// them and the breadcrumbs: the breadcrumbs say where you are.
	var extra []string
	if m.c.deps.Jamf != nil {
		extra = append(extra, st.App.Subtle.Render(m.c.deps.Jamf.BaseURL()))
	}
	if m.c.version != "" {
		extra = append(extra, st.App.Subtle.Render("Jamf Pro "+ops.Clean(strings.SplitN(m.c.version, "-", 2)[0])))
	}
	if m.c.deps.BasicAuth {
		extra = append(extra, st.App.Hint.Render("user login: an API client is the least-privilege path"))
	}
	crumbs := make([]string, len(m.stack))
	for i, s := range m.stack {
		crumbs[i] = s.title()
	}
	trail := strings.Join(crumbs, " › ")
	for len(extra) > 0 && lipgloss.Width(profile+" "+strings.Join(extra, " ")+"  "+trail) > m.c.width {
		extra = extra[:len(extra)-1]
	}
	left := strings.Join(append([]string{profile}, extra...), " ") + "  "
	room := m.c.width - lipgloss.Width(left)
	// Still too long: keep the last crumbs that fit.
	for i := 1; i < len(crumbs) && ansi.StringWidth(trail) > room; i++ {
		trail = "… › " + strings.Join(crumbs[i:], " › ")
	}
	return ansiTruncate(left+st.App.Bold.Render(trail), m.c.width)
}

func (m Model) footer() string {
	st := &m.c.styles
	if m.paletteOn {
		return m.palette.View() + "\n"
	}
	if m.findOn {
		return m.find.View() + "\n" + st.App.Subtle.Render("enter search · esc cancel")
	}
	status := ""
	switch {
	case m.status != "" && m.statusErr:
		status = st.App.Error.Render(wrapLines(m.status, m.c.width-2, 2))
	case m.status != "":
		status = st.App.Info.Render(wrapLines(m.status, m.c.width, 2))
	}
	h := helpKeys{screen: m.top(), global: m.keys}
	if m.help.ShowAll {
		lines := strings.Split(m.fullHelp(h), "\n")
		for i, l := range lines {
			lines[i] = ansiTruncate(l, m.c.width)
		}
		return status + "\n" + strings.Join(lines, "\n")
	}
	return status + "\n" + m.shortHelp(h)
}

// fullHelp is the key help's columns, in as many rows of columns as the
// width needs, so a narrow terminal shows every key instead of cutting the
// last columns to "…".
func (m Model) fullHelp(h helpKeys) string {
	full := m.help
	full.SetWidth(0) // uncut, to measure
	groups := h.FullHelp()
	if lipgloss.Width(full.FullHelpView(groups)) <= m.c.width || m.c.width <= 0 {
		return full.FullHelpView(groups)
	}
	var rows []string
	for start := 0; start < len(groups); {
		end := start + 1
		for end < len(groups) && lipgloss.Width(full.FullHelpView(groups[start:end+1])) <= m.c.width {
			end++
		}
		rows = append(rows, full.FullHelpView(groups[start:end]))
		start = end
	}
	return strings.Join(rows, "\n")
}

// shortHelp is the one-line help, cut to the width so that "? help" stays
// on screen (bubbles' help does not always cut a line that is just too long).
func (m Model) shortHelp(h helpKeys) string {
	full := m.help
	full.SetWidth(0) // uncut, to know whether it fits
	if line := full.ShortHelpView(h.ShortHelp()); lipgloss.Width(line) <= m.c.width {
		return line
	}
	// Drop keys from the end (the screen's first keys matter most) until
	// the line fits with "? help", which lists them all.
	keys := h.ShortHelp()
	keys = keys[:len(keys)-3] // find, help and quit
	more := full.ShortHelpView([]key.Binding{m.keys.Find, m.keys.Help})
	for ; len(keys) > 0; keys = keys[:len(keys)-1] {
		if line := full.ShortHelpView(keys) + " • " + more; lipgloss.Width(line) <= m.c.width {
			return line
		}
	}
	return ansiTruncate(more, m.c.width)
}

// helpKeys joins a screen's keys with the global ones for the help view.
type helpKeys struct {
	screen screen
	global globalKeyMap
}

func (h helpKeys) ShortHelp() []key.Binding {
	return append(h.screen.ShortHelp(), h.global.Back, h.global.Palette, h.global.Find, h.global.Help, h.global.Quit)
}

func (h helpKeys) FullHelp() [][]key.Binding {
	g := h.global
	// The global keys come first so that a narrow terminal cuts a
	// screen's last column rather than find, back or quit.
	return append([][]key.Binding{{g.Find, g.Refresh, g.Back, g.Palette, g.Audit, g.Help, g.Quit}}, h.screen.FullHelp()...)
}

// Privileges returns what the console learnt of the credential (for tests).
func (m Model) Privileges() *jamf.Privileges { return m.c.privs }
