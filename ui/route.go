package ui

import tea "charm.land/bubbletea/v2"

// popTo leaves every screen above the first n (keeping at least one),
// cancelling their loads.
func (m *Model) popTo(n int) {
	n = max(1, n)
	for i := len(m.stack) - 1; i >= n; i-- {
		m.stack[i].owner().end()
	}
	if n < len(m.stack) {
		m.stack = m.stack[:n]
	}
}

// deliver hands a result to the screen that asked for it, hidden or not.
// A result whose screen was left is dropped; a write's outcome is still
// reported in the status line.
func (m Model) deliver(msg addressed) (tea.Model, tea.Cmd) {
	to := msg.addressee()
	for i, s := range m.stack {
		if s.owner().id == to {
			ns, cmd := s.step(msg)
			m.stack[i] = ns
			return m, cmd
		}
	}
	if o, ok := msg.(orphaned); ok {
		return m, o.orphanReport()
	}
	return m, nil
}
