package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

type deviceCommandsMsg struct {
	req     uint64
	from    uint64
	entries []ops.CommandEntry
	src     ops.CommandSources
	err     error
}

// deviceRiskMsg is the device's JSC risk (found false when JSC does not know it).
type deviceRiskMsg struct {
	req    uint64
	from   uint64
	device jsc.Device
	found  bool
	source string
	err    error
}

type flushDoneMsg struct {
	from   uint64
	count  int
	status jamf.FlushStatus
	err    error
}

type deviceKeyMap struct {
	BlankPush, Flush key.Binding
	FlushPending     key.Binding
	FlushFailed      key.Binding
	FlushBoth        key.Binding
	Risk             key.Binding
	Open             key.Binding
}

func defaultDeviceKeyMap() deviceKeyMap {
	return deviceKeyMap{
		BlankPush:    key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "blank push")),
		Flush:        key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "flush commands")),
		FlushPending: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pending")),
		FlushFailed:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "failed")),
		FlushBoth:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all: pending and failed")),
		Risk:         key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "set/reset JSC risk")),
		Open:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "command detail")),
	}
}

// deviceRow is a row of the queue table: a section heading or a command.
type deviceRow struct {
	heading string
	entry   *ops.CommandEntry
}

// deviceModel shows one device and its command queue.
type deviceModel struct {
	c        *common
	keys     deviceKeyMap
	device   ops.Device
	entries  []ops.CommandEntry
	src      ops.CommandSources
	rows     []deviceRow
	table    table
	loading  bool
	err      error
	req      uint64
	sc       scope
	spin     spinner.Model
	choosing bool // waiting for which statuses to flush
	ask      *confirmation
	risk     *deviceRiskMsg
}

