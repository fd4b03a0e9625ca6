package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// riskEvent reports a bulk change's progress, then its outcome.
type riskEvent struct {
	from        uint64
	done, total int
	outcomes    []ops.RiskOutcome
	err         error
	final       bool
}

type riskKeyMap struct {
	list                 listKeyMap
	Mark, MarkAll, Clear key.Binding
	Level, Source        key.Binding
	Change, Reset        key.Binding
	Cancel               key.Binding
}

func defaultRiskKeyMap() riskKeyMap {
	return riskKeyMap{
		list:    defaultListKeyMap(),
		Mark:    key.NewBinding(key.WithKeys("space", "x"), key.WithHelp("space", "mark")),
		MarkAll: key.NewBinding(key.WithKeys("ctrl+a", "A"), key.WithHelp("A", "mark all shown")),
		Clear:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "clear marks")),
		Level:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "level filter")),
		Source:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "source filter")),
		Change:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "set level")),
		Reset:   key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reset to JSC")),
		Cancel:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cancel refresh")),
	}
}

// riskStage is where a change is in its dialogue.
type riskStage int

const (
	riskIdle riskStage = iota
	riskChoosing
	riskReason
	riskConfirm
	riskRunning
)

// levelFilters are what "v" cycles through; "" is all levels.
func levelFilters() []string { return []string{"", "elevated", "HIGH", "MEDIUM", "LOW", "SECURE"} }

// sourceFilters are what "o" cycles through.
func sourceFilters() []string { return []string{"", "jamfops", "other"} }

// riskModel lists JSC devices with their risk and changes it.
type riskModel struct {
	c     *common
	keys  riskKeyMap
	scope map[string]bool // lowercase UDIDs to show; nil for the whole fleet
	// scopeDevices are the scope's Jamf Pro devices (nil for the fleet).
	scopeDevices []ops.Device
	label        string
	// jscDevices is the last JSC listing (cached or fresh), jamfDevices
	// the Jamf Pro fleet; fleet is the two joined (or, for a small scope,
	// the scope's lookups: joinedOnly).
	jscDevices  []jsc.Device
	jamfDevices []ops.Device
	joinedOnly  bool
	fleet       []ops.RiskDevice
	idx         riskIndex
	riskMarks   map[string]ops.RiskMark
	// taken is when the listing shown was read; cached when it came from
	// the cache and no fresh listing has replaced it yet.
	taken       time.Time
	cached      bool
	cachedPages int
	opened      bool
	progress    int
	cancel      context.CancelFunc
	jamfReq     uint64
	prev        map[string]jsc.Level // levels at the previous refresh
	changed     map[string]bool
	view        []int
	marks       map[string]bool
	table       table
	filter      filterBox
	height      int // the screen's rows for this view (setSize)
	level       int
	source      int
	sortCol     int
	desc        bool
	loading     bool
	err         error
	req         uint64
	sc          scope
	spin        spinner.Model

	stage   riskStage
	action  string // "set" or "reset"
	target  jsc.Level
	reason  textinput.Model
	lastWhy string
	targets []ops.RiskDevice
	// selLabel says which devices targets are; typedWhy, when not "",
	// says why their count must be typed (count) before the change runs.
	selLabel string
	typedWhy string
	// typedHint is the typed confirmation's last line: how to change fewer.
	typedHint string
	count     textinput.Model
	bar       progress.Model
	done      int
	total     int
	events    chan riskEvent
}

func newRiskModel(c *common, scope []ops.Device, label string) riskModel {
	m := riskModel{c: c, sc: c.newScope(), keys: defaultRiskKeyMap(), marks: map[string]bool{}, changed: map[string]bool{}, label: label,
		spin: spinner.New(spinner.WithSpinner(spinner.Dot)), bar: progress.New(progress.WithDefaultBlend(), progress.WithoutPercentage())}
	if scope != nil {
		m.scopeDevices = scope
		m.scope = map[string]bool{}
		for _, d := range scope {
			m.scope[strings.ToLower(d.UDID)] = true
		}
	}
	m.filter = newFilterBox("filter by name, serial, user or JSC ID")
	m.reason = newInput("reason: ", "why (recorded in the audit log)")
	m.count = newInput("› ", "")
	m.table = newTable([]column{{title: "Δ", width: 1}, {title: "RISK", width: 7}, {title: "NAME", width: 0}, {title: "SERIAL", width: 12},
		{title: "USER", width: 15}, {title: "MODEL", width: 0}, {title: "CHECK-IN", width: 8, right: true}, {title: "SOURCE", width: 0, drop: 1}, {title: "SEEN", width: 6, right: true, drop: 2}})
	m.table.marked = func(id string) bool { return m.marks[id] }
	return m
}

