package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// resentMsg is the outcome of a re-send.
type resentMsg struct {
	from    uint64
	command string
	device  string
	err     error
}

// resendAgainMsg asks the second question of a re-send whose command type
// is already pending on the device.
type resendAgainMsg struct{ from uint64 }

func (m resentMsg) addressee() uint64      { return m.from }
func (m resendAgainMsg) addressee() uint64 { return m.from }

// orphanReport tells the outcome of a re-send whose screen was left.
func (m resentMsg) orphanReport() tea.Cmd { return m.report() }

func (m resentMsg) report() tea.Cmd {
	if m.err != nil {
		return reportError(m.err)
	}
	return reportInfo("Queued %s on %s. Recorded in the audit log; press r on the device to see it.", ops.Clean(m.command), ops.Clean(m.device))
}

type commandKeyMap struct {
	Resend, Up, Down key.Binding
}

func defaultCommandKeyMap() commandKeyMap {
	return commandKeyMap{
		Resend: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "re-send this command type")),
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
	}
}

// commandModel shows one command of a device in full: every field, the
// whole error text, and what the state means and what to do about it.
type commandModel struct {
	c       *common
	keys    commandKeyMap
	device  ops.Device
	entry   ops.CommandEntry
	entries []ops.CommandEntry // the device's queue, for the duplicate check
	ask     *confirmation
	// wrote is set once a re-send succeeded: going back reloads the
	// device's queue so it shows the new command.
	wrote  bool
	scroll int
	width  int
	height int
	sc     scope
}

func newCommandModel(c *common, d ops.Device, e ops.CommandEntry, entries []ops.CommandEntry) commandModel {
	return commandModel{c: c, keys: defaultCommandKeyMap(), device: d, entry: e, entries: entries, sc: c.newScope()}
}

// resendPrivs are the privileges a re-send of the command needs.
func (m commandModel) resendPrivs() []string {
	privs := []string{jamf.PrivViewMDMCommands}
	if p := jamf.CommandPrivilege(m.device.Kind, m.entry.Command); p != "" {
		privs = append(privs, p)
	}
	return privs
}

// resendRefusal says why this command cannot be re-sent from here ("" when
// it can): only failed commands of the catalogue that take no parameters
// and are not destructive are re-sent with one key.
func (m commandModel) resendRefusal() string {
	if m.entry.Status != ops.StatusFailed {
		return "only a failed command is re-sent from here"
	}
	spec, ok := mass.LookupCommand(m.entry.Command)
	switch {
	case !ok:
		return fmt.Sprintf("%s is not a command jamfops sends (Jamf Pro sends it itself, for example for profiles or apps)", ops.Clean(m.entry.Command))
	case spec.Destructive:
		return fmt.Sprintf("%s is destructive: send it as a mass action (M on the members screen), which asks for the count", spec.Type)
	case spec.ValidateFields(map[string]any{}) != nil:
		return fmt.Sprintf("%s needs parameters: send it as a mass action (M on the members screen)", spec.Type)
	}
	return mass.CommandMisfit(spec.Type, m.device)
}

func (m commandModel) capturing() bool { return m.ask != nil }

func (m commandModel) Update(msg tea.Msg) (commandModel, tea.Cmd) {
	switch msg := msg.(type) {
	case resentMsg:
		if msg.err == nil {
			m.wrote = true
		}
		return m, msg.report()
	case resendAgainMsg:
		m.ask = m.secondAsk()
		return m, nil
	case tea.KeyPressMsg:
		if cmd, ok := answerAsk(&m.ask, msg); ok {
			return m, cmd
		}
		switch {
		case key.Matches(msg, m.keys.Resend):
			return m.resend()
		case key.Matches(msg, m.keys.Up):
			m.scroll = max(0, m.scroll-1)
		case key.Matches(msg, m.keys.Down):
			m.scroll++
		}
	}
	return m, nil
}

// resend asks before queueing the command type again; a type already
// pending on the device takes a second, explicit confirmation.
func (m commandModel) resend() (commandModel, tea.Cmd) {
	if why := m.c.writeBlocked(m.resendPrivs()...); why != "" {
		return m, reportError(fmt.Errorf("re-send is not available: %s", why))
	}
	if why := m.resendRefusal(); why != "" {
		return m, reportError(fmt.Errorf("cannot re-send: %s", why))
	}
	dupes := ops.AlreadyPending(m.entries, m.entry.Command)
	lines := []string{describeTargets([]ops.Device{m.device})}
	if len(dupes) == 0 {
		m.ask = &confirmation{title: fmt.Sprintf("Send %s to this device again?", ops.Clean(m.entry.Command)), lines: lines, onYes: m.send(0)}
		return m, nil
	}
	from := m.sc.id
	lines = append(lines, m.c.styles.App.Hint.Render(fmt.Sprintf("Warning: %d %s of this type already pending on this device (oldest issued %s).",
		len(dupes), map[bool]string{true: "command is", false: "commands are"}[len(dupes) == 1], formatStamp(dupes[len(dupes)-1].Issued))),
		"Sending it again queues a duplicate; the pending one runs when the device checks in.")
	m.ask = &confirmation{
		title: fmt.Sprintf("%s is already pending. Send another?", ops.Clean(m.entry.Command)),
		lines: lines,
		onYes: func() tea.Msg { return resendAgainMsg{from: from} },
	}
	return m, nil
}

// secondAsk is the explicit second confirmation of a duplicate send.
func (m commandModel) secondAsk() *confirmation {
	n := len(ops.AlreadyPending(m.entries, m.entry.Command))
	return &confirmation{
		title: fmt.Sprintf("Really queue a duplicate %s (%d already pending)?", ops.Clean(m.entry.Command), n),
		lines: []string{describeTargets([]ops.Device{m.device})},
		onYes: m.send(n),
	}
}

