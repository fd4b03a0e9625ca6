package ui

// This file holds the risk screen's change: which devices it acts on, the
// typed count, the reason, and the journaled job that sets or resets risk.

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// selection is what a change acts on, by the rule of every list: the
// marked devices, else the rows the filters show, else every device listed.
// The label says which ("12 filtered devices of Sales Macs"); why, when
// not "", is why the count must be typed to confirm: a selection nobody
// marked, of more than one device, or marked devices the filters hide
// (changed though not on screen).
func (m riskModel) selection() (targets []ops.RiskDevice, label, why string) {
	for _, d := range m.fleet {
		if m.marks[d.JSC.ID] && m.inScope(d) {
			targets = append(targets, d)
		}
	}
	of := "the JSC fleet"
	if m.label != "" {
		of = ops.Clean(m.label)
	}
	if len(targets) > 0 {
		label = fmt.Sprintf("%s of %s", plural(len(targets), "marked device"), of)
		shown := 0
		for _, i := range m.view {
			if m.marks[m.fleet[i].JSC.ID] {
				shown++
			}
		}
		if hidden := len(targets) - shown; hidden > 0 {
			label += fmt.Sprintf(", %s of them hidden by the filters", formatCount(hidden))
			why = "Marked devices the filters hide are changed too: this changes " + label + "."
		}
		return targets, label, why
	}
	targets = make([]ops.RiskDevice, len(m.view))
	for r, i := range m.view {
		targets[r] = m.fleet[i]
	}
	if m.filtered() {
		label = fmt.Sprintf("%s of %s", plural(len(targets), "filtered device"), of)
	} else if len(targets) == 1 {
		label = "the one device of " + of
	} else {
		label = fmt.Sprintf("all %s devices of %s", formatCount(len(targets)), of)
	}
	if len(targets) > 1 {
		why = "Nothing is marked: this changes " + label + "."
	}
	return targets, label, why
}

// filtered reports whether a filter hides rows: the text, the level or
// the source.
func (m riskModel) filtered() bool {
	return strings.TrimSpace(m.filter.value()) != "" || m.level != 0 || m.source != 0
}

// typeCount reads the typed count of a selection nobody marked: enter
// with the right number runs the change, esc or a wrong number cancels.
func (m riskModel) typeCount(msg tea.KeyPressMsg) (riskModel, tea.Cmd) {
	switch msg.String() {
	case "esc":
		m.stage = riskIdle
		m.count.Blur()
		return m, reportInfo("Cancelled: nothing was changed.")
	case "enter":
		m.stage = riskIdle
		m.count.Blur()
		if got := m.count.Value(); !countTyped(got, len(m.targets)) {
			return m, reportError(fmt.Errorf("cancelled: %q is not the number of devices (%d); nothing was changed", strings.TrimSpace(got), len(m.targets)))
		}
		return m.run()
	}
	var cmd tea.Cmd
	m.count, cmd = m.count.Update(msg)
	return m, cmd
}

// countTyped reports whether typed is n as the console writes it, with
// or without its thousands commas (1200 or 1,200), spaces around it
// ignored: not 12,00, 01200 or 1 200.
func countTyped(typed string, n int) bool {
	typed = strings.TrimSpace(typed)
	return typed == strconv.Itoa(n) || typed == formatCount(n)
}

// askReason opens the reason prompt, remembering the last reason.
func (m riskModel) askReason() (riskModel, tea.Cmd) {
	m.stage = riskReason
	m.reason.SetValue(m.lastWhy)
	m.reason.CursorEnd()
	return m, m.reason.Focus()
}

// run starts the change as a journaled mass-action job (resumable from
// :jobs after a crash); progress arrives over a channel.
func (m riskModel) run() (riskModel, tea.Cmd) {
	m.stage, m.done, m.total = riskRunning, 0, len(m.targets)
	ch := make(chan riskEvent, 1)
	m.events = ch
	deps, targets, action, level, reason, from := m.c.deps, m.targets, m.action, m.target, m.lastWhy, m.sc.id
	if action == "reset" {
		level = ""
	}
	go func() {
		outcomes, err := runRiskJob(deps, targets, level, reason, func(done, total int) {
			select {
			case ch <- riskEvent{from: from, done: done, total: total}:
			default:
			}
		})
		select {
		case <-ch:
		default:
		}
		ch <- riskEvent{from: from, outcomes: outcomes, err: err, final: true}
	}()
	return m, waitRisk(ch)
}

// runRiskJob plans, journals and runs a risk change, and reports each
// device's outcome.
func runRiskJob(deps Deps, targets []ops.RiskDevice, level jsc.Level, reason string, progress func(done, total int)) ([]ops.RiskOutcome, error) {
	k := mass.RiskKnobs()
	k.BatchSize = deps.JSC.BatchSize()
	p, pf, err := mass.BuildRisk(deps.JSC, mass.RiskRequest{Server: deps.jscServer(), Label: fmt.Sprintf("%d JSC devices", len(targets)),
		Level: level, Reason: reason, Knobs: k, Devices: targets})
	if err != nil {
		return nil, err
	}
	if len(pf.Missing) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(pf.Missing, "; "))
	}
	dir := deps.JobsDir
	if dir == "" {
		if dir, err = mass.JobsDir(); err != nil {
			return nil, err
		}
	}
	j, err := mass.CreateJournal(dir, p)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	_, st, err := mass.ReadJournal(j.Path())
	if err != nil {
		return nil, err
	}
	r := mass.NewRunner(deps.Jamf, j, deps.Audit)
	r.JSC = deps.JSC
	events := make(chan mass.Event, 16)
	r.Events = events
	go func() {
		for e := range events {
			if e.Kind == mass.EvProgress {
				progress(e.Sent+e.Failed, e.Total)
			}
		}
	}()
	final, err := r.Run(deps.Ctx, p, st)
	close(events)
	if err != nil {
		return nil, err
	}
	out := make([]ops.RiskOutcome, len(targets))
	for i, t := range targets {
		out[i] = ops.RiskOutcome{Device: t}
		if s := final.Targets[i]; s != mass.StateSent {
			out[i].Err = fmt.Errorf("%s: %s", s, final.Reasons[i])
		}
	}
	return out, nil
}

func waitRisk(ch <-chan riskEvent) tea.Cmd { return func() tea.Msg { return <-ch } }

func (m riskModel) actionText() string {
	if m.action == "reset" {
		return fmt.Sprintf("Reset %d device(s) to JSC's own risk level", len(m.targets))
	}
	return fmt.Sprintf("Set %d device(s) to %s", len(m.targets), m.target)
}

// riskTargetsText names up to three devices with their current level.
func riskTargetsText(ts []ops.RiskDevice) string {
	var names []string
	for i, d := range ts {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %s more", formatCount(len(ts)-3)))
			break
		}
		names = append(names, fmt.Sprintf("%s (%s, now %s)", ops.Clean(d.Name()), orDash(ops.Clean(d.Serial())), d.JSC.Risk))
	}
	return "Target: " + strings.Join(names, ", ")
}