func newDeviceModel(c *common, d ops.Device) deviceModel {
	m := deviceModel{c: c, sc: c.newScope(), keys: defaultDeviceKeyMap(), device: d, spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
	m.table = newTable([]column{{title: "STATUS", width: 9}, {title: "COMMAND", width: 28}, {title: "ISSUED", width: 16}, {title: "LAST PUSH", width: 16}, {title: "DONE", width: 16}, {title: "AGE", width: 5, right: true}, {title: "ERROR", width: 0}})
	return m
}

func (m *deviceModel) load() tea.Cmd {
	m.req = m.c.nextTag()
	m.loading, m.err = true, nil
	req, from, client, ctx, d := m.req, m.sc.id, m.c.deps.Jamf, m.sc.ctx, m.device
	cmds := []tea.Cmd{m.spin.Tick, func() tea.Msg {
		entries, src, err := ops.DeviceCommands(ctx, client, d)
		return deviceCommandsMsg{req: req, from: from, entries: entries, src: src, err: err}
	}}
	if rc := m.c.deps.JSC; rc != nil && d.UDID != "" {
		audit := m.c.deps.Audit
		cmds = append(cmds, func() tea.Msg {
			list, err := rc.ListDevices(ctx, &jsc.ListOptions{ExternalID: strings.ToLower(d.UDID)})
			if err != nil || len(list) == 0 {
				return deviceRiskMsg{req: req, from: from, err: err}
			}
			source := "—"
			if audit != nil {
				if entries, _, err := audit.Read(); err == nil {
					source = ops.RiskSourceOf(ops.RiskDevice{JSC: list[0]}, ops.RiskMarks(entries, rc.BaseURL()))
				}
			}
			return deviceRiskMsg{req: req, from: from, device: list[0], found: true, source: source}
		})
	}
	return tea.Batch(cmds...)
}

func (m *deviceModel) rebuild() {
	var pending, failed, done []*ops.CommandEntry
	for i := range m.entries {
		e := &m.entries[i]
		switch {
		case e.Active():
			pending = append(pending, e)
		case e.Status == ops.StatusFailed:
			failed = append(failed, e)
		default:
			done = append(done, e)
		}
	}
	notNow := 0
	for _, e := range pending {
		if e.Status == ops.StatusNotNow {
			notNow++
		}
	}
	var rows []deviceRow
	add := func(title string, list []*ops.CommandEntry) {
		rows = append(rows, deviceRow{heading: title})
		for _, e := range list {
			rows = append(rows, deviceRow{entry: e})
		}
	}
	add(fmt.Sprintf("PENDING · %d (%d NotNow)", len(pending), notNow), pending)
	add(fmt.Sprintf("FAILED · %d", len(failed)), failed)
	add(fmt.Sprintf("COMPLETED · %d", len(done)), done)
	m.rows = rows
	st, now := &m.c.styles, m.c.now()
	m.table.span = func(r int) string {
		if rows[r].entry == nil {
			return st.App.Bold.Render("── " + rows[r].heading + " ──")
		}
		return ""
	}
	m.table.setData(len(rows), func(r, col int) string {
		e := rows[r].entry
		if e == nil {
			return ""
		}
		switch col {
		case 0:
			return statusStyle(st, e.Status).Render(e.Status)
		case 1:
			return ops.Clean(e.Command)
		case 2:
			return formatStamp(e.Issued)
		case 3:
			return formatStamp(e.LastPush)
		case 4:
			return formatStamp(e.Completed)
		case 5:
			return formatAge(e.Issued, now)
		}
		return ops.Clean(e.Error)
	}, func(r int) string {
		if rows[r].entry == nil {
			return "h" + rows[r].heading[:3]
		}
		return rows[r].entry.UUID + rows[r].entry.Command + formatStamp(rows[r].entry.Issued)
	})
}

func (m deviceModel) capturing() bool { return m.choosing || m.ask != nil }

func (m deviceModel) Update(msg tea.Msg) (deviceModel, tea.Cmd) {
	switch msg := msg.(type) {
	case deviceCommandsMsg:
		if msg.req != m.req {
			return m, nil
		}
		m.loading, m.err = false, msg.err
		if msg.err == nil {
			m.entries, m.src = msg.entries, msg.src
			m.rebuild()
		}
		return m, nil
	case deviceRiskMsg:
		if msg.req == m.req {
			m.risk = &msg
		}
		return m, nil
	case flushDoneMsg:
		if msg.err != nil {
			return m, tea.Batch(reportError(msg.err), m.load())
		}
		return m, tea.Batch(reportInfo("Flushed %d %s commands. Recorded in the audit log.", msg.count, strings.ToLower(string(msg.status))), m.load())
	case blankPushDoneMsg:
		if msg.err != nil {
			return m, reportError(msg.err)
		}
		if msg.failed > 0 {
			return m, reportError(fmt.Errorf("the server could not push this device"))
		}
		return m, reportInfo("Blank push sent; if the device is online it will check in shortly (press r to refresh).")
	case spinner.TickMsg:
		return m, tickSpinner(&m.spin, m.loading, msg)
	case tea.KeyPressMsg:
		if cmd, ok := answerAsk(&m.ask, msg); ok {
			return m, cmd
		}
		if m.choosing {
			m.choosing = false
			switch {
			case key.Matches(msg, m.keys.FlushPending):
				return m.confirmFlush(jamf.FlushPending)
			case key.Matches(msg, m.keys.FlushFailed):
				return m.confirmFlush(jamf.FlushFailed)
			case key.Matches(msg, m.keys.FlushBoth):
				return m.confirmFlush(jamf.FlushPendingAndFailed)
			}
			return m, reportInfo("Cancelled: nothing was flushed.")
		}
		switch {
		case key.Matches(msg, m.keys.Open):
			if m.table.cursor < len(m.rows) && m.rows[m.table.cursor].entry != nil {
				e, d := *m.rows[m.table.cursor].entry, m.device
				return m, navigate(navigateMsg{to: screenCommand, device: &d, command: &e, entries: m.entries})
			}
			return m, nil
		case key.Matches(msg, m.keys.Risk):
			if m.c.deps.JSC == nil {
				return m, reportError(fmt.Errorf("JSC is not configured (set JSC_APP_ID and JSC_APP_SECRET)"))
			}
			return m, navigate(navigateMsg{to: screenRisk, devices: []ops.Device{m.device}, label: m.device.Name})
		case key.Matches(msg, m.keys.BlankPush):
			if why := m.c.writeBlocked(jamf.PrivViewMDMCommands); why != "" {
				return m, reportError(fmt.Errorf("blank push is not available: %s", why))
			}
			actor, ctx, targets, from := m.c.actor(), m.c.deps.Ctx, []ops.Device{m.device}, m.sc.id
			m.ask = &confirmation{
				title: "Send a blank push to 1 device?",
				lines: []string{describeTargets(targets)},
				onYes: func() tea.Msg {
					ok, failed, err := actor.BlankPush(ctx, targets)
					return blankPushDoneMsg{from: from, ok: ok, failed: failed, err: err}
				},
			}
			return m, nil
		case key.Matches(msg, m.keys.Flush):
			if why := m.c.writeBlocked(jamf.PrivFlushMDMCommands); why != "" {
				return m, reportError(fmt.Errorf("flushing is not available: %s", why))
			}
			m.choosing = true
			return m, nil
		}
	}
	m.table.move(msg)
	return m, nil
}

// confirmFlush previews what a flush removes and asks.
func (m deviceModel) confirmFlush(status jamf.FlushStatus) (deviceModel, tea.Cmd) {
	preview, total := ops.FlushPreview(m.entries, status)
	if total == 0 {
		return m, reportInfo("Nothing to flush: this device has no %s commands.", strings.ToLower(strings.ReplaceAll(string(status), "+", " or ")))
	}
	lines := []string{describeTargets([]ops.Device{m.device}), "Jamf removes every command of that status; single commands cannot be cancelled."}
	lines = append(lines, previewLines(preview)...)
	actor, ctx, targets, from := m.c.actor(), m.c.deps.Ctx, []ops.Device{m.device}, m.sc.id
	m.ask = &confirmation{
		title: fmt.Sprintf("Flush %d %s commands from 1 device?", total, strings.ToLower(strings.ReplaceAll(string(status), "+", " and "))),
		lines: lines,
		onYes: func() tea.Msg {
			err := actor.Flush(ctx, targets, status, preview)
			return flushDoneMsg{from: from, count: total, status: status, err: err}
		},
	}
	return m, nil
}

// previewLines renders "  3 × DEVICE_INFORMATION" lines, largest first.
func previewLines(preview map[string]int) []string {
	var lines []string
	for _, k := range ops.SortedByCount(preview) {
		lines = append(lines, fmt.Sprintf("  %5d × %s", preview[k], ops.Clean(k)))
	}
	return lines
}

func statusStyle(st *Styles, status string) lipgloss.Style {
	switch status {
	case ops.StatusPending:
		return st.Status.Pending
	case ops.StatusNotNow:
		return st.Status.NotNow
	case ops.StatusFailed:
		return st.Status.Failed
	}
	return st.Status.Completed
}

func (m *deviceModel) setSize(w, h int) { m.table.setSize(w, h-6) }

func (m deviceModel) title() string { return "Device · " + ops.Clean(m.device.Name) }

func (m deviceModel) View() string {
	st := &m.c.styles
	d := m.device
	now := m.c.now()
	online := "online"
	if d.LastCheckIn == nil || now.Sub(*d.LastCheckIn) > ops.OfflineAfter {
		online = st.Status.Offline.Render("offline for " + formatAge(d.LastCheckIn, now))
	}
	head := st.App.Title.Render(ops.Clean(d.Name)) + st.App.Subtle.Render(fmt.Sprintf("  %s %s · %s", d.Kind, ops.Clean(d.ID), online))
	info := packParts([]string{"Serial " + ops.Clean(d.Serial), ops.Clean(d.Model), ops.Clean(d.OS), "user " + orDash(ops.Clean(d.User))}, m.c.width) + "\n" +
		packParts([]string{"UDID " + ops.Clean(d.UDID), "management ID " + ops.Clean(d.ManagementID), "last check-in " + formatStamp(d.LastCheckIn)}, m.c.width)
	var notes []string
	if !m.src.API && !m.loading && m.err == nil {
		notes = append(notes, "From the Classic history only (no command UUIDs).")
	}
	for _, n := range m.src.Notes {
		notes = append(notes, ops.Clean(n))
	}
	note := ""
	if len(notes) > 0 {
		note = st.App.Hint.Render(strings.Join(notes, " "))
	}
	// Wrap rather than cut the header: every value stays readable, and the
	// table gives up the lines the header takes beyond its usual two.
	if m.c.width > 0 {
		head = ansi.Wrap(head, m.c.width, " ")
	}
	riskNote := m.riskPanel() + note
	if m.c.width > 0 {
		riskNote = ansi.Wrap(riskNote, m.c.width, " ")
	}
	extra := strings.Count(head, "\n") + strings.Count(info, "\n") + strings.Count(riskNote, "\n") - 1
	top := head + "\n" + st.App.Subtle.Render(info) + "\n" + riskNote
	switch {
	case m.loading && m.entries == nil:
		return top + "\n\n  " + m.spin.View() + " Loading the command queue…"
	case m.err != nil:
		return top + "\n\n  " + st.App.Error.Render("Could not load commands") + "\n  " + humanError(m.err) + "\n\n  " + st.App.Subtle.Render("press r to retry")
	case m.ask != nil:
		return top + "\n" + m.ask.View(st, m.c.width)
	case m.choosing:
		return top + "\n" + st.App.Box.Render(st.App.Title.Render("Flush which commands?")+"\n"+
			st.App.Key.Render("p")+" pending (incl. NotNow)   "+st.App.Key.Render("f")+" failed   "+st.App.Key.Render("a")+" both\n"+
			st.App.Subtle.Render("any other key cancels"))
	}
	t := m.table
	if extra > 0 {
		t.setSize(t.width, t.height+1-extra)
	}
	return top + "\n" + t.View(st)
}

// riskPanel is the device's JSC risk line ("" without JSC).
func (m deviceModel) riskPanel() string {
	st := &m.c.styles
	switch {
	case m.c.deps.JSC == nil:
		return ""
	case m.risk == nil:
		return st.App.Subtle.Render("JSC risk: loading…") + "  "
	case m.risk.err != nil:
		return st.App.Hint.Render("JSC risk: "+humanError(m.risk.err)) + "  "
	case !m.risk.found:
		return st.App.Subtle.Render("JSC risk: not enrolled in JSC") + "  "
	}
	return "JSC risk: " + riskStyle(st, m.risk.device.Risk).Render(string(m.risk.device.Risk)) +
		st.App.Subtle.Render(fmt.Sprintf(" · source %s · JSC %s · K to set or reset", ops.Clean(m.risk.source), m.risk.device.ID)) + "  "
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (m deviceModel) ShortHelp() []key.Binding {
	keys := []key.Binding{m.keys.Open, m.c.gated(m.keys.BlankPush, jamf.PrivViewMDMCommands), m.c.gated(m.keys.Flush, jamf.PrivFlushMDMCommands)}
	if m.c.deps.JSC != nil {
		keys = append(keys, m.keys.Risk)
	}
	return keys
}

func (m deviceModel) FullHelp() [][]key.Binding {
	t := m.table.keys
	return [][]key.Binding{m.ShortHelp(), {t.Up, t.Down, t.PageUp, t.PageDown, t.Top, t.Bottom}}
}
