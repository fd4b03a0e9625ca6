package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// confirmation is a pending yes/no question about a write. Only "y"
// confirms; every other key cancels, and the cancel is reported.
type confirmation struct {
	title string
	lines []string
	onYes tea.Cmd
	// onNo is reported when the question is declined ("" for the usual
	// "nothing was changed").
	onNo string
}

// handle consumes a key; it returns the command to run and whether the
// question is closed.
func (c *confirmation) handle(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "y" {
		return c.onYes
	}
	if c.onNo != "" {
		return reportInfo("%s", c.onNo)
	}
	return reportInfo("Cancelled: nothing was changed.")
}

func (c confirmation) View(st *Styles, width int) string {
	var b strings.Builder
	b.WriteString(st.App.Title.Render(c.title))
	for _, l := range c.lines {
		b.WriteString("\n" + l)
	}
	b.WriteString("\n\n" + st.App.Key.Render("y") + " confirm   " + st.App.Subtle.Render("any other key cancels"))
	return st.App.Box.Width(min(width-2, 100)).Render(b.String())
}
