package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// foundMsg is the answer of a device search.
type foundMsg struct {
	req  uint64
	from uint64
	res  *ops.SearchResult
	err  error
}

func (m foundMsg) addressee() uint64 { return m.from }

// findModel searches computers and mobile devices for a text (serial,
// name, user, email, UDID, management ID, asset tag) and lists the
// matches. A single match, or a single exact one, opens the device
// directly, replacing this screen.
type findModel struct {
	c       *common
	keys    listKeyMap
	text    string
	res     *ops.SearchResult
	table   table
	loading bool
	err     error
	req     uint64
	sc      scope
	spin    spinner.Model
}

func newFindModel(c *common, text string) findModel {
	m := findModel{c: c, sc: c.newScope(), keys: defaultListKeyMap(), text: strings.TrimSpace(text), spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
	m.table = newTable([]column{{title: "KIND", width: 8}, {title: "NAME", width: 0}, {title: "SERIAL", width: 12}, {title: "USER", width: 14, drop: 1},
		{title: "MODEL", width: 0, drop: 2}, {title: "OS", width: 12}, {title: "MATCHED", width: 16}})
	return m
}

func (m *findModel) load() tea.Cmd {
	m.req = m.c.nextTag()
	m.loading, m.err = true, nil
	req, from, client, ctx, text := m.req, m.sc.id, m.c.deps.Jamf, m.sc.ctx, m.text
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		res, err := ops.SearchDevices(ctx, client, text, ops.SearchOptions{})
		return foundMsg{req: req, from: from, res: res, err: err}
	})
}

// direct returns the match to open without a pick list: the only match,
// or the only exact one.
func direct(res *ops.SearchResult) (ops.Device, bool) {
	if res == nil {
		return ops.Device{}, false
	}
	if len(res.Matches) == 1 && !res.More {
		return res.Matches[0].Device, true
	}
	exact := -1
	for i, mt := range res.Matches {
		if mt.Rank != ops.RankExact {
			continue
		}
		if exact >= 0 {
			return ops.Device{}, false
		}
		exact = i
	}
	if exact < 0 {
		return ops.Device{}, false
	}
	return res.Matches[exact].Device, true
}

func kindLabel(k jamf.Platform) string {
	if k == jamf.PlatformMobile {
		return "mobile"
	}
	return "computer"
}

func (m *findModel) rebuild() {
	var matches []ops.SearchMatch
	if m.res != nil {
		matches = m.res.Matches
	}
	m.table.setData(len(matches), func(r, col int) string {
		mt := &matches[r]
		switch col {
		case 0:
			return kindLabel(mt.Kind)
		case 1:
			return ops.Clean(mt.Name)
		case 2:
			return ops.Clean(mt.Serial)
		case 3:
			return ops.Clean(mt.User)
		case 4:
			return ops.Clean(mt.Model)
		case 5:
			return ops.Clean(mt.OS)
		}
		if mt.Field == "" {
			return mt.Rank.String()
		}
		return mt.Rank.String() + " " + mt.Field
	}, func(r int) string { return string(matches[r].Kind) + "/" + matches[r].ID })
}

func (m findModel) capturing() bool { return false }

func (m findModel) Update(msg tea.Msg) (findModel, tea.Cmd) {
	switch msg := msg.(type) {
	case foundMsg:
		if msg.req != m.req {
			return m, nil
		}
		m.loading, m.err, m.res = false, msg.err, msg.res
		if msg.err != nil {
			return m, nil
		}
		m.rebuild()
		if d, ok := direct(msg.res); ok {
			return m, navigate(navigateMsg{to: screenDevice, device: &d, replace: m.sc.id})
		}
		return m, nil
	case spinner.TickMsg:
		return m, tickSpinner(&m.spin, m.loading, msg)
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.Open) && m.table.n > 0 {
			d := m.res.Matches[m.table.cursor].Device
			return m, navigate(navigateMsg{to: screenDevice, device: &d})
		}
	}
	m.table.move(msg)
	return m, nil
}

func (m *findModel) setSize(w, h int) { m.table.setSize(w, h-2) }

func (m findModel) title() string { return "Find · " + ops.Clean(m.text) }

func (m findModel) View() string {
	st := &m.c.styles
	top := st.App.Title.Render("Devices matching “" + ops.Clean(m.text) + "”")
	switch {
	case m.loading:
		return top + "\n\n  " + m.spin.View() + " Searching computers and mobile devices…"
	case m.err != nil:
		return top + "\n\n  " + st.App.Error.Render("Search failed") + "\n  " + humanError(m.err) + "\n\n  " + st.App.Subtle.Render("press r to retry")
	case m.res == nil || len(m.res.Matches) == 0:
		return top + "\n\n  No computer or mobile device matches by serial, name, user, email, UDID, management ID or asset tag.\n  Try part of the serial or name, or * as a wildcard (C02*)."
	}
	n := len(m.res.Matches)
	es := "es"
	if n == 1 {
		es = ""
	}
	parts := []string{top, st.App.Subtle.Render(fmt.Sprintf("%s match%s", formatCount(n), es)), st.App.Subtle.Render(m.table.position())}
	if m.res.More {
		parts = append(parts, st.App.Subtle.Render("more on the server: type more of the text to narrow"))
	}
	// The line breaks between its parts at narrow widths; the table gives
	// up the lines it takes.
	head := packParts(parts, max(20, m.c.width-1))
	t := m.table
	if extra := strings.Count(head, "\n"); extra > 0 {
		t.setSize(t.width, t.height+1-extra)
	}
	return head + "\n" + t.View(st)
}

func (m findModel) ShortHelp() []key.Binding { return []key.Binding{m.keys.Open} }

func (m findModel) FullHelp() [][]key.Binding {
	t := m.table.keys
	return [][]key.Binding{{m.keys.Open}, {t.Up, t.Down, t.PageUp, t.PageDown, t.Top, t.Bottom}}
}

func (m findModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m findModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m findModel) reload() (screen, tea.Cmd)          { cmd := m.load(); return m, cmd }
func (m findModel) owner() scope                       { return m.sc }
