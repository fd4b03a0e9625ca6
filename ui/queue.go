package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jamfops/jamfops/internal/errtext"
	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// queueEvent is what the background analysis sends: progress, then a result.
type queueEvent struct {
	req         uint64
	from        uint64
	done, total int
	devices     []ops.Device
	summary     *ops.QueueSummary
	err         error
	final       bool
	// updates is the devices' OS-update state; updErr why it is missing
	// (a privilege, an older server): neither fails the queue view.
	updates *ops.UpdateOverview
	updErr  error
}

// waitQueue is the one-shot command that delivers the next event; the
// screen re-arms it after each progress event.
func waitQueue(ch <-chan queueEvent) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

type queueKeyMap struct {
	Focus, Open, FlushFailed, BlankPush key.Binding
	FlushDevice                         key.Binding
}

func defaultQueueKeyMap() queueKeyMap {
	return queueKeyMap{
		Focus:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "switch table")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open device")),
		FlushFailed: key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "flush failed")),
		BlankPush:   key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "blank push devices with pending")),
		FlushDevice: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "flush this device's pending")),
	}
}

// queueModel is the fleet view of a set of devices' MDM queues.
type queueModel struct {
	c       *common
	keys    queueKeyMap
	label   string
	group   *ops.GroupSummary
	devices []ops.Device
	summary *ops.QueueSummary
	updates *ops.UpdateOverview
	updErr  error
	types   table
	stuck   table
	focus   int // 0 types, 1 stuck devices
	done    int
	total   int
	bar     progress.Model
	loading bool
	err     error
	req     uint64
	sc      scope
	ch      chan queueEvent
	ask     *confirmation
}

func newQueueModel(c *common, group *ops.GroupSummary, devices []ops.Device, label string) queueModel {
	m := queueModel{c: c, sc: c.newScope(), keys: defaultQueueKeyMap(), group: group, devices: devices, label: label, bar: progress.New(progress.WithDefaultBlend(), progress.WithoutPercentage())}
	if group != nil {
		m.label = "group " + group.Name
	}
	cols := []column{{title: "COMMAND", width: 0}, {title: "PENDING", width: 8, right: true}, {title: "NOTNOW", width: 7, right: true}, {title: "FAILED", width: 7, right: true}}
	for _, b := range ops.AgeBuckets() {
		cols = append(cols, column{title: b, width: 7, right: true})
	}
	m.types = newTable(cols)
	m.stuck = newTable([]column{{title: "DEVICE", width: 0}, {title: "SERIAL", width: 12}, {title: "CHECK-IN", width: 8, right: true}, {title: "PENDING", width: 8, right: true}, {title: "FAILED", width: 7, right: true}, {title: "OLDEST", width: 7, right: true}, {title: "OS UPDATE", width: 18}})
	return m
}

func (m *queueModel) load() tea.Cmd {
	m.req = m.c.nextTag()
	m.loading, m.err, m.done, m.total = true, nil, 0, 0
	ch := make(chan queueEvent, 1)
	m.ch = ch
	req, from, client, ctx, group, devices, now := m.req, m.sc.id, m.c.deps.Jamf, m.sc.ctx, m.group, m.devices, m.c.now()
	go func() {
		if group != nil {
			var err error
			devices, err = ops.GroupMembers(ctx, client, *group)
			if err != nil {
				ch <- queueEvent{req: req, from: from, err: err, final: true}
				return
			}
		}
		s, err := ops.AnalyseQueue(ctx, client, devices, now, func(done, total int) {
			select { // coalesce: drop progress the screen has not read yet
			case ch <- queueEvent{req: req, from: from, done: done, total: total}:
			default:
			}
		})
		var upd *ops.UpdateOverview
		var updErr error
		if err == nil {
			upd, updErr = ops.ReadUpdateOverview(ctx, client, group, devices)
		}
		// The final event must arrive: drain a pending progress event first.
		select {
		case <-ch:
		default:
		}
		ch <- queueEvent{req: req, from: from, devices: devices, summary: s, err: err, final: true, updates: upd, updErr: updErr}
	}()
	return waitQueue(ch)
}