func (m *riskModel) rebuild() {
	q := strings.ToLower(strings.TrimSpace(m.filter.value()))
	view := m.idx.filter(m.sortCol, m.desc, q, levelFilters()[m.level], sourceFilters()[m.source])
	m.view = view
	fleet, keys, changed, st, now := m.fleet, m.idx.keys, m.changed, &m.c.styles, m.c.now()
	m.table.setData(len(view), func(r, col int) string {
		d := fleet[view[r]]
		switch col {
		case 0:
			if changed[d.JSC.ID] {
				return "Δ"
			}
			return ""
		case 1:
			return riskStyle(st, d.JSC.Risk).Render(string(d.JSC.Risk))
		case 2:
			return ops.Clean(d.Name())
		case 3:
			return ops.Clean(d.Serial())
		case 4:
			if d.Jamf != nil && d.Jamf.User != "" {
				return ops.Clean(d.Jamf.User)
			}
			return ops.Clean(d.JSC.UserName)
		case 5:
			if d.Jamf != nil {
				return ops.Clean(d.Jamf.Model)
			}
			return "not in Jamf Pro"
		case 6:
			if d.Jamf == nil {
				return ""
			}
			return formatAge(d.Jamf.LastCheckIn, now)
		case 7:
			return ops.Clean(keys[view[r]].source)
		}
		seen := d.JSC.LastSeen
		return formatAge(&seen, now)
	}, func(r int) string { return fleet[view[r]].JSC.ID })
}

func riskStyle(st *Styles, l jsc.Level) lipgloss.Style {
	switch l {
	case jsc.High:
		return st.Risk.High
	case jsc.Medium:
		return st.Risk.Medium
	case jsc.Low:
		return st.Risk.Low
	case jsc.Secure:
		return st.Risk.Secure
	}
	return st.App.Subtle
}

func (m riskModel) capturing() bool { return m.filter.editing || m.stage != riskIdle }

func (m riskModel) blocked() string {
	if m.c.deps.JSC == nil {
		return "JSC is not configured (set JSC_APP_ID and JSC_APP_SECRET)"
	}
	return m.c.writeBlocked()
}

