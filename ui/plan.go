package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

type preflightMsg struct {
	req  uint64
	from uint64
	plan *mass.Plan
	pf   *mass.Preflight
	err  error
}

// planField is one row of the plan form.
type planField struct {
	label string
	value string
	help  string
}

const (
	fAction = iota
	fBatch
	fRate
	fConcurrency
	fPause
	fWindow
	fSkipOffline
	fSkipPending
	fMaxFailure
	fBacklog
	fStages
	fAuto
	fStageWait
	fParams
	fOrder
	fCanary
	fDuplicates
)

// actionChoices are the actions the form offers for the devices: blank
// push, the flushes, and only the commands that fit at least one of them.
func actionChoices(devices []ops.Device) []string {
	out := []string{"blank-push", "flush-failed", "flush-pending", "flush-both"}
	for _, c := range mass.FittingCommands(devices) {
		out = append(out, c.Type)
	}
	return append(out, softwareUpdate)
}

// softwareUpdate is the form's name for a staged OS update through
// managed software update plans (mass.KindSoftwareUpdate).
const softwareUpdate = "software-update"

// softwareUpdateHelp names the software update's parameters.
const softwareUpdateHelp = "version=latest-minor|latest-major|latest-any|X.Y[.Z]; action=download-install…; deferrals=N; at=2026-12-01T18:00; share=90%"

// formParams splits the form's parameters, "message=Call IT; phone=555",
// into trimmed name and value pairs (a name alone has an empty value).
func formParams(text string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(text, ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		out = append(out, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	return out
}

// parseSoftwareUpdate reads the form's "version=latest-minor; action=…"
// into a software-update action, validated as the CLI validates it.
func parseSoftwareUpdate(text string) (mass.Action, error) {
	var f mass.SoftwareUpdateFlags
	share := 0.9
	for _, nv := range formParams(text) {
		name, value := nv[0], nv[1]
		switch name {
		case "version":
			f.Version = value
		case "action":
			f.UpdateAction = value
		case "deferrals":
			n, err := strconv.Atoi(value)
			if err != nil {
				return mass.Action{}, fmt.Errorf("parameters: deferrals is a whole number")
			}
			f.MaxDeferrals = &n
		case "at":
			f.InstallAt = value
		case "share":
			v, err := strconv.ParseFloat(strings.TrimSuffix(value, "%"), 64)
			if err != nil || !(v > 0 && v <= 100) {
				return mass.Action{}, fmt.Errorf("parameters: share is a percentage above 0 and at most 100")
			}
			share = v / 100
		default:
			return mass.Action{}, fmt.Errorf("parameters: %q is not a parameter of %s (%s)", name, softwareUpdate, softwareUpdateHelp)
		}
	}
	if f.Version == "" {
		return mass.Action{}, fmt.Errorf("parameters: %s needs version=… (%s)", softwareUpdate, softwareUpdateHelp)
	}
	su, err := mass.ParseSoftwareUpdate(f)
	if err != nil {
		return mass.Action{}, fmt.Errorf("parameters: %w", err)
	}
	return mass.Action{Kind: mass.KindSoftwareUpdate, Update: &mass.UpdateJob{Request: su, Share: share, Poll: time.Minute}}, nil
}

// toggles are the fields ←/→ cycles through, with their values.
var toggles = map[int][]string{fAuto: {"no", "yes"}, fOrder: {mass.OrderGiven, mass.OrderRandom}, fDuplicates: {"skip", "send anyway"}}

// paramsHelp names the parameters the chosen action takes.
func paramsHelp(action string) string {
	if action == softwareUpdate {
		return softwareUpdateHelp
	}
	spec, ok := mass.LookupCommand(action)
	if !ok || len(spec.Params) == 0 {
		return action + " takes no parameters"
	}
	names := make([]string, len(spec.Params))
	for i, p := range spec.Params {
		names[i] = p.Flag
	}
	if action == "ERASE_DEVICE" {
		names = append(names, "return-to-service", "wifi-profile=FILE", "mdm-profile=FILE")
	}
	help := "name=value; … with " + strings.Join(names, ", ")
	if spec.Check != nil {
		help += " (message or phone required)"
	}
	return help
}

// parseParams reads the form's "message=Call IT; phone=555" into the
// command's fields (and ERASE_DEVICE's return-to-service option) and
// validates them with the catalogue.
func parseParams(a *mass.Action, text string) error {
	text = strings.TrimSpace(text)
	if a.Kind != mass.KindCommand {
		if text != "" {
			return fmt.Errorf("parameters: %s takes none", a)
		}
		return nil
	}
	spec, _ := mass.LookupCommand(a.CommandType)
	fields := map[string]any{}
	var rts returnToServiceText
	for _, nv := range formParams(text) {
		name, value := nv[0], nv[1]
		if a.CommandType == "ERASE_DEVICE" && rts.take(name, value) {
			continue
		}
		i := slices.IndexFunc(spec.Params, func(p mass.Param) bool { return p.Flag == name })
		if i < 0 {
			return fmt.Errorf("parameters: %q is not a parameter of %s (%s)", name, a.CommandType, paramsHelp(a.CommandType))
		}
		if spec.Params[i].Kind == mass.ParamBool {
			switch strings.ToLower(value) {
			case "", "yes", "true":
				fields[spec.Params[i].Field] = true
			case "no", "false":
				fields[spec.Params[i].Field] = false
			default:
				return fmt.Errorf("parameters: %s is yes or no", name)
			}
			continue
		}
		fields[spec.Params[i].Field] = value
	}
	if err := spec.ValidateFields(fields); err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	var err error
	if a.ReturnToService, err = rts.option(); err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	a.Fields = fields
	if len(fields) == 0 {
		a.Fields = nil
	}
	return nil
}

type planKeyMap struct {
	Up, Down, Left, Right, Edit, Preflight, Start key.Binding
}

func defaultPlanKeyMap() planKeyMap {
	return planKeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑", "field")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "field")),
		Left:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "change")),
		Right:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "change")),
		Edit:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "edit")),
		Preflight: key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "preflight")),
		Start:     key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "start…")),
	}
}