func (m *queueModel) rebuild() {
	s := m.summary
	types := s.ByType
	m.types.setData(len(types), func(r, col int) string {
		t := types[r]
		switch col {
		case 0:
			return ops.Clean(t.Command)
		case 1:
			return formatCount(t.Pending)
		case 2:
			return formatCount(t.NotNow)
		case 3:
			return formatCount(t.Failed)
		}
		return blankZero(t.Ages[col-4])
	}, func(r int) string { return types[r].Command })
	stuck, now := s.Stuck, m.c.now()
	m.stuck.setData(len(stuck), func(r, col int) string {
		d := stuck[r]
		switch col {
		case 0:
			return ops.Clean(d.Device.Name)
		case 1:
			return ops.Clean(d.Device.Serial)
		case 2:
			return formatAge(d.Device.LastCheckIn, now)
		case 3:
			return formatCount(d.Pending)
		case 4:
			return formatCount(d.Failed)
		}
		if col == 6 {
			if m.updates == nil {
				return ""
			}
			return m.updates.DeviceState(d.Device)
		}
		if d.Oldest.IsZero() {
			return "—"
		}
		return formatAge(&d.Oldest, now)
	}, func(r int) string { return string(stuck[r].Device.Kind) + stuck[r].Device.ID })
}

func blankZero(n int) string {
	if n == 0 {
		return "·"
	}
	return formatCount(n)
}

func (m queueModel) capturing() bool { return m.ask != nil }

func (m queueModel) Update(msg tea.Msg) (queueModel, tea.Cmd) {
	switch msg := msg.(type) {
	case queueEvent:
		if msg.req != m.req {
			return m, nil
		}
		if !msg.final {
			m.done, m.total = msg.done, msg.total
			return m, waitQueue(m.ch)
		}
		m.loading, m.err = false, msg.err
		if msg.err == nil {
			m.devices, m.summary, m.updates, m.updErr = msg.devices, msg.summary, msg.updates, msg.updErr
			m.rebuild()
		}
		return m, nil
	case flushDoneMsg:
		if msg.err != nil {
			return m, tea.Batch(reportError(msg.err), m.load())
		}
		return m, tea.Batch(reportInfo("Flushed %s. Recorded in the audit log.", plural(msg.count, "failed command")), m.load())
	case deviceFlushedMsg:
		return m.deviceFlushed(msg)
	case blankPushDoneMsg:
		if msg.err != nil {
			return m, reportError(msg.err)
		}
		return m, reportInfo("Blank push sent to %s devices (%d failed). Recorded in the audit log.", formatCount(msg.ok), msg.failed)
	case tea.KeyPressMsg:
		if cmd, ok := answerAsk(&m.ask, msg); ok {
			return m, cmd
		}
		if m.summary == nil {
			return m, nil
		}
		switch {
		case key.Matches(msg, m.keys.Focus):
			m.focus = 1 - m.focus
			return m, nil
		case key.Matches(msg, m.keys.Open) && m.focus == 1:
			if m.stuck.n > 0 {
				d := m.summary.Stuck[m.stuck.cursor].Device
				return m, navigate(navigateMsg{to: screenDevice, device: &d})
			}
			return m, nil
		case key.Matches(msg, m.keys.FlushFailed):
			return m.confirmFlushFailed()
		case key.Matches(msg, m.keys.FlushDevice):
			return m.confirmDeviceFlush()
		case key.Matches(msg, m.keys.BlankPush):
			return m.confirmBlankPush()
		}
	}
	if m.focus == 0 {
		m.types.move(msg)
	} else {
		m.stuck.move(msg)
	}
	return m, nil
}

func (m queueModel) confirmFlushFailed() (queueModel, tea.Cmd) {
	if why := m.c.writeBlocked(jamf.PrivFlushMDMCommands); why != "" {
		return m, reportError(fmt.Errorf("flushing is not available: %s", why))
	}
	var targets []ops.Device
	for _, s := range m.summary.Stuck {
		if s.Failed > 0 {
			targets = append(targets, s.Device)
		}
	}
	preview, total := ops.GroupFlushPreview(m.summary, jamf.FlushFailed)
	if total == 0 {
		return m, reportInfo("Nothing to flush: no failed commands here.")
	}
	lines := append([]string{describeTargets(targets), "Jamf Pro re-sends what still applies (profiles) after failed commands are cleared."}, previewLines(preview)...)
	actor, ctx, from := m.c.actor(), m.c.deps.Ctx, m.sc.id
	m.ask = &confirmation{
		title: fmt.Sprintf("Flush %s failed commands from %s devices of %s?", formatCount(total), formatCount(len(targets)), ops.Clean(m.label)),
		lines: lines,
		onYes: func() tea.Msg {
			err := actor.Flush(ctx, targets, jamf.FlushFailed, preview)
			return flushDoneMsg{from: from, count: total, status: jamf.FlushFailed, err: err}
		},
	}
	return m, nil
}

