package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// collect runs cmd and the batches it returns without feeding anything
// back, and returns the messages it produced (spinner ticks dropped).
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil, spinner.TickMsg:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, collect(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

// twoGroups returns the biggest computer group and a small non-empty one.
func twoGroups(t *testing.T, m tea.Model) (big, small ops.GroupSummary) {
	t.Helper()
	g := topOf(m).(groupsModel)
	for _, x := range g.groups {
		if x.Kind != "computer" || x.MemberCount == 0 {
			continue
		}
		if x.MemberCount > big.MemberCount {
			big = x
		}
		if small.ID == "" || x.MemberCount < small.MemberCount {
			small = x
		}
	}
	if big.MemberCount <= small.MemberCount || small.MemberCount == 0 {
		t.Fatalf("no big and small group: %+v %+v", big, small)
	}
	return big, small
}

// openHeld opens a screen through the root and returns the messages its
// load produced, run but not yet delivered.
func openHeld(t *testing.T, m tea.Model, nav navigateMsg) (tea.Model, []tea.Msg) {
	t.Helper()
	m, cmd := m.Update(nav)
	return m, collect(cmd)
}

func ids(devs []ops.Device) []string {
	out := make([]string, len(devs))
	for i, d := range devs {
		out[i] = d.ID
	}
	slices.Sort(out)
	return out
}

// A big load of group A, abandoned, must not land on group B's screen,
// and B's actions must target B's devices only.
func TestStaleResultDeliveredToANewScreen(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 120, 40)
	a, b := twoGroups(t, m)
	m, heldA := openHeld(t, m, navigateMsg{to: screenMembers, group: &a})
	if len(heldA) == 0 {
		t.Fatal("opening A started no load")
	}
	m = press(t, m, "esc")
	m = drive(t, m, navigate(navigateMsg{to: screenMembers, group: &b}))
	bm := topOf(m).(membersModel)
	want := ids(bm.devices)
	if len(want) != b.MemberCount || bm.group.ID != b.ID {
		t.Fatalf("B shows %d devices, want %d", len(want), b.MemberCount)
	}
	// A's result arrives late.
	for _, msg := range heldA {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		m = drive(t, m, cmd)
	}
	bm = topOf(m).(membersModel)
	if got := ids(bm.devices); !slices.Equal(got, want) || bm.table.n != len(want) {
		t.Fatalf("B's screen now shows %d devices (table %d), want B's %d", len(got), bm.table.n, len(want))
	}
	if v := screenText(m, f.srv); !strings.Contains(v, fmt.Sprintf("%d devices", b.MemberCount)) {
		t.Fatalf("B's view:\n%s", v)
	}
	// Mark all shown and ask for a blank push: B's count, B's devices.
	m = press(t, m, "A", "b")
	bm = topOf(m).(membersModel)
	if bm.ask == nil || !strings.Contains(bm.ask.title, fmt.Sprintf("to %d devices", b.MemberCount)) {
		t.Fatalf("blank push question: %+v", bm.ask)
	}
	m = press(t, m, "n", "u", "M")
	p, ok := topOf(m).(planModel)
	if !ok {
		t.Fatalf("M opened %T", topOf(m))
	}
	if got := ids(p.devices); !slices.Equal(got, want) {
		t.Fatalf("the mass plan targets %d devices, want B's %d", len(got), len(want))
	}
}

// The load of a screen that was left is cancelled: run after esc, it
// ends with the context's error rather than reading from the server.
func TestLeavingAScreenCancelsItsLoads(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 120, 40)
	a, _ := twoGroups(t, m)
	leave := map[string]func(tea.Model) tea.Model{
		"esc": func(m tea.Model) tea.Model { return press(t, m, "esc") },
		"palette": func(m tea.Model) tea.Model {
			m = press(t, m, ":")
			m = typeText(t, m, "groups")
			return press(t, m, "enter")
		},
	}
	for name, leaveFn := range leave {
		m2, cmd := m.Update(navigateMsg{to: screenMembers, group: &a})
		ctx := topOf(m2).(membersModel).sc.ctx
		if ctx.Err() != nil {
			t.Fatalf("%s: the screen's context is done before it is left", name)
		}
		m2 = leaveFn(m2)
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("%s: leaving did not cancel the screen's context", name)
		}
		var got *membersLoadedMsg
		for _, msg := range collect(cmd) {
			if ml, ok := msg.(membersLoadedMsg); ok {
				got = &ml
			}
		}
		if got == nil || !errors.Is(got.err, context.Canceled) {
			t.Fatalf("%s: the abandoned load ended with %+v, want context.Canceled", name, got)
		}
		if _, ok := topOf(m2).(groupsModel); !ok {
			t.Fatalf("%s: on %T", name, topOf(m2))
		}
	}
}

// Tags are unique across screens: two screens of the same kind never
// share one, so a result is for exactly one load.
func TestRequestTagsAreAppWide(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := start(t, f.deps, 120, 40)
	a, b := twoGroups(t, m)
	m, _ = m.Update(navigateMsg{to: screenMembers, group: &a})
	first := topOf(m).(membersModel)
	m, _ = m.Update(keyMsg("esc"))
	m, _ = m.Update(navigateMsg{to: screenMembers, group: &b})
	second := topOf(m).(membersModel)
	if first.req == second.req || first.sc.id == second.sc.id {
		t.Fatalf("two members screens share a tag: req %d/%d screen %d/%d", first.req, second.req, first.sc.id, second.sc.id)
	}
}

// A profile switch cancels every screen of the old profile.
func TestProfileSwitchCancelsOldScreens(t *testing.T) {
	t.Parallel()
	a := newFixture(t, jamftest.Options{}, "", "")
	b := newFixture(t, jamftest.Options{Computers: 40, MobileDevices: 10, Seed: 9}, "", "")
	b.deps.Profile = "lab"
	a.deps.Switch = func(string) (Deps, error) { return b.deps, nil }
	m := start(t, a.deps, 120, 40)
	grp, _ := twoGroups(t, m)
	m, _ = m.Update(navigateMsg{to: screenMembers, group: &grp})
	ctxs := []context.Context{m.(Model).stack[0].owner().ctx, topOf(m).(membersModel).sc.ctx}
	m, _ = m.(Model).switchProfile("lab")
	for i, ctx := range ctxs {
		if ctx.Err() == nil {
			t.Fatalf("screen %d of the old profile still runs", i)
		}
	}
	if topOf(m).owner().ctx.Err() != nil {
		t.Fatal("the new profile's screen starts cancelled")
	}
}