func (m riskModel) Update(msg tea.Msg) (riskModel, tea.Cmd) {
	switch msg := msg.(type) {
	case riskLoadedMsg:
		if msg.req != m.req {
			return m, nil
		}
		m.loading, m.cancel = false, nil
		if msg.err != nil {
			if errors.Is(msg.err, context.Canceled) {
				if m.fleet != nil {
					return m, reportInfo("Refresh cancelled: showing the listing %s.", ops.RiskAsOf(m.taken, m.c.now()))
				}
				m.err = errListingCancelled
				return m, nil
			}
			m.err = msg.err
			return m, nil
		}
		levels := make(map[string]jsc.Level, len(msg.devices)+len(msg.joined))
		clear(m.changed)
		note := func(id string, l jsc.Level) {
			levels[id] = l
			if before, ok := m.prev[id]; ok && before != l {
				m.changed[id] = true
			}
		}
		for _, d := range msg.devices {
			note(d.ID, d.Risk)
		}
		for _, d := range msg.joined {
			note(d.JSC.ID, d.JSC.Risk)
		}
		m.prev, m.riskMarks, m.taken, m.cached = levels, msg.marks, msg.taken, msg.cached
		if msg.scoped {
			m.joinedOnly, m.fleet = true, msg.joined
			m.index()
			return m, nil
		}
		m.jscDevices, m.joinedOnly = msg.devices, false
		if m.jscDevices == nil {
			m.jscDevices = []jsc.Device{} // an empty tenant, loaded
		}
		m.cachedPages = len(msg.devices)/100 + 1
		m.join()
		return m, nil
	case riskJamfMsg:
		if msg.req != m.jamfReq {
			return m, nil
		}
		if msg.err != nil {
			return m, reportError(fmt.Errorf("matching to Jamf Pro: %w", msg.err))
		}
		m.jamfDevices = msg.devices
		if m.jscDevices != nil {
			m.join()
		}
		return m, nil
	case riskProgressMsg:
		if msg.req != m.req {
			return m, nil
		}
		m.progress = msg.devices
		return m, waitMsg(msg.ch)
	case riskPatchMsg:
		if msg.req != m.req {
			return m, nil
		}
		m.loading = false
		if msg.err != nil {
			return m, reportError(msg.err)
		}
		fresh := make(map[string]jsc.Device, len(msg.devices))
		for _, d := range msg.devices {
			fresh[d.ID] = d
		}
		clear(m.changed)
		for i, d := range m.jscDevices {
			if f, ok := fresh[d.ID]; ok {
				m.jscDevices[i] = f
			}
		}
		for i, d := range m.fleet {
			if f, ok := fresh[d.JSC.ID]; ok {
				if f.Risk != d.JSC.Risk {
					m.changed[d.JSC.ID] = true
				}
				m.fleet[i].JSC = f
				if m.prev == nil {
					m.prev = map[string]jsc.Level{}
				}
				m.prev[d.JSC.ID] = f.Risk
			}
		}
		m.riskMarks = msg.marks
		m.index()
		return m, nil
	case riskEvent:
		if !msg.final {
			m.done, m.total = msg.done, msg.total
			return m, waitRisk(m.events)
		}
		m.stage = riskIdle
		failed := 0
		for _, o := range msg.outcomes {
			if o.Err != nil {
				failed++
				m.marks[o.Device.JSC.ID] = true // failures stay marked for a retry
			} else {
				delete(m.marks, o.Device.JSC.ID)
			}
		}
		reload := m.refreshAfter(msg.outcomes)
		switch {
		case msg.err != nil:
			return m, tea.Batch(reportError(msg.err), reload)
		case failed > 0:
			return m, tea.Batch(reportError(fmt.Errorf("%d of %d devices failed and stay marked for a retry; see the audit log (@)", failed, len(msg.outcomes))), reload)
		}
		return m, tea.Batch(reportInfo("Risk changed on %s devices. Recorded in the audit log; Δ marks levels that moved.", formatCount(len(msg.outcomes))), reload)
	case spinner.TickMsg:
		return m, tickSpinner(&m.spin, m.loading, msg)
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	m.table.move(msg)
	return m, nil
}

func (m riskModel) handleKey(msg tea.KeyPressMsg) (riskModel, tea.Cmd) {
	switch m.stage {
	case riskChoosing:
		m.stage = riskIdle
		switch msg.String() {
		case "h":
			m.action, m.target = "set", jsc.High
		case "m":
			m.action, m.target = "set", jsc.Medium
		case "l":
			m.action, m.target = "set", jsc.Low
		case "s":
			m.action, m.target = "set", jsc.Secure
		case "c":
			m.action = "reset"
		default:
			return m, reportInfo("Cancelled: nothing was changed.")
		}
		return m.askReason()
	case riskReason:
		switch msg.String() {
		case "esc":
			m.stage = riskIdle
			m.reason.Blur()
			return m, reportInfo("Cancelled: nothing was changed.")
		case "enter":
			if strings.TrimSpace(m.reason.Value()) == "" {
				return m, reportError(fmt.Errorf("a reason is required: it goes into the audit log"))
			}
			m.lastWhy = strings.TrimSpace(m.reason.Value())
			m.reason.Blur()
			m.stage = riskConfirm
			if m.typedWhy != "" {
				m.count.SetValue("")
				return m, m.count.Focus()
			}
			return m, nil
		}
		var cmd tea.Cmd
		m.reason, cmd = m.reason.Update(msg)
		return m, cmd
	case riskConfirm:
		if m.typedWhy != "" {
			return m.typeCount(msg)
		}
		if msg.String() != "y" {
			m.stage = riskIdle
			return m, reportInfo("Cancelled: nothing was changed.")
		}
		return m.run()
	case riskRunning:
		return m, nil
	}
	if cmd, ok := m.filter.edit(msg, m.rebuild); ok {
		return m, cmd
	}
	switch {
	case key.Matches(msg, m.keys.Cancel) && m.loading && m.cancel != nil:
		m.stopRefresh()
		return m, nil
	case key.Matches(msg, m.keys.list.Filter):
		return m, m.filter.start()
	case key.Matches(msg, m.keys.Level):
		m.level = (m.level + 1) % len(levelFilters())
		m.rebuild()
		return m, nil
	case key.Matches(msg, m.keys.Source):
		m.source = (m.source + 1) % len(sourceFilters())
		m.rebuild()
		return m, nil
	case key.Matches(msg, m.keys.list.Sort):
		m.sortCol = (m.sortCol + 1) % 3
		m.rebuild()
		return m, reportInfo("Sorted by %s.", []string{"risk", "name", "last seen"}[m.sortCol])
	case key.Matches(msg, m.keys.list.Reverse):
		m.desc = !m.desc
		m.rebuild()
		return m, nil
	case key.Matches(msg, m.keys.Mark):
		m.table.toggleMark(m.marks)
		return m, nil
	case key.Matches(msg, m.keys.MarkAll):
		for _, i := range m.view {
			m.marks[m.fleet[i].JSC.ID] = true
		}
		return m, reportInfo("%s devices marked.", formatCount(len(m.view)))
	case key.Matches(msg, m.keys.Clear):
		clear(m.marks)
		return m, nil
	case key.Matches(msg, m.keys.Change), key.Matches(msg, m.keys.Reset):
		if why := m.blocked(); why != "" {
			return m, reportError(fmt.Errorf("risk changes are not available: %s", why))
		}
		if m.targets, m.selLabel, m.typedWhy = m.selection(); len(m.targets) == 0 {
			if m.filtered() {
				return m, reportError(fmt.Errorf("the filters show no devices (esc clears the text, v and o cycle the level and source)"))
			}
			return m, reportError(fmt.Errorf("no devices are listed to change"))
		}
		m.typedHint = "esc cancels · mark devices with space to change only those"
		if m.marks[m.targets[0].JSC.ID] {
			m.typedHint = "esc cancels · clear the filters to see every marked device"
		}
		if key.Matches(msg, m.keys.Reset) {
			m.action = "reset"
			return m.askReason()
		}
		m.stage = riskChoosing
		return m, nil
	}
	m.table.move(msg)
	return m, nil
}

func (m *riskModel) setSize(w, h int) {
	m.height = h
	m.table.setSize(w, h-3)
	m.filter.setWidth(w - 4)
	m.reason.SetWidth(min(w, 100) - 16)
	m.bar.SetWidth(min(60, w-10))
}

func (m riskModel) title() string {
	if m.label != "" {
		return "Risk · " + ops.Clean(m.label)
	}
	return "Risk"
}

func (m riskModel) View() string {
	st := &m.c.styles
	if m.c.deps.JSC == nil {
		return st.App.Title.Render("JSC device risk") + "\n\n  " + st.App.Hint.Render("JSC is not configured.") +
			"\n  Set JSC_APP_ID and JSC_APP_SECRET (JSC portal › Integrations › Risk API), or add a Risk API app to the profile."
	}
	counts, shown := m.idx.counts, m.idx.shown
	head := st.App.Title.Render("JSC device risk")
	if m.label != "" {
		head += st.App.Subtle.Render(" · " + ops.Clean(m.label))
	}
	head += "  " + st.Risk.High.Render(fmt.Sprintf("HIGH %d", counts[jsc.High])) + " " + st.Risk.Medium.Render(fmt.Sprintf("MEDIUM %d", counts[jsc.Medium])) + " " +
		st.Risk.Low.Render(fmt.Sprintf("LOW %d", counts[jsc.Low])) + " " + st.Risk.Secure.Render(fmt.Sprintf("SECURE %d", counts[jsc.Secure]))
	b := m.c.deps.JSC.Budget()
	lf, sf := levelFilters()[m.level], sourceFilters()[m.source]
	// The subtitle breaks between its parts at narrow widths (the table
	// gives up a row for each extra line), never inside one.
	devices := formatCount(shown) + " devices"
	if m.filtered() && m.fleet != nil {
		devices = formatCount(len(m.view)) + " of " + devices
	}
	budget := fmt.Sprintf("Risk API budget %s of %s left today", formatCount(b.Remaining), formatCount(b.Limit))
	if m.c.width < 110 {
		budget = fmt.Sprintf("API budget %s/%s today", formatCount(b.Remaining), formatCount(b.Limit))
	}
	var parts []string
	if m.cached && m.fleet != nil {
		parts = append(parts, "cache "+ops.RiskAsOf(m.taken, m.c.now()))
	}
	parts = append(parts, devices, "level: "+orAll(lf), "source: "+orAll(sf), budget)
	if len(m.marks) > 0 {
		parts = append(parts, st.Table.Marked.Render(formatCount(len(m.marks))+" marked"))
	}
	if m.loading && m.fleet != nil {
		refreshing := m.spin.View() + " refreshing"
		if m.progress > 0 {
			refreshing += " (" + formatCount(m.progress) + " read)"
		}
		parts = append(parts, refreshing)
		if m.cancel != nil {
			parts = append(parts, "c cancel")
		}
	}
	parts = append(parts, m.table.position())
	sub := packParts(parts, max(20, m.c.width-1))
	if extra := strings.Count(sub, "\n"); extra > 0 {
		m.table.setSize(m.c.width, m.height-3-extra)
	}
	top := head + "\n" + st.App.Subtle.Render(sub)
	switch {
	case m.loading && m.fleet == nil:
		text := " Reading every JSC device and matching it to Jamf Pro (5 requests a second)…"
		if m.progress > 0 {
			text += " " + formatCount(m.progress) + " read · c cancel"
		}
		return top + "\n\n  " + m.spin.View() + text
	case errors.Is(m.err, errListingCancelled):
		return top + "\n\n  " + st.App.Hint.Render("Listing cancelled: nothing more was read.") + "\n\n  " + st.App.Subtle.Render("press r to read JSC")
	case m.err != nil:
		return top + "\n\n  " + st.App.Error.Render("Could not load risk") + "\n  " + humanError(m.err) + "\n\n  " + st.App.Subtle.Render("press r to retry")
	}
	switch m.stage {
	case riskChoosing:
		return top + "\n" + st.App.Box.Width(min(m.c.width-2, 100)).Render(st.App.Title.Render(fmt.Sprintf("Change risk of %s to…", m.selLabel))+"\n"+
			st.App.Key.Render("h")+" HIGH   "+st.App.Key.Render("m")+" MEDIUM   "+st.App.Key.Render("l")+" LOW   "+st.App.Key.Render("s")+" SECURE (pin)   "+
			st.App.Key.Render("c")+" clear: back to JSC's own level\n"+st.App.Subtle.Render("any other key cancels"))
	case riskReason:
		return top + "\n" + st.App.Box.Width(min(m.c.width-2, 100)).Render(st.App.Title.Render(m.actionText())+"\n"+m.reason.View()+"\n"+st.App.Subtle.Render("enter continue · esc cancel"))
	case riskConfirm:
		need := riskChangeNeeds(len(m.targets), m.c.deps.JSC.BatchSize(), len(m.jscDevices))
		c := confirmation{title: m.actionText() + "?", lines: []string{"Devices: " + m.selLabel, riskTargetsText(m.targets), "Reason: " + ops.Clean(m.lastWhy),
			fmt.Sprintf("Paced to 5 a second; about %d request(s) with the read-back, of %s left today.", need, formatCount(b.Remaining))}}
		if w := ops.RiskBudgetWarning(b, need); w != "" {
			c.lines = append(c.lines, "Warning: "+w+".")
		}
		if m.typedWhy != "" {
			return top + "\n" + st.App.Box.Width(min(m.c.width-2, 100)).Render(st.App.Title.Render(m.actionText()+"?")+"\n"+strings.Join(c.lines, "\n")+"\n"+
				st.App.Title.Render(m.typedWhy)+"\n"+st.App.Title.Render(fmt.Sprintf("Type the number of devices (%d) and enter:", len(m.targets)))+"\n"+
				m.count.View()+"\n"+st.App.Subtle.Render(m.typedHint))
		}
		return top + "\n" + c.View(st, m.c.width)
	case riskRunning:
		pct := 0.0
		if m.total > 0 {
			pct = float64(m.done) / float64(m.total)
		}
		return top + "\n\n  " + m.actionText() + fmt.Sprintf(": %s of %s devices", formatCount(m.done), formatCount(m.total)) + "\n  " + m.bar.ViewAs(pct)
	}
	body := m.table.View(st)
	if m.filter.active() {
		body += "\n" + m.filter.View()
	}
	return top + "\n" + body
}

func orAll(s string) string {
	if s == "" {
		return "all"
	}
	return s
}

func (m riskModel) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Mark, m.keys.Level, m.keys.list.Filter, m.c.gated(m.keys.Change), m.c.gated(m.keys.Reset)}
}

func (m riskModel) FullHelp() [][]key.Binding {
	t := m.table.keys
	return [][]key.Binding{{m.c.gated(m.keys.Change), m.c.gated(m.keys.Reset)}, {m.keys.Mark, m.keys.MarkAll, m.keys.Clear},
		{m.keys.Level, m.keys.Source, m.keys.list.Filter, m.keys.list.Sort, m.keys.list.Reverse, m.keys.Cancel}, {t.Up, t.Down, t.PageUp, t.PageDown, t.Top, t.Bottom}}
}