func (m queueModel) confirmBlankPush() (queueModel, tea.Cmd) {
	if why := m.c.writeBlocked(jamf.PrivViewMDMCommands); why != "" {
		return m, reportError(fmt.Errorf("blank push is not available: %s", why))
	}
	var targets []ops.Device
	now := m.c.now()
	offline := 0
	for _, s := range m.summary.Stuck {
		if s.Pending > 0 {
			targets = append(targets, s.Device)
			if s.Device.LastCheckIn == nil || now.Sub(*s.Device.LastCheckIn) > ops.OfflineAfter {
				offline++
			}
		}
	}
	if len(targets) == 0 {
		return m, reportInfo("No device here has pending commands.")
	}
	actor, ctx, from := m.c.actor(), m.c.deps.Ctx, m.sc.id
	m.ask = &confirmation{
		title: fmt.Sprintf("Blank push %s devices with pending commands?", formatCount(len(targets))),
		lines: []string{describeTargets(targets), fmt.Sprintf("%s of them have not checked in for a day and will likely not answer.", formatCount(offline))},
		onYes: func() tea.Msg {
			ok, failed, err := actor.BlankPush(ctx, targets)
			return blankPushDoneMsg{from: from, ok: ok, failed: failed, err: err}
		},
	}
	return m, nil
}

func (m *queueModel) setSize(w, h int) {
	rest := h - 6 // title, stats, OS updates, two table titles, a spare line
	m.types.setSize(w, max(4, rest*2/5))
	m.stuck.setSize(w, max(4, rest-rest*2/5-1))
	m.bar.SetWidth(min(60, w-10))
}

func (m queueModel) title() string { return "Queue · " + ops.Clean(m.label) }

func (m queueModel) View() string {
	st := &m.c.styles
	top := st.App.Title.Render("Command queue") + st.App.Subtle.Render(" · "+ops.Clean(m.label))
	switch {
	case m.loading:
		pct := 0.0
		if m.total > 0 {
			pct = float64(m.done) / float64(m.total)
		}
		what := "Resolving devices…"
		if m.total > 0 {
			what = fmt.Sprintf("Reading queues: %s of %s devices", formatCount(m.done), formatCount(m.total))
		}
		return top + "\n\n  " + what + "\n  " + m.bar.ViewAs(pct) + "\n\n  " + st.App.Subtle.Render(fmt.Sprintf("at most %d requests at a time", m.c.deps.Jamf.Concurrency()))
	case m.err != nil:
		return top + "\n\n  " + st.App.Error.Render("Could not read the queue") + "\n  " + humanError(m.err) + "\n\n  " + st.App.Subtle.Render("press r to retry")
	case m.ask != nil:
		return top + "\n" + m.ask.View(st, m.c.width)
	}
	s := m.summary
	offPct := 0
	if s.Devices > 0 {
		offPct = s.Offline * 100 / s.Devices
	}
	// The stats break between their parts at narrow widths, and the
	// device table gives up the lines they take.
	width := max(20, m.c.width-1)
	stats := packParts([]string{formatCount(s.Devices) + " devices", fmt.Sprintf("%s offline (%d%%)", formatCount(s.Offline), offPct),
		fmt.Sprintf("%s pending (%s NotNow)", formatCount(s.TotalPending), formatCount(s.TotalNotNow)), formatCount(s.TotalFailed) + " failed",
		formatCount(len(s.Stuck)) + " devices with something stuck"}, width)
	updates := "\n" + st.App.Subtle.Render("OS updates: not read")
	switch {
	case m.updates != nil:
		updates = "\n" + ops.Clean(m.updates.Line())
	case m.updErr != nil:
		updates = "\n" + st.App.Subtle.Render("OS updates: unavailable ("+ops.Clean(errtext.OneLine(m.updErr.Error()))+")")
	}
	titles := []string{"By command type and age of pending", "Devices, oldest pending first"}
	for i := range titles {
		if i == m.focus {
			titles[i] = st.App.Bold.Render("▸ " + titles[i])
		} else {
			titles[i] = st.App.Subtle.Render("  " + titles[i])
		}
	}
	updates = ansi.Wrap(updates, width, " ")
	stuck := m.stuck
	if extra := strings.Count(stats, "\n") + strings.Count(updates, "\n") - 1; extra > 0 {
		stuck.setSize(stuck.width, stuck.height+1-extra)
	}
	return top + "\n" + stats + updates + "\n" + titles[0] + "\n" + m.types.View(st) + "\n" + titles[1] + "\n" + stuck.View(st)
}

func (m queueModel) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Focus, m.keys.Open, m.c.gated(m.keys.FlushFailed, jamf.PrivFlushMDMCommands), m.c.gated(m.keys.BlankPush, jamf.PrivViewMDMCommands)}
}

func (m queueModel) FullHelp() [][]key.Binding {
	t := m.types.keys
	return [][]key.Binding{m.ShortHelp(), {m.c.gated(m.keys.FlushDevice, jamf.PrivFlushMDMCommands)}, {t.Up, t.Down, t.PageUp, t.PageDown, t.Top, t.Bottom}}
}
