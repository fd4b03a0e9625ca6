package ui

import "charm.land/bubbles/v2/key"

// globalKeyMap are the keys every screen shares.
type globalKeyMap struct {
	Quit, Back, Help, Palette, Audit, Refresh key.Binding
	// Find opens the device search box on any screen.
	Find key.Binding
}

func defaultGlobalKeyMap() globalKeyMap {
	return globalKeyMap{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Palette: key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Audit:   key.NewBinding(key.WithKeys("@"), key.WithHelp("@", "audit log")),
		Refresh: key.NewBinding(key.WithKeys("r", "ctrl+r"), key.WithHelp("r", "refresh")),
		Find:    key.NewBinding(key.WithKeys("ctrl+k"), key.WithHelp("ctrl+k", "find device")),
	}
}

// tableKeyMap moves through a table.
type tableKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

func defaultTableKeyMap() tableKeyMap {
	return tableKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
	}
}

// listKeyMap are the keys of screens that show a filterable, sortable list.
type listKeyMap struct {
	Filter, Sort, Reverse, Open key.Binding
}

func defaultListKeyMap() listKeyMap {
	return listKeyMap{
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort column")),
		Reverse: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
	}
}