// planModel plans a mass action for a set of devices.
type planModel struct {
	c       *common
	keys    planKeyMap
	label   string
	devices []ops.Device
	fields  []planField
	cursor  int
	editing bool
	input   textinput.Model
	plan    *mass.Plan
	pf      *mass.Preflight
	err     error
	req     uint64
	sc      scope
	loading bool
	// confirm: 0 none, 1 y/N, 2 type the count, 3 type the profile name
	confirm int
	answer  textinput.Model
}

func newPlanModel(c *common, devices []ops.Device, label string) planModel {
	k := mass.DefaultKnobs()
	m := planModel{c: c, sc: c.newScope(), keys: defaultPlanKeyMap(), label: label, devices: devices, input: newInput("", ""), answer: newInput("› ", "")}
	m.fields = []planField{
		{"Action", "blank-push", "←/→ to choose"},
		{"Devices per request", strconv.Itoa(k.BatchSize), "batching several management IDs in one send"},
		{"Requests per second (ceiling)", fmt.Sprint(k.Rate), "the runner slows down on 429/503 and rising latency"},
		{"Concurrency", strconv.Itoa(k.Concurrency), "requests at once; Jamf asks for at most 5"},
		{"Pause between batches", k.Pause.String(), "e.g. 2s"},
		{"Time window", "", "HH:MM-HH:MM local, empty for any time"},
		{"Skip offline for more than (days)", strconv.Itoa(k.SkipOfflineDays), "0 never skips"},
		{"Skip with pending commands ≥", "0", "0 never skips"},
		{"Stop when failures exceed (%)", fmt.Sprint(k.MaxFailureRate * 100), ""},
		{"Backlog guard: pause above pending", "0", "0 is off"},
		{"Stages (cumulative)", "1%,10%,100%", "shares or counts, e.g. 25,10%,100%"},
		{"Auto-continue healthy stages", "no", "←/→ to toggle"},
		{"Watch each stage for", k.StageWait.String(), "before the next stage"},
		{"Parameters", "", paramsHelp("blank-push")},
		{"Stage order", mass.OrderGiven, "←/→: given (the list's order) or random (seeded, kept in the plan)"},
		{"Canary group (pilot)", "", "a group whose members go first; empty for none"},
		{"Devices already holding it pending", "skip", "←/→: skip them (no duplicate) or send anyway"},
	}
	// The form remembers its knobs within the session.
	if len(c.planForm) == len(m.fields) {
		for i := range m.fields {
			m.fields[i].value = c.planForm[i]
		}
	}
	if !slices.Contains(actionChoices(devices), m.fields[fAction].value) {
		m.fields[fAction].value = "blank-push"
	}
	m.fields[fParams].help = paramsHelp(m.fields[fAction].value)
	return m
}

