package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

type membersLoadedMsg struct {
	req     uint64
	from    uint64
	devices []ops.Device
	err     error
}

// countsMsg carries each member's pending and failed command counts.
type countsMsg struct {
	req     uint64
	from    uint64
	summary *ops.QueueSummary
	err     error
}

type blankPushDoneMsg struct {
	from       uint64
	ok, failed int
	err        error
}

type membersKeyMap struct {
	list                 listKeyMap
	Mark, MarkAll, Clear key.Binding
	Queue, BlankPush     key.Binding
	Risk                 key.Binding
	Mass                 key.Binding
}

func defaultMembersKeyMap() membersKeyMap {
	return membersKeyMap{
		list:      defaultListKeyMap(),
		Mark:      key.NewBinding(key.WithKeys("space", "x"), key.WithHelp("space", "mark")),
		MarkAll:   key.NewBinding(key.WithKeys("ctrl+a", "A"), key.WithHelp("A", "mark all shown")),
		Clear:     key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "clear marks")),
		Queue:     key.NewBinding(key.WithKeys("Q"), key.WithHelp("Q", "queue of selection")),
		BlankPush: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "blank push")),
		Risk:      key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "JSC risk of selection")),
		Mass:      key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "mass action on selection")),
	}
}

// membersModel lists a group's devices.
type membersModel struct {
	c       *common
	keys    membersKeyMap
	group   ops.GroupSummary
	devices []ops.Device
	search  []string // lower-case text per device for the filter
	counts  map[string][2]int
	view    []int
	marks   map[string]bool
	table   table
	filter  filterBox
	sortCol int
	desc    bool
	loading bool
	counted bool
	err     error
	req     uint64
	sc      scope
	spin    spinner.Model
	ask     *confirmation
}

func membersColumns() []column {
	return []column{{title: "NAME", width: 0}, {title: "SERIAL", width: 12}, {title: "MODEL", width: 0, drop: 2}, {title: "OS", width: 13},
		{title: "USER", width: 16, drop: 1}, {title: "CHECK-IN", width: 8, right: true}, {title: "PENDING", width: 7, right: true}, {title: "FAILED", width: 6, right: true}}
}

func newMembersModel(c *common, g ops.GroupSummary) membersModel {
	m := membersModel{c: c, sc: c.newScope(), keys: defaultMembersKeyMap(), group: g, marks: map[string]bool{}, counts: map[string][2]int{}, spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
	m.filter = newFilterBox("filter by name, serial, model, OS or user")
	m.table = newTable(membersColumns())
	m.table.marked = func(id string) bool { return m.marks[id] }
	return m
}

func (m *membersModel) load() tea.Cmd {
	m.req = m.c.nextTag()
	m.loading, m.err, m.counted = true, nil, false
	req, from, client, ctx, g := m.req, m.sc.id, m.c.deps.Jamf, m.sc.ctx, m.group
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		devs, err := ops.GroupMembers(ctx, client, g)
		return membersLoadedMsg{req: req, from: from, devices: devs, err: err}
	})
}

func (m membersModel) loadCounts() tea.Cmd {
	req, from, client, ctx, devs, now := m.req, m.sc.id, m.c.deps.Jamf, m.sc.ctx, m.devices, m.c.now()
	if m.c.privs.Missing(jamf.PrivViewMDMCommands) != nil {
		return nil
	}
	return func() tea.Msg {
		s, err := ops.AnalyseQueue(ctx, client, devs, now, nil)
		return countsMsg{req: req, from: from, summary: s, err: err}
	}
}

