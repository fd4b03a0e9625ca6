package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"golang.org/x/sync/errgroup"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

type groupsLoadedMsg struct {
	req    uint64
	from   uint64
	groups []ops.GroupSummary
	err    error
}

type criteriaLoadedMsg struct {
	req      uint64
	from     uint64
	criteria map[string]string // kind/id → summary
}

type groupsKeyMap struct {
	list       listKeyMap
	NextTab    key.Binding
	Queue      key.Binding
	CancelEdit key.Binding
	// All opens the whole inventory of the tab's kind.
	All key.Binding
}

func defaultGroupsKeyMap() groupsKeyMap {
	return groupsKeyMap{
		list:       defaultListKeyMap(),
		NextTab:    key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "computers/mobile")),
		Queue:      key.NewBinding(key.WithKeys("Q"), key.WithHelp("Q", "command queue")),
		CancelEdit: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		All:        key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all computers")),
	}
}

// groupsModel lists computer and mobile-device groups.
type groupsModel struct {
	c        *common
	keys     groupsKeyMap
	tab      jamf.Platform
	groups   []ops.GroupSummary
	criteria map[string]string
	view     []int
	table    table
	filter   filterBox
	sortCol  int
	desc     bool
	loading  bool
	err      error
	req      uint64
	sc       scope
	spin     spinner.Model
}

func newGroupsModel(c *common) groupsModel {
	m := groupsModel{c: c, sc: c.newScope(), keys: defaultGroupsKeyMap(), tab: jamf.PlatformComputer, sortCol: 2, criteria: map[string]string{}, spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
	m.filter = newFilterBox("filter by name or criteria")
	m.table = newTable([]column{{title: "TYPE", width: 6}, {title: "MEMBERS", width: 8, right: true}, {title: "NAME", width: 0}, {title: "CRITERIA", width: 0}})
	return m
}

func groupKey(g ops.GroupSummary) string { return string(g.Kind) + "/" + g.ID }

func (m groupsModel) Init() tea.Cmd { return nil }

// load starts fetching the groups.
func (m *groupsModel) load() tea.Cmd {
	m.req = m.c.nextTag()
	m.loading, m.err = true, nil
	req, from, client, ctx := m.req, m.sc.id, m.c.deps.Jamf, m.sc.ctx
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		groups, _, err := client.Groups.List(ctx, nil)
		return groupsLoadedMsg{req: req, from: from, groups: ops.Summarise(groups), err: err}
	})
}

// loadCriteria fetches smart-group criteria within the client's limit.
func loadCriteria(ctx context.Context, client *jamf.Client, req, from uint64, groups []ops.GroupSummary) tea.Cmd {
	return func() tea.Msg {
		var mu sync.Mutex
		out := map[string]string{}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(client.Concurrency())
		for _, grp := range groups {
			if !grp.Smart {
				continue
			}
			g.Go(func() error {
				var sg *jamf.SmartGroup
				var err error
				if grp.Kind == jamf.PlatformMobile {
					sg, _, err = client.Groups.GetSmartMobileGroup(gctx, grp.ID)
				} else {
					sg, _, err = client.Groups.GetSmartComputerGroup(gctx, grp.ID)
				}
				if err == nil {
					mu.Lock()
					out[groupKey(grp)] = criteriaSummary(sg.Criteria)
					mu.Unlock()
				}
				return nil // a group without criteria still lists
			})
		}
		_ = g.Wait()
		return criteriaLoadedMsg{req: req, from: from, criteria: out}
	}
}

// criteriaSummary renders criteria as one line.
func criteriaSummary(cs []jamf.Criterion) string {
	if len(cs) == 0 {
		return "(no criteria: every managed device)"
	}
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(" " + c.AndOr + " ")
		}
		if c.OpeningParen {
			b.WriteString("(")
		}
		fmt.Fprintf(&b, "%s %s %s", c.Name, c.SearchType, c.Value)
		if c.ClosingParen {
			b.WriteString(")")
		}
	}
	return ops.Clean(b.String())
}

func (m groupsModel) selected() (ops.GroupSummary, bool) {
	if m.table.n == 0 {
		return ops.GroupSummary{}, false
	}
	return m.groups[m.view[m.table.cursor]], true
}