// remember keeps the form's values for the next plan of the session.
func (m *planModel) remember() {
	m.c.planForm = make([]string, len(m.fields))
	for i, f := range m.fields {
		m.c.planForm[i] = f.value
	}
}

func (m *planModel) load() tea.Cmd { return nil }

// knobs parses the form.
func (m planModel) knobs() (mass.Action, mass.Knobs, error) {
	f := func(i int) string { return strings.TrimSpace(m.fields[i].value) }
	var a mass.Action
	var err error
	if f(fAction) == softwareUpdate {
		a, err = parseSoftwareUpdate(f(fParams))
	} else {
		a, err = mass.ParseAction(f(fAction))
	}
	if err != nil {
		return a, mass.Knobs{}, err
	}
	k := mass.DefaultKnobs()
	var errs []string
	atoi := func(i int, dst *int) {
		n, err := strconv.Atoi(f(i))
		if err != nil {
			errs = append(errs, m.fields[i].label+": not a whole number")
		}
		*dst = n
	}
	atoi(fBatch, &k.BatchSize)
	atoi(fConcurrency, &k.Concurrency)
	atoi(fSkipOffline, &k.SkipOfflineDays)
	atoi(fSkipPending, &k.SkipPendingAtLeast)
	atoi(fBacklog, &k.BacklogLimit)
	var perr error
	if k.Rate, perr = strconv.ParseFloat(f(fRate), 64); perr != nil {
		errs = append(errs, "rate: not a number")
	}
	pct, perr := strconv.ParseFloat(strings.TrimSuffix(f(fMaxFailure), "%"), 64)
	if perr != nil {
		errs = append(errs, "failure threshold: not a number")
	}
	k.MaxFailureRate = pct / 100
	if k.Pause, perr = time.ParseDuration(f(fPause)); perr != nil {
		errs = append(errs, "pause: use a duration like 2s")
	}
	if k.StageWait, perr = time.ParseDuration(f(fStageWait)); perr != nil {
		errs = append(errs, "stage wait: use a duration like 2m")
	}
	if w := f(fWindow); w != "" {
		start, end, ok := strings.Cut(w, "-")
		if !ok {
			errs = append(errs, "window: use HH:MM-HH:MM")
		}
		k.WindowStart, k.WindowEnd = strings.TrimSpace(start), strings.TrimSpace(end)
	}
	k.Stages = nil
	for _, part := range strings.Split(f(fStages), ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutSuffix(part, "%"); ok {
			share, err := strconv.ParseFloat(v, 64)
			if err != nil {
				errs = append(errs, "stages: "+part)
			}
			k.Stages = append(k.Stages, mass.Stage{Share: share / 100})
		} else if part != "" {
			n, err := strconv.Atoi(part)
			if err != nil {
				errs = append(errs, "stages: "+part)
			}
			k.Stages = append(k.Stages, mass.Stage{Count: n})
		}
	}
	k.AutoContinue = f(fAuto) == "yes"
	k.StageOrder = f(fOrder)
	k.CanaryGroup = f(fCanary)
	k.AllowDuplicates = f(fDuplicates) == "send anyway"
	if a.Kind != mass.KindSoftwareUpdate {
		if perr = parseParams(&a, f(fParams)); perr != nil {
			errs = append(errs, perr.Error())
		}
	}
	if len(errs) > 0 {
		return a, k, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return a, k, k.Validate()
}

func (m *planModel) preflight() tea.Cmd {
	a, k, err := m.knobs()
	if err != nil {
		m.err = err
		return nil
	}
	m.req = m.c.nextTag()
	m.loading, m.err, m.plan, m.pf = true, nil, nil, nil
	req, from, client, ctx, devs, label, server := m.req, m.sc.id, m.c.deps.Jamf, m.sc.ctx, m.devices, m.label, m.c.deps.jamfServer()
	return func() tea.Msg {
		var pilot []string
		if k.CanaryGroup != "" {
			ids, name, err := mass.PilotMembers(ctx, client, k.CanaryGroup, devs)
			if err != nil {
				return preflightMsg{req: req, from: from, err: fmt.Errorf("canary group: %w", err)}
			}
			pilot, k.CanaryGroup = ids, name
		}
		r := mass.Request{Server: server, Label: label, Action: a, Knobs: k, Devices: devs, Pilot: pilot}
		if a.Kind == mass.KindSoftwareUpdate {
			p, pf, _, err := mass.BuildSoftwareUpdate(ctx, client, r)
			return preflightMsg{req: req, from: from, plan: p, pf: pf, err: err}
		}
		p, pf, err := mass.Build(ctx, client, r)
		return preflightMsg{req: req, from: from, plan: p, pf: pf, err: err}
	}
}

func (m planModel) capturing() bool { return m.editing || m.confirm > 0 }

func (m planModel) Update(msg tea.Msg) (planModel, tea.Cmd) {
	switch msg := msg.(type) {
	case preflightMsg:
		if msg.req == m.req {
			m.loading, m.plan, m.pf, m.err = false, msg.plan, msg.pf, msg.err
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.confirm > 0 {
			return m.handleConfirm(msg)
		}
		if m.editing {
			switch msg.String() {
			case "enter":
				m.fields[m.cursor].value = m.input.Value()
				m.editing, m.plan, m.pf = false, nil, nil
				m.input.Blur()
				m.remember()
				return m, nil
			case "esc":
				m.editing = false
				m.input.Blur()
				return m, nil
			}
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			return m, cmd
		}
		switch {
		case key.Matches(msg, m.keys.Up):
			m.cursor = max(0, m.cursor-1)
		case key.Matches(msg, m.keys.Down):
			m.cursor = min(len(m.fields)-1, m.cursor+1)
		case key.Matches(msg, m.keys.Left), key.Matches(msg, m.keys.Right):
			step := 1
			if key.Matches(msg, m.keys.Left) {
				step = -1
			}
			choices := toggles[m.cursor]
			if m.cursor == fAction {
				choices = actionChoices(m.devices)
			}
			if choices == nil {
				return m, reportInfo("%s is typed: enter edits it.", m.fields[m.cursor].label)
			}
			i := slices.Index(choices, m.fields[m.cursor].value)
			m.fields[m.cursor].value = choices[(i+step+len(choices))%len(choices)]
			if m.cursor == fAction {
				m.fields[fParams].help = paramsHelp(m.fields[fAction].value)
			}
			m.plan, m.pf = nil, nil
			m.remember()
		case key.Matches(msg, m.keys.Edit):
			if _, toggle := toggles[m.cursor]; toggle || m.cursor == fAction {
				return m, reportInfo("%s is chosen with ←/→.", m.fields[m.cursor].label)
			}
			if m.cursor != fAction {
				m.editing = true
				m.input.SetValue(m.fields[m.cursor].value)
				m.input.CursorEnd()
				return m, m.input.Focus()
			}
		case key.Matches(msg, m.keys.Preflight):
			return m, m.preflight()
		case key.Matches(msg, m.keys.Start):
			if why := m.c.writeBlocked(); why != "" {
				return m, reportError(fmt.Errorf("mass actions are not available: %s", why))
			}
			if m.plan == nil || m.pf == nil {
				return m, reportError(fmt.Errorf("run the preflight first (P): it freezes the target list"))
			}
			if len(m.pf.Missing) > 0 {
				return m, reportError(fmt.Errorf("the credential lacks %s", quoteJoin(m.pf.Missing)))
			}
			if m.pf.Send == 0 {
				return m, reportError(fmt.Errorf("every target is skipped; nothing to send"))
			}
			m.confirm = 1
			if m.plan.Action.Destructive() {
				m.confirm = 2
				m.answer.SetValue("")
				return m, m.answer.Focus()
			}
		}
	}
	return m, nil
}

func (m planModel) handleConfirm(msg tea.KeyPressMsg) (planModel, tea.Cmd) {
	if m.confirm == 1 {
		m.confirm = 0
		if msg.String() != "y" {
			return m, reportInfo("Cancelled: nothing was sent.")
		}
		return m.start()
	}
	switch msg.String() {
	case "esc":
		m.confirm = 0
		m.answer.Blur()
		return m, reportInfo("Cancelled: nothing was sent.")
	case "enter":
		v := strings.TrimSpace(m.answer.Value())
		if m.confirm == 2 {
			if v != strconv.Itoa(m.pf.Send) {
				m.confirm = 0
				return m, reportInfo("Cancelled: the count did not match; nothing was sent.")
			}
			m.confirm = 3
			m.answer.SetValue("")
			return m, nil
		}
		m.confirm = 0
		m.answer.Blur()
		if v != m.c.deps.Profile {
			return m, reportInfo("Cancelled: the profile name did not match; nothing was sent.")
		}
		return m.start()
	}
	var cmd tea.Cmd
	m.answer, cmd = m.answer.Update(msg)
	return m, cmd
}

// start starts the confirmed plan as a job. The plan is used up: coming
// back to this screen, S asks for a new preflight (a new job) rather than
// starting the same one twice.
func (m planModel) start() (planModel, tea.Cmd) {
	p := m.plan
	m.plan, m.pf = nil, nil
	return m, startJob(m.c.deps.Ctx, m.c, p)
}

func (m *planModel) setSize(w, h int) { m.input.SetWidth(min(40, w-40)); m.answer.SetWidth(30) }

func (m planModel) title() string { return "Plan · " + ops.Clean(m.label) }

func (m planModel) View() string {
	st := &m.c.styles
	var b strings.Builder
	b.WriteString(st.App.Title.Render("Plan a mass action") + st.App.Subtle.Render(fmt.Sprintf(" · %s devices of %s", formatCount(len(m.devices)), ops.Clean(m.label))) + "\n\n")
	// The preflight (or its error) comes first, so that it is on screen
	// whole at 80×24; while a start is being confirmed, the question
	// replaces the form.
	pre := m.preflightView()
	switch {
	case m.confirm != 0:
		b.WriteString(pre)
	case m.loading || m.err != nil || m.pf != nil:
		b.WriteString(pre + "\n" + m.formView())
	default:
		b.WriteString(m.formView() + pre)
	}
	switch m.confirm {
	case 1:
		c := confirmation{title: fmt.Sprintf("Send %s to %s devices (%s)?", actionWithParams(m.plan.Action), formatCount(m.pf.Send), ops.Clean(m.label)),
			lines: []string{fmt.Sprintf("%d requests, stages %s, at most %.1f requests a second.", m.pf.Requests, mass.StagesText(m.pf.StageSizes), m.plan.Knobs.Rate)}}
		b.WriteString(c.View(st, m.c.width))
	case 2, 3:
		what := fmt.Sprintf("%s is destructive (%s). Type the number of devices (%s) and enter:", actionWithParams(m.plan.Action), ops.Clean(m.label), formatCount(m.pf.Send))
		if m.confirm == 3 {
			what = fmt.Sprintf("Now type the profile name (%s) and enter:", ops.Clean(m.c.deps.Profile))
		}
		b.WriteString(st.App.Box.Render(st.App.Title.Render(what) + "\n" + m.answer.View() + "\n" + st.App.Subtle.Render("esc cancels")))
	}
	return b.String()
}

// preflightView is the preflight's outcome (or what runs it), each line
// broken to the screen's width rather than cut.
func (m planModel) preflightView() string {
	st := &m.c.styles
	width := max(20, m.c.width-4)
	var b strings.Builder
	line := func(s string) { b.WriteString(indent(wrapLines(s, width, 4), "  ") + "\n") }
	switch {
	case m.loading:
		line("Preflight: resolving targets, skip rules and privileges…")
	case m.err != nil:
		b.WriteString("  " + st.App.Error.Render("Cannot plan") + "\n")
		b.WriteString(indent(wrapLines(humanError(m.err), width, 12), "  ") + "\n")
	case m.pf != nil:
		pf := m.pf
		b.WriteString(st.App.Bold.Render("  Preflight (nothing sent yet)") + "\n")
		line(fmt.Sprintf("%s devices: %s online, %s offline · %s to send, %s skipped", formatCount(pf.Total), formatCount(pf.Online),
			formatCount(pf.Offline), formatCount(pf.Send), formatCount(pf.Total-pf.Send)))
		for _, why := range ops.SortedByCount(pf.Skipped) {
			line(fmt.Sprintf("  skipped %s: %s", formatCount(pf.Skipped[why]), ops.Clean(why)))
		}
		if s := m.plan.Action.ParamsText(); s != "" {
			line("parameters: " + ops.Clean(s))
		}
		if m.plan.Action.Kind == mass.KindCommand && !m.plan.Knobs.AllowDuplicates {
			line(fmt.Sprintf("devices already holding %s pending are skipped (%s)", m.plan.Action.CommandType, formatCount(pf.Duplicates)))
		}
		line(fmt.Sprintf("%s requests in stages %s · %s", formatCount(pf.Requests), mass.StagesText(pf.StageSizes), mass.EstimateText(m.plan, pf)))
		if m.plan.Stages > 1 && len(pf.FirstStage) > 0 {
			line("first stage (" + firstStageOrder(m.plan) + "): " + namesPreview(pf.FirstStage, 5))
		}
		privs := "privileges: " + strings.Join(pf.Privileges, ", ")
		if len(pf.Missing) > 0 {
			b.WriteString(st.App.Error.Render(indent(wrapLines(privs+" — MISSING "+strings.Join(pf.Missing, ", "), width, 4), "  ")) + "\n")
		} else {
			b.WriteString(st.App.Info.Render(indent(wrapLines(privs+" — held", width, 4), "  ")) + "\n")
		}
	default:
		b.WriteString(st.App.Subtle.Render(indent(wrapLines("P runs the preflight: it freezes the exact target list and sends nothing.", width, 2), "  ")) + "\n")
	}
	return b.String()
}

// formView renders the fields, the selected one highlighted with its help.
func (m planModel) formView() string {
	st := &m.c.styles
	var b strings.Builder
	for i, f := range m.fields {
		val := f.value
		if val == "" {
			val = "—"
		}
		if i == m.cursor && m.editing {
			val = m.input.View()
		}
		line := fmt.Sprintf("%-36s %s", f.label, val)
		if i == m.cursor {
			// The highlight is wide enough for the whole value
			// (DECLARATIVE_MANAGEMENT, a long parameter) where it fits.
			hl := min(m.c.width-4, max(56, ansi.StringWidth(line)))
			line = st.Table.Selected.Render(fit(line, hl, false)) + " " + st.App.Subtle.Render(fit(f.help, max(0, m.c.width-hl-4), false))
		}
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

func (m planModel) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Up, m.keys.Left, m.keys.Edit, m.keys.Preflight, m.c.gated(m.keys.Start)}
}

func (m planModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// actionWithParams names an action with its parameters.
func actionWithParams(a mass.Action) string {
	if s := a.ParamsText(); s != "" {
		return a.String() + " (" + ops.Clean(s) + ")"
	}
	return a.String()
}

// firstStageOrder says how the first stage was chosen.
func firstStageOrder(p *mass.Plan) string {
	switch {
	case p.Knobs.CanaryGroup != "":
		return "members of " + ops.Clean(p.Knobs.CanaryGroup) + " first"
	case p.Knobs.StageOrder == mass.OrderRandom:
		return fmt.Sprintf("random, seed %d", p.Knobs.Seed)
	}
	return "in list order"
}

// namesPreview names up to n devices and counts the rest.
func namesPreview(names []string, n int) string {
	out := make([]string, 0, n+1)
	for i, name := range names {
		if i == n {
			out = append(out, fmt.Sprintf("and %s more", formatCount(len(names)-n)))
			break
		}
		out = append(out, ops.Clean(name))
	}
	return strings.Join(out, ", ")
}