// send queues the command once; the write runs on the console's context
// so that leaving the screen does not abandon it.
func (m commandModel) send(pending int) tea.Cmd {
	actor, ctx, d, e, from := m.c.actor(), m.c.deps.Ctx, m.device, m.entry, m.sc.id
	return func() tea.Msg {
		err := actor.Resend(ctx, d, e.Command, e.UUID, pending)
		return resentMsg{from: from, command: e.Command, device: d.Name, err: err}
	}
}

func (m *commandModel) setSize(w, h int) { m.width, m.height = w, h }

func (m commandModel) title() string { return "Command · " + ops.Clean(m.entry.Command) }

// field renders "Label     value" with the value wrapped under itself.
func field(st *Styles, label, value string, width int) string {
	const labelW = 12
	w := max(10, width-labelW)
	lines := strings.Split(ansi.Wrap(value, w, " /-"), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = strings.Repeat(" ", labelW) + lines[i]
	}
	return st.App.Subtle.Render(fmt.Sprintf("%-*s", labelW, label)) + strings.Join(lines, "\n")
}

// bullets renders a titled list, each item wrapped with a hanging indent.
func bullets(st *Styles, title string, items []string, width int) []string {
	if len(items) == 0 {
		return nil
	}
	out := []string{"", st.App.Bold.Render(title)}
	for _, it := range items {
		lines := strings.Split(ansi.Wrap(it, max(10, width-4), " "), "\n")
		for i := range lines {
			if i == 0 {
				lines[i] = "  • " + lines[i]
			} else {
				lines[i] = "    " + lines[i]
			}
		}
		out = append(out, lines...)
	}
	return out
}

// lines is the whole detail, wrapped to the width.
func (m commandModel) lines() []string {
	st, e, d, now := &m.c.styles, m.entry, m.device, m.c.now()
	w := max(20, m.width)
	stamp := func(t *timeRef) string { return t.String(now) }
	checkIn := formatStamp(d.LastCheckIn) + " (" + formatAge(d.LastCheckIn, now) + " ago)"
	if d.LastCheckIn == nil {
		checkIn = "never"
	}
	uuid := e.UUID
	if uuid == "" {
		uuid = "— (known from the Classic history only, which has no UUIDs)"
	}
	errText := e.Error
	if errText == "" {
		errText = "—"
	}
	out := []string{st.App.Title.Render(ops.Clean(e.Command)) + "  " + statusStyle(st, e.Status).Render(e.Status)}
	for _, f := range [][2]string{
		{"Device", fmt.Sprintf("%s · %s %s · serial %s", ops.Clean(d.Name), kindLabel(d.Kind), ops.Clean(d.ID), orDash(ops.Clean(d.Serial)))},
		{"UUID", ops.Clean(uuid)},
		{"Type", ops.Clean(e.Command)},
		{"Status", e.Status},
		{"Issued", stamp(&timeRef{e.Issued})},
		{"Last push", stamp(&timeRef{e.LastPush})},
		{"Completed", stamp(&timeRef{e.Completed})},
		{"Check-in", checkIn},
		{"Error", ops.Clean(errText)},
	} {
		out = append(out, strings.Split(field(st, f[0], f[1], w), "\n")...)
	}
	x := ops.ExplainCommand(e, d.LastCheckIn, now)
	out = append(out, "", st.App.Bold.Render("What it means"))
	for _, l := range strings.Split(ansi.Wrap(x.Meaning, max(10, w-2), " "), "\n") {
		out = append(out, "  "+l)
	}
	out = append(out, bullets(st, "Usual causes", x.Causes, w)...)
	out = append(out, bullets(st, "What to try next", x.Next, w)...)
	if e.Status == ops.StatusFailed {
		hint := "R re-sends this command type to the device."
		if m.c.deps.ReadOnly {
			hint = "Read-only session: re-sending is not available."
		} else if why := m.resendRefusal(); why != "" {
			hint = "Cannot be re-sent from here: " + why + "."
		} else if why := m.c.writeBlocked(m.resendPrivs()...); why != "" {
			hint = "Re-send needs: " + strings.TrimPrefix(why, "needs ") + "."
		}
		out = append(out, "")
		for _, l := range strings.Split(ansi.Wrap(hint, w, " "), "\n") {
			out = append(out, st.App.Hint.Render(l))
		}
	}
	return out
}

func (m commandModel) View() string {
	if m.ask != nil {
		return m.ask.View(&m.c.styles, m.c.width)
	}
	lines := m.lines()
	off := min(m.scroll, max(0, len(lines)-m.height))
	return strings.Join(lines[off:], "\n")
}

func (m commandModel) ShortHelp() []key.Binding {
	keys := []key.Binding{m.keys.Down}
	if m.entry.Status == ops.StatusFailed {
		keys = append([]key.Binding{m.c.gated(m.keys.Resend, m.resendPrivs()...)}, keys...)
	}
	return keys
}

func (m commandModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.ShortHelp(), {m.keys.Up, m.keys.Down}}
}

func (m commandModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m commandModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m commandModel) reload() (screen, tea.Cmd)          { return m, nil }
func (m commandModel) owner() scope                       { return m.sc }

// timeRef is an optional time shown as "2026-11-20 08:00 (3 d ago)".
type timeRef struct{ t *time.Time }

func (r *timeRef) String(now time.Time) string {
	if r.t == nil {
		return "—"
	}
	return formatStamp(r.t) + " (" + formatAge(r.t, now) + " ago)"
}
