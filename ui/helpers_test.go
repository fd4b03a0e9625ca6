package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type fixture struct {
	srv   *jamftest.Server
	deps  Deps
	clock *jamftest.VirtualClock
}

// newFixture starts a small demo server on a virtual clock and the deps
// for a console on it.
func newFixture(t *testing.T, opts jamftest.Options, clientID, secret string) fixture {
	t.Helper()
	clock := jamftest.NewVirtualClock(t0)
	opts.Clock = clock
	if opts.Computers == 0 {
		opts.Computers = 300
	}
	if opts.MobileDevices == 0 {
		opts.MobileDevices = 100
	}
	srv, err := jamftest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	if clientID == "" {
		clientID, secret = jamftest.DemoClientID, jamftest.DemoClientSecret
	}
	c, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(clientID, secret))
	if err != nil {
		t.Fatal(err)
	}
	audit, err := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{srv: srv, clock: clock, deps: Deps{Ctx: t.Context(), Jamf: c, Audit: audit, Profile: "test", Now: clock.Now, JobsDir: t.TempDir()}}
}

// drive runs cmd and every command it leads to, feeding each message to
// m, until nothing is left. Spinner ticks are dropped so it ends.
func drive(t *testing.T, m tea.Model, cmd tea.Cmd) tea.Model {
	t.Helper()
	type result struct{ msg tea.Msg }
	results := make(chan result, 64)
	pending := 0
	start := func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() { results <- result{c()} }()
	}
	start(cmd)
	deadline := time.After(10 * time.Second)
	for pending > 0 {
		select {
		case r := <-results:
			pending--
			switch msg := r.msg.(type) {
			case nil, spinner.TickMsg:
			case tea.BatchMsg:
				for _, c := range msg {
					start(c)
				}
			default:
				var next tea.Cmd
				m, next = m.Update(msg)
				start(next)
			}
		case <-deadline:
			t.Fatal("commands did not settle within 10 s")
		}
	}
	return m
}

// press sends keys one by one, settling after each.
func press(t *testing.T, m tea.Model, keys ...string) tea.Model {
	t.Helper()
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(keyMsg(k))
		m = drive(t, m, cmd)
	}
	return m
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// typeText sends each rune of s as a key.
func typeText(t *testing.T, m tea.Model, s string) tea.Model {
	t.Helper()
	for _, r := range s {
		m = press(t, m, string(r))
	}
	return m
}

// start builds the console at a size and lets its first loads finish.
func start(t *testing.T, deps Deps, w, h int) tea.Model {
	t.Helper()
	var m tea.Model = New(deps)
	m, _ = m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return drive(t, m, m.Init())
}

// screenText renders the console without colour, with the server's
// random port replaced so that views can be compared.
func screenText(m tea.Model, srv *jamftest.Server) string {
	s := ansi.Strip(m.(Model).render())
	s = strings.ReplaceAll(s, srv.URL, "http://127.0.0.1:PORT")
	return strings.ReplaceAll(s, strings.TrimPrefix(srv.URL, "http://"), "127.0.0.1:PORT")
}

// deviceWith finds a computer whose queue has commands in one of states.
func deviceWith(t *testing.T, f fixture, states ...jamf.CommandState) ops.Device {
	t.Helper()
	ctx := context.Background()
	list, _, err := f.deps.Jamf.Computers.List(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		cmds, _, err := f.deps.Jamf.MDM.ListCommands(ctx, &jamf.ListOptions{Filter: jamf.Eq("clientManagementId", c.General.ManagementID)})
		if err != nil {
			t.Fatal(err)
		}
		for _, cmd := range cmds {
			if slices.Contains(states, cmd.CommandState) {
				return ops.FromComputer(c)
			}
		}
	}
	t.Fatal("no computer with such commands")
	return ops.Device{}
}
