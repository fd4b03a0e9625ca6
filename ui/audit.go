package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/ops"
)

type auditLoadedMsg struct {
	req     uint64
	from    uint64
	entries []ops.AuditEntry
	bad     int
	err     error
}

// auditModel shows the local audit log of writes, newest first.
type auditModel struct {
	c       *common
	keys    listKeyMap
	entries []ops.AuditEntry
	view    []int
	bad     int
	table   table
	filter  filterBox
	err     error
	req     uint64
	sc      scope
}

func newAuditModel(c *common) auditModel {
	m := auditModel{c: c, sc: c.newScope(), keys: defaultListKeyMap()}
	m.filter = newFilterBox("filter by action, device, credential or reason")
	m.table = newTable([]column{{title: "TIME (UTC)", width: 16}, {title: "ACTION", width: 16}, {title: "DEVICES", width: 7, right: true}, {title: "FAILED", width: 6, right: true}, {title: "BY", width: 20}, {title: "SERVER", width: 14}, {title: "REASON / FIRST TARGET", width: 0}})
	return m
}

func (m *auditModel) load() tea.Cmd {
	m.req = m.c.nextTag()
	req, from, log := m.req, m.sc.id, m.c.deps.Audit
	return func() tea.Msg {
		if log == nil {
			return auditLoadedMsg{req: req, from: from}
		}
		entries, bad, err := log.Read()
		return auditLoadedMsg{req: req, from: from, entries: entries, bad: bad, err: err}
	}
}

func (m *auditModel) rebuild() {
	q := m.filter.value()
	view := make([]int, 0, len(m.entries))
	for i, e := range m.entries {
		if ops.AuditMatches(e, q) { // serial, name, ID, action, credential, reason, outcome
			view = append(view, i)
		}
	}
	m.view = view
	entries := m.entries
	m.table.setData(len(view), func(r, col int) string {
		e := entries[view[r]]
		switch col {
		case 0:
			return e.Time.UTC().Format("2006-01-02 15:04")
		case 1:
			return ops.Clean(e.Action)
		case 2:
			return formatCount(len(e.Targets))
		case 3:
			return blankZero(e.Failed())
		case 4:
			return ops.Clean(e.Credential)
		case 5:
			return ops.Clean(e.Server)
		}
		text := e.Reason
		if len(e.Targets) > 0 {
			first := e.Targets[0]
			t := fmt.Sprintf("%s %s: %s", first.Device, first.Name, first.Outcome)
			if first.Detail != "" {
				t += " (" + first.Detail + ")"
			}
			if text != "" {
				text += " · "
			}
			text += t
		}
		return ops.Clean(text)
	}, func(r int) string { return fmt.Sprint(view[r]) })
}

func (m auditModel) capturing() bool { return m.filter.editing }

func (m auditModel) Update(msg tea.Msg) (auditModel, tea.Cmd) {
	switch msg := msg.(type) {
	case auditLoadedMsg:
		if msg.req == m.req {
			m.entries, m.bad, m.err = msg.entries, msg.bad, msg.err
			m.rebuild()
		}
		return m, nil
	case tea.KeyPressMsg:
		if cmd, ok := m.filter.edit(msg, m.rebuild); ok {
			return m, cmd
		}
		if key.Matches(msg, m.keys.Filter) {
			return m, m.filter.start()
		}
	}
	m.table.move(msg)
	return m, nil
}

func (m *auditModel) setSize(w, h int) { m.table.setSize(w, h-4); m.filter.setWidth(w - 4) }

func (m auditModel) title() string { return "Audit log" }

func (m auditModel) View() string {
	st := &m.c.styles
	path := "(no audit log)"
	if m.c.deps.Audit != nil {
		path = m.c.deps.Audit.Path()
	}
	top := st.App.Title.Render("Audit log") + st.App.Subtle.Render(fmt.Sprintf("  %s writes, newest first · %s   %s", formatCount(len(m.entries)), path, m.table.position()))
	if m.err != nil {
		return top + "\n\n  " + st.App.Error.Render("Could not read the audit log") + "\n  " + ops.Clean(m.err.Error())
	}
	if m.bad > 0 {
		top += "\n" + st.App.Hint.Render(fmt.Sprintf("%d unreadable lines were skipped.", m.bad))
	}
	body := m.table.View(st)
	detail := ""
	if m.table.n > 0 {
		e := m.entries[m.view[m.table.cursor]]
		var parts []string
		for i, t := range e.Targets {
			if i == 4 {
				parts = append(parts, fmt.Sprintf("and %d more", len(e.Targets)-4))
				break
			}
			parts = append(parts, fmt.Sprintf("%s %s → %s", t.Device, t.Name, t.Outcome))
		}
		detail = "\n" + st.App.Subtle.Render(ops.Clean(strings.Join(parts, " · ")))
	}
	if m.filter.active() {
		body += "\n" + m.filter.View()
	}
	return top + "\n" + body + detail
}

func (m auditModel) ShortHelp() []key.Binding { return []key.Binding{m.keys.Filter} }

func (m auditModel) FullHelp() [][]key.Binding {
	t := m.table.keys
	return [][]key.Binding{{m.keys.Filter}, {t.Up, t.Down, t.PageUp, t.PageDown, t.Top, t.Bottom}}
}
