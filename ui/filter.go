package ui

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// filterBox is the "/" filter line every list screen shares.
type filterBox struct {
	input   textinput.Model
	editing bool
}

func newFilterBox(placeholder string) filterBox {
	return filterBox{input: newInput("/ ", placeholder)}
}

// start focuses the filter for typing.
func (f *filterBox) start() tea.Cmd {
	f.editing = true
	return f.input.Focus()
}

// handle takes a key while editing: enter keeps the filter, esc clears
// it, anything else edits it. changed reports whether the rows must be
// rebuilt.
func (f *filterBox) handle(msg tea.KeyPressMsg) (cmd tea.Cmd, changed bool) {
	switch msg.String() {
	case "enter":
		f.editing = false
		f.input.Blur()
		return nil, false
	case "esc":
		f.editing = false
		f.input.Blur()
		f.input.SetValue("")
		return nil, true
	}
	f.input, cmd = f.input.Update(msg)
	return cmd, true
}

// value is the current filter text.
func (f filterBox) value() string { return f.input.Value() }

// clear empties the filter.
func (f *filterBox) clear() { f.input.SetValue("") }

// active reports whether the filter line should show.
func (f filterBox) active() bool { return f.editing || f.input.Value() != "" }

func (f *filterBox) setWidth(w int) { f.input.SetWidth(w) }

func (f filterBox) View() string { return f.input.View() }

// edit handles a key while the filter is being typed, calling rebuild when
// the rows must change; ok is false when the filter is not being edited.
func (f *filterBox) edit(msg tea.KeyPressMsg, rebuild func()) (cmd tea.Cmd, ok bool) {
	if !f.editing {
		return nil, false
	}
	cmd, changed := f.handle(msg)
	if changed {
		rebuild()
	}
	return cmd, true
}