// rebuild applies tab, filter and sort.
func (m *groupsModel) rebuild() {
	q := strings.ToLower(strings.TrimSpace(m.filter.value()))
	m.view = make([]int, 0, len(m.groups))
	for i, g := range m.groups {
		if g.Kind != m.tab {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(g.Name+" "+g.Description+" "+m.criteria[groupKey(g)]), q) {
			continue
		}
		m.view = append(m.view, i)
	}
	slices.SortStableFunc(m.view, func(a, b int) int {
		ga, gb := m.groups[a], m.groups[b]
		var c int
		switch m.sortCol {
		case 1:
			c = ga.MemberCount - gb.MemberCount
		case 0:
			c = boolCmp(ga.Smart, gb.Smart)
		default:
			c = strings.Compare(strings.ToLower(ga.Name), strings.ToLower(gb.Name))
		}
		if m.desc {
			c = -c
		}
		return c
	})
	groups, view, crit := m.groups, m.view, m.criteria
	m.table.setData(len(view), func(r, col int) string {
		g := groups[view[r]]
		switch col {
		case 0:
			if g.Smart {
				return "smart"
			}
			return "static"
		case 1:
			return formatCount(g.MemberCount)
		case 2:
			return ops.Clean(g.Name)
		}
		if !g.Smart {
			return "(static: members picked by hand)"
		}
		return crit[groupKey(g)]
	}, func(r int) string { return groupKey(groups[view[r]]) })
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// capturing reports whether typed keys belong to the filter.
func (m groupsModel) capturing() bool { return m.filter.editing }

func (m groupsModel) Update(msg tea.Msg) (groupsModel, tea.Cmd) {
	switch msg := msg.(type) {
	case groupsLoadedMsg:
		if msg.req != m.req {
			return m, nil // a newer load is on its way
		}
		m.loading, m.err = false, msg.err
		if msg.err != nil {
			return m, nil
		}
		m.groups = msg.groups
		m.rebuild()
		return m, loadCriteria(m.sc.ctx, m.c.deps.Jamf, m.req, m.sc.id, m.groups)
	case criteriaLoadedMsg:
		if msg.req == m.req {
			m.criteria = msg.criteria
			m.rebuild()
		}
		return m, nil
	case spinner.TickMsg:
		return m, tickSpinner(&m.spin, m.loading, msg)
	case tea.KeyPressMsg:
		if cmd, ok := m.filter.edit(msg, m.rebuild); ok {
			return m, cmd
		}
		switch {
		case key.Matches(msg, m.keys.list.Filter):
			return m, m.filter.start()
		case key.Matches(msg, m.keys.NextTab):
			if m.tab == jamf.PlatformComputer {
				m.tab = jamf.PlatformMobile
			} else {
				m.tab = jamf.PlatformComputer
			}
			m.table.cursor = 0
			m.rebuild()
			return m, nil
		case key.Matches(msg, m.keys.list.Sort):
			m.sortCol = (m.sortCol + 1) % 3
			m.rebuild()
			return m, reportInfo("Sorted by %s.", []string{"type", "member count", "name"}[m.sortCol])
		case key.Matches(msg, m.keys.list.Reverse):
			m.desc = !m.desc
			m.rebuild()
			return m, nil
		case key.Matches(msg, m.keys.list.Open):
			if g, ok := m.selected(); ok {
				return m, navigate(navigateMsg{to: screenMembers, group: &g})
			}
			return m, nil
		case key.Matches(msg, m.keys.All):
			return m, navigate(navigateMsg{to: screenMembers, group: &ops.GroupSummary{Kind: m.tab}, all: true})
		case key.Matches(msg, m.keys.Queue):
			if g, ok := m.selected(); ok {
				return m, navigate(navigateMsg{to: screenQueue, group: &g})
			}
			return m, nil
		case msg.String() == "esc" && m.filter.value() != "":
			m.filter.clear()
			m.rebuild()
			return m, nil
		}
	}
	m.table.move(msg)
	return m, nil
}

func (m *groupsModel) setSize(w, h int) { m.table.setSize(w, h-2); m.filter.setWidth(w - 4) }

func (m groupsModel) title() string { return "Groups" }

func (m groupsModel) View() string {
	st := &m.c.styles
	comp, mob := 0, 0
	for _, g := range m.groups {
		if g.Kind == jamf.PlatformComputer {
			comp++
		} else {
			mob++
		}
	}
	tabs := []string{fmt.Sprintf("Computer groups (%d)", comp), fmt.Sprintf("Mobile device groups (%d)", mob)}
	for i := range tabs {
		if (i == 0) == (m.tab == jamf.PlatformComputer) {
			tabs[i] = st.App.ActiveTab.Render(tabs[i])
		} else {
			tabs[i] = st.App.Tab.Render(tabs[i])
		}
	}
	top := strings.Join(tabs, " ")
	sortName := []string{"type", "members", "name"}[m.sortCol]
	top += st.App.Subtle.Render(fmt.Sprintf("   sort: %s   %s", sortName, m.table.position()))
	switch {
	case m.loading && len(m.groups) == 0:
		return top + "\n\n  " + m.spin.View() + " Loading groups…"
	case m.err != nil:
		return top + "\n\n  " + st.App.Error.Render("Could not load groups") + "\n  " + humanError(m.err) + "\n\n  " + st.App.Subtle.Render("press r to retry")
	}
	body := m.table.View(st)
	bottom := ""
	if m.filter.active() {
		bottom = "\n" + m.filter.View()
	}
	return top + "\n" + body + bottom
}

func (m groupsModel) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.list.Open, m.allKey(), m.keys.NextTab, m.keys.list.Filter, m.keys.list.Sort, m.keys.Queue}
}

// allKey is the All binding labelled for the current tab.
func (m groupsModel) allKey() key.Binding {
	b := m.keys.All
	b.SetHelp("a", strings.ToLower(allDevicesName(m.tab)))
	return b
}

func (m groupsModel) FullHelp() [][]key.Binding {
	t := m.table.keys
	return [][]key.Binding{{m.keys.list.Open, m.allKey(), m.keys.Queue, m.keys.NextTab}, {m.keys.list.Filter, m.keys.list.Sort, m.keys.list.Reverse}, {t.Up, t.Down, t.PageUp, t.PageDown, t.Top, t.Bottom}}
}
