package ui

import (
	"fmt"
	"runtime/debug"
	"strings"

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
	// idx is built with the load, off the UI's goroutine (nil: build it).
	idx *memberIndex
	err error
}

// countsMsg carries each member's pending and failed command counts.
type countsMsg struct {
	req     uint64
	from    uint64
	summary *ops.QueueSummary
	// asked are the devices counted (a lazy count covers only some).
	asked []ops.Device
	// askedAt are their positions in the screen's devices.
	askedAt []int
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
	idx     memberIndex
	counts  map[string][2]int
	// known are the devices whose counts arrived; asked, those asked for.
	known map[string]bool
	asked map[string]bool
	// all is true for a whole-inventory list (All computers, All mobile devices).
	all     bool
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
	m := membersModel{c: c, sc: c.newScope(), keys: defaultMembersKeyMap(), group: g, marks: map[string]bool{}, counts: map[string][2]int{}, known: map[string]bool{}, asked: map[string]bool{}, spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
	m.filter = newFilterBox("filter by name, serial, model, OS or user")
	m.table = newTable(membersColumns())
	m.table.marked = func(id string) bool { return m.marks[id] }
	return m
}

func (m *membersModel) load() tea.Cmd {
	m.req = m.c.nextTag()
	m.loading, m.err, m.counted = true, nil, false
	clear(m.known)
	clear(m.asked)
	req, from, client, ctx, g, all := m.req, m.sc.id, m.c.deps.Jamf, m.sc.ctx, m.group, m.all
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		var devs []ops.Device
		var err error
		if all {
			devs, err = inventory(ctx, client, g.Kind)
		} else {
			devs, err = ops.GroupMembers(ctx, client, g)
		}
		if err != nil {
			return membersLoadedMsg{req: req, from: from, err: err}
		}
		idx := newMemberIndex(devs)
		if len(devs) > countAllLimit {
			// The inventory records decoded for a big group are garbage
			// now; hand their pages back to the OS rather than keep the
			// load's peak resident while the screen is browsed.
			debug.FreeOSMemory()
		}
		return membersLoadedMsg{req: req, from: from, devices: devs, idx: &idx}
	})
}

func (m *membersModel) rebuild() {
	q := strings.ToLower(strings.TrimSpace(m.filter.value()))
	view := m.filtered(q)
	m.view = view
	devs, counts, known, now := m.devices, m.counts, m.known, m.c.now()
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
		if !known[d.ID] {
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
		if msg.idx != nil {
			m.idx = *msg.idx
		} else {
			m.idx = newMemberIndex(m.devices)
		}
		m.rebuild()
		return m, m.moreCounts()
	case countsMsg:
		if msg.req != m.req {
			return m, nil
		}
		if msg.err != nil {
			for _, d := range msg.asked {
				delete(m.asked, d.ID)
			}
			return m, reportError(fmt.Errorf("reading command counts: %w", msg.err))
		}
		m.addCounts(msg)
		m.rebuild()
		return m, m.moreCounts()
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
			return m, tea.Batch(cmd, m.moreCounts())
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
			m.idx.sorted = false
			m.rebuild()
			return m, tea.Batch(reportInfo("Sorted by %s.", strings.ToLower(m.table.cols[m.sortCol].title)), m.moreCounts())
		case key.Matches(msg, m.keys.list.Reverse):
			m.desc = !m.desc
			m.idx.sorted = false
			m.rebuild()
			return m, m.moreCounts()
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
	return m, m.moreCounts()
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
	kind := "computer group"
	if m.group.Kind == jamf.PlatformMobile {
		kind = "mobile device group"
	}
	if m.all {
		kind = "whole inventory"
	}
	top := st.App.Title.Render(ops.Clean(m.group.Name)) + st.App.Subtle.Render(fmt.Sprintf("  %s · %s devices", kind, formatCount(len(m.devices))))
	if len(m.marks) > 0 {
		top += st.Table.Marked.Render(fmt.Sprintf(" · %s marked", formatCount(len(m.marks))))
	}
	if !m.counted && !m.loading && m.err == nil && m.c.privs.Missing(jamf.PrivViewMDMCommands) == nil {
		if m.lazyCounts() {
			top += st.App.Subtle.Render(" · commands counted for rows in view")
		} else {
			top += st.App.Subtle.Render(" · counting commands…")
		}
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
