package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// openFind shows the device search box in the footer.
func (m Model) openFind() (tea.Model, tea.Cmd) {
	m.findOn = true
	m.find.SetValue("")
	return m, m.find.Focus()
}

// findKey handles a key while the search box is open: enter searches,
// esc closes it, anything else edits the text.
func (m Model) findKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc":
		m.findOn = false
		m.find.Blur()
		return m, nil
	case "enter":
		m.findOn = false
		m.find.Blur()
		text := strings.TrimSpace(m.find.Value())
		if text == "" {
			return m, nil
		}
		return m.open(navigateMsg{to: screenFind, text: text})
	}
	var cmd tea.Cmd
	m.find, cmd = m.find.Update(msg)
	return m, cmd
}
