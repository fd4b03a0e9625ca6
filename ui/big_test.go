package ui

import (
	"os"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestOpen100kGroupRequests counts, on the server, the requests of opening
// the 100,000-member smart group "All Managed Clients" (members and
// command counts), and holds them to the budget: ⌈N ÷ 2000⌉ + 2 inventory
// requests and at most 3 count requests. It builds a 100,000-device fleet,
// so it runs only with JAMFOPS_BIG=1.
func TestOpen100kGroupRequests(t *testing.T) {
	if os.Getenv("JAMFOPS_BIG") == "" {
		t.Skip("set JAMFOPS_BIG=1 to open a 100,000-device group")
	}
	f := newFixture(t, jamftest.Options{Computers: 100_000, MobileDevices: 10}, "", "")
	m := start(t, f.deps, 160, 45)
	before := f.srv.Log().Routes()
	m, cmd := m.Update(keyMsg("enter"))
	m = driveWithin(t, m, cmd, 5*time.Minute)
	total := 0
	for route, n := range f.srv.Log().Routes() {
		if d := n - before[route]; d > 0 {
			t.Logf("%5d %s", d, route)
			total += d
		}
	}
	t.Logf("%5d requests in all", total)
	if _, ok := m.(Model).top().(membersModel); !ok {
		t.Fatalf("ended on %T", m.(Model).top())
	}
	inv := f.srv.Log().Routes()["GET /api/v4/computers-inventory"] - before["GET /api/v4/computers-inventory"]
	cmds := f.srv.Log().Routes()[commandsRoute] - before[commandsRoute]
	if inv > 100_000/2000+2 || cmds > 3 {
		t.Fatalf("%d inventory and %d count requests, want ≤ 52 and ≤ 3", inv, cmds)
	}
}

// driveWithin is drive with a longer deadline, for loads of a big fleet.
func driveWithin(t *testing.T, m tea.Model, cmd tea.Cmd, limit time.Duration) tea.Model {
	t.Helper()
	results := make(chan tea.Msg, 64)
	pending := 0
	run := func(c tea.Cmd) {
		if c != nil {
			pending++
			go func() { results <- c() }()
		}
	}
	run(cmd)
	deadline := time.After(limit)
	for pending > 0 {
		select {
		case msg := <-results:
			pending--
			switch msg := msg.(type) {
			case nil, spinner.TickMsg:
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			default:
				var next tea.Cmd
				m, next = m.Update(msg)
				run(next)
			}
		case <-deadline:
			t.Fatalf("commands did not settle within %s", limit)
		}
	}
	return m
}