// sortValue is the comparable value of column col for device d.
func (m *membersModel) less(a, b int) int {
	da, db := m.devices[a], m.devices[b]
	var c int
	switch m.sortCol {
	case 1:
		c = strings.Compare(da.Serial, db.Serial)
	case 2:
		c = strings.Compare(da.Model, db.Model)
	case 3:
		c = strings.Compare(da.OS, db.OS)
	case 4:
		c = strings.Compare(da.User, db.User)
	case 5:
		c = timeOrZero(da.LastCheckIn).Compare(timeOrZero(db.LastCheckIn))
	case 6:
		c = m.counts[da.ID][0] - m.counts[db.ID][0]
	case 7:
		c = m.counts[da.ID][1] - m.counts[db.ID][1]
	default:
		c = strings.Compare(strings.ToLower(da.Name), strings.ToLower(db.Name))
	}
	if m.desc {
		return -c
	}
	return c
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func (m *membersModel) rebuild() {
	q := strings.ToLower(strings.TrimSpace(m.filter.value()))
	view := make([]int, 0, len(m.devices))
	for i := range m.devices {
		if q == "" || strings.Contains(m.search[i], q) {
			view = append(view, i)
		}
	}
	slices.SortStableFunc(view, m.less)
	m.view = view
	devs, counts, counted, now := m.devices, m.counts, m.counted, m.c.now()
	m.table.setData(len(view), func(r, col int) string {
		d := &devs[view[r]]
		switch col {
		case 0:
			return ops.Clean(d.Name)
		case 1:
			return ops.Clean(d.Serial)
		case 2:
			return ops.Clean(d.Model)
		case 3:
			return ops.Clean(d.OS)
		case 4:
			return ops.Clean(d.User)
		case 5:
			return formatAge(d.LastCheckIn, now)
		}
		if !counted {
			return "…"
		}
		return fmt.Sprint(counts[d.ID][col-6])
	}, func(r int) string { return devs[view[r]].ID })
}

// targets returns the marked devices, or the one under the cursor.
func (m membersModel) targets() []ops.Device {
	var out []ops.Device
	for _, d := range m.devices {
		if m.marks[d.ID] {
			out = append(out, d)
		}
	}
	if len(out) == 0 && m.table.n > 0 {
		out = append(out, m.devices[m.view[m.table.cursor]])
	}
	return out
}

// selection is what an action from the list acts on: the marked rows,
// else the rows the filter shows, else the whole group; the label says
// which ("12 filtered devices of Sales Macs").
func (m membersModel) selection() ([]ops.Device, string) {
	var marked []ops.Device
	for _, d := range m.devices {
		if m.marks[d.ID] {
			marked = append(marked, d)
		}
	}
	switch {
	case len(marked) > 0:
		return marked, fmt.Sprintf("%s marked devices of %s", formatCount(len(marked)), m.group.Name)
	case strings.TrimSpace(m.filter.value()) != "":
		shown := make([]ops.Device, len(m.view))
		for r, i := range m.view {
			shown[r] = m.devices[i]
		}
		return shown, fmt.Sprintf("%s filtered devices of %s", formatCount(len(shown)), m.group.Name)
	}
	return m.devices, "group " + m.group.Name
}

// selectionFor is the selection for an action, or why there is none.
func (m membersModel) selectionFor(action string) ([]ops.Device, string, tea.Cmd) {
	targets, label := m.selection()
	if len(targets) == 0 {
		return nil, "", reportError(fmt.Errorf("%s: the filter shows no devices (esc clears it)", action))
	}
	return targets, label, nil
}

func (m membersModel) capturing() bool { return m.filter.editing || m.ask != nil }

func (m membersModel) Update(msg tea.Msg) (membersModel, tea.Cmd) {
	switch msg := msg.(type) {
	case membersLoadedMsg:
		if msg.req != m.req {
			return m, nil
		}
		m.loading, m.err = false, msg.err
		if msg.err != nil {
			return m, nil
		}
		m.devices = msg.devices
		m.search = make([]string, len(m.devices))
		for i, d := range m.devices {
			m.search[i] = strings.ToLower(ops.Clean(d.Name + " " + d.Serial + " " + d.Model + " " + d.OS + " " + d.User))
		}
		m.rebuild()
		return m, m.loadCounts()
	case countsMsg:
		if msg.req != m.req {
			return m, nil
		}
		if msg.err != nil {
			return m, reportError(fmt.Errorf("reading command counts: %w", msg.err))
		}
		counts := map[string][2]int{}
		for _, s := range msg.summary.Stuck {
			counts[s.Device.ID] = [2]int{s.Pending, s.Failed}
		}
		m.counts, m.counted = counts, true
		m.rebuild()
		return m, nil
	case blankPushDoneMsg:
		if msg.err != nil {
			return m, reportError(msg.err)
		}
		return m, reportInfo("Blank push sent to %d devices (%d failed). Recorded in the audit log.", msg.ok, msg.failed)
	case spinner.TickMsg:
		return m, tickSpinner(&m.spin, m.loading, msg)
	case tea.KeyPressMsg:
		if cmd, ok := answerAsk(&m.ask, msg); ok {
			return m, cmd
		}
		if cmd, ok := m.filter.edit(msg, m.rebuild); ok {
			return m, cmd
		}
		switch {
		case key.Matches(msg, m.keys.list.Filter):
			return m, m.filter.start()
		case key.Matches(msg, m.keys.Mark):
			m.table.toggleMark(m.marks)
			return m, nil
		case key.Matches(msg, m.keys.MarkAll):
			for _, i := range m.view {
				m.marks[m.devices[i].ID] = true
			}
			return m, reportInfo("%s devices marked.", formatCount(len(m.marks)))
		case key.Matches(msg, m.keys.Clear):
			clear(m.marks)
			return m, reportInfo("Marks cleared.")
		case key.Matches(msg, m.keys.list.Sort):
			m.sortCol = (m.sortCol + 1) % len(m.table.cols)
			m.rebuild()
			return m, reportInfo("Sorted by %s.", strings.ToLower(m.table.cols[m.sortCol].title))
		case key.Matches(msg, m.keys.list.Reverse):
			m.desc = !m.desc
			m.rebuild()
			return m, nil
		case key.Matches(msg, m.keys.list.Open):
			if m.table.n > 0 {
				d := m.devices[m.view[m.table.cursor]]
				return m, navigate(navigateMsg{to: screenDevice, device: &d})
			}
			return m, nil
		case key.Matches(msg, m.keys.Queue):
			targets, label, why := m.selectionFor("queue")
			if why != nil {
				return m, why
			}
			return m, navigate(navigateMsg{to: screenQueue, devices: targets, label: label})
		case key.Matches(msg, m.keys.Mass):
			if why := m.c.writeBlocked(); why != "" {
				return m, reportError(fmt.Errorf("mass actions are not available: %s", why))
			}
			targets, label, why := m.selectionFor("mass action")
			if why != nil {
				return m, why
			}
			return m, navigate(navigateMsg{to: screenPlan, devices: targets, label: label})
		case key.Matches(msg, m.keys.Risk):
			targets, label, why := m.selectionFor("JSC risk")
			if why != nil {
				return m, why
			}
			return m, navigate(navigateMsg{to: screenRisk, devices: targets, label: label})
		case key.Matches(msg, m.keys.BlankPush):
			if why := m.c.writeBlocked(jamf.PrivViewMDMCommands); why != "" {
				return m, reportError(fmt.Errorf("blank push is not available: %s", why))
			}
			targets := m.targets()
			if len(targets) == 0 {
				return m, nil
			}
			// A write runs on the console's context: leaving the screen
			// must not abandon it half-way.
			actor, ctx, from := m.c.actor(), m.c.deps.Ctx, m.sc.id
			m.ask = &confirmation{
				title: fmt.Sprintf("Send a blank push to %s devices?", formatCount(len(targets))),
				lines: []string{describeTargets(targets), "Devices that are online will check in and fetch their pending commands."},
				onYes: func() tea.Msg {
					ok, failed, err := actor.BlankPush(ctx, targets)
					return blankPushDoneMsg{from: from, ok: ok, failed: failed, err: err}
				},
			}
			return m, nil
		}
	}
	m.table.move(msg)
	return m, nil
}

// describeTargets names up to three devices and counts the rest.
func describeTargets(devs []ops.Device) string {
	var names []string
	for i, d := range devs {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %s more", formatCount(len(devs)-3)))
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", ops.Clean(d.Name), ops.Clean(d.Serial)))
	}
	return "Target: " + strings.Join(names, ", ")
}

func (m *membersModel) setSize(w, h int) { m.table.setSize(w, h-2); m.filter.setWidth(w - 4) }

func (m membersModel) title() string { return "Members · " + ops.Clean(m.group.Name) }

func (m membersModel) View() string {
	st := &m.c.styles
	kind := "computer"
	if m.group.Kind == jamf.PlatformMobile {
		kind = "mobile device"
	}
	top := st.App.Title.Render(ops.Clean(m.group.Name)) + st.App.Subtle.Render(fmt.Sprintf("  %s group · %s devices", kind, formatCount(len(m.devices))))
	if len(m.marks) > 0 {
		top += st.Table.Marked.Render(fmt.Sprintf(" · %s marked", formatCount(len(m.marks))))
	}
	if !m.counted && !m.loading && m.err == nil && m.c.privs.Missing(jamf.PrivViewMDMCommands) == nil {
		top += st.App.Subtle.Render(" · counting commands…")
	}
	top += st.App.Subtle.Render("   " + m.table.position())
	switch {
	case m.loading && m.devices == nil:
		return top + "\n\n  " + m.spin.View() + " Loading members…"
	case m.err != nil:
		return top + "\n\n  " + st.App.Error.Render("Could not load members") + "\n  " + humanError(m.err) + "\n\n  " + st.App.Subtle.Render("press r to retry")
	}
	if m.ask != nil {
		return top + "\n" + m.ask.View(st, m.c.width)
	}
	body := m.table.View(st)
	if m.filter.active() {
		body += "\n" + m.filter.View()
	}
	return top + "\n" + body
}

func (m membersModel) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.list.Open, m.keys.Mark, m.keys.list.Filter, m.keys.list.Sort, m.keys.Queue, m.c.gated(m.keys.BlankPush, jamf.PrivViewMDMCommands)}
}

func (m membersModel) FullHelp() [][]key.Binding {
	t := m.table.keys
	return [][]key.Binding{{m.keys.list.Open, m.keys.Queue, m.keys.Risk, m.c.gated(m.keys.Mass), m.c.gated(m.keys.BlankPush, jamf.PrivViewMDMCommands)}, {m.keys.Mark, m.keys.MarkAll, m.keys.Clear}, {m.keys.list.Filter, m.keys.list.Sort, m.keys.list.Reverse}, {t.Up, t.Down, t.PageUp, t.PageDown, t.Top, t.Bottom}}
}
