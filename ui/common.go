package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// Deps are what the console needs from outside: a connected client and
// where writes are recorded.
type Deps struct {
	// Ctx bounds every request; cancelling it stops work in flight.
	Ctx context.Context
	// Jamf is the Jamf Pro client.
	Jamf *jamf.Client
	// JSC is the Risk API client; nil when no JSC credentials were given.
	JSC *jsc.Client
	// Audit records every write before it is reported done.
	Audit *ops.AuditLog
	// Profile names the connection in the header ("demo", "production").
	Profile string
	// Accent is the profile's colour ("#d70000" for production); "" for the default.
	Accent string
	// ReadOnly hides and disables every write.
	ReadOnly bool
	// BasicAuth is true for user-account profiles, which get a hint that
	// API clients are the least-privilege path.
	BasicAuth bool
	// Now tells the time for ages (default time.Now).
	Now func() time.Time
	// JobsDir is where job journals live ("" for the user data directory).
	JobsDir string
	// RiskCacheDir holds the risk snapshots (see ops.RiskCacheFile); ""
	// keeps no cache.
	RiskCacheDir string
	// Profiles lists profile names for :profile; Switch opens one.
	Profiles []string
	Switch   func(name string) (Deps, error)
	// DiscardJob deletes an interrupted job from dir (C in :jobs). Nil
	// uses mass.Discard, which refuses a job another process runs.
	DiscardJob func(dir, id string) error
	// ServerID, when set, names the Jamf Pro server in job plans instead
	// of its URL (and JSCServerID the JSC tenant): the demo sets a stable
	// identity, since its in-process servers get a new port on each run.
	ServerID, JSCServerID string
}

// jamfServer is how job plans name this console's Jamf Pro server.
func (d Deps) jamfServer() string {
	switch {
	case d.ServerID != "":
		return d.ServerID
	case d.Jamf != nil:
		return d.Jamf.BaseURL()
	}
	return ""
}

// jscServer is how job plans name this console's JSC tenant.
func (d Deps) jscServer() string {
	switch {
	case d.JSCServerID != "":
		return d.JSCServerID
	case d.JSC != nil:
		return d.JSC.BaseURL()
	}
	return ""
}

// common is shared by every screen: dependencies, styles and what the
// server told us at start. Screens read it; only the root changes it.
type common struct {
	deps Deps
	// cache orders the risk cache's writes with the console's end.
	cache   *cacheWriter
	styles  Styles
	isDark  bool
	version string
	privs   *jamf.Privileges
	width   int
	height  int
	// jobs are the mass actions started in this session, by job ID.
	jobs map[string]*liveJob
	// planForm are the plan form's values, kept for the next plan of the
	// session (ui/plan.go).
	planForm []string
	// tags numbers screens and loads; the root owns it (see tagSource).
	tags *tagSource
}

func (c *common) now() time.Time {
	if c.deps.Now != nil {
		return c.deps.Now()
	}
	return time.Now()
}

func (c *common) actor() ops.Actor {
	return ops.Actor{Client: c.deps.Jamf, Audit: c.deps.Audit, Server: c.deps.Profile}
}

// allow enables b only when writes are allowed and the credential holds
// privs; it returns why not ("" when allowed).
func (c *common) allow(b *key.Binding, privs ...string) string {
	why := c.writeBlocked(privs...)
	b.SetEnabled(why == "")
	return why
}

// writeBlocked says why a write needing privs cannot be done, or "".
func (c *common) writeBlocked(privs ...string) string {
	if c.deps.ReadOnly {
		return "read-only mode"
	}
	if missing := c.privs.Missing(privs...); len(missing) > 0 {
		return "needs privilege " + quoteJoin(missing)
	}
	return ""
}

func quoteJoin(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += " and "
		}
		out += "\u201c" + n + "\u201d"
	}
	return out
}

// gated returns b as the help should show it: hidden in read-only mode,
// and labelled with the missing privilege when the credential lacks it.
func (c *common) gated(b key.Binding, privs ...string) key.Binding {
	if c.deps.ReadOnly {
		b.SetEnabled(false)
		return b
	}
	if missing := c.privs.Missing(privs...); len(missing) > 0 {
		h := b.Help()
		b.SetHelp(h.Key, h.Desc+" (needs "+quoteJoin(missing)+")")
	}
	return b
}

// newInput builds a one-line text input with a steady (non-blinking)
// cursor, as every prompt and filter in the console uses.
func newInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}

// tickSpinner advances a screen's spinner while it loads and lets it stop
// once loading is over.
func tickSpinner(spin *spinner.Model, loading bool, msg spinner.TickMsg) tea.Cmd {
	if !loading {
		return nil
	}
	var cmd tea.Cmd
	*spin, cmd = spin.Update(msg)
	return cmd
}

// answerAsk gives a key to a pending confirmation, closing it; ok is false
// when there is none.
func answerAsk(ask **confirmation, msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	if *ask == nil {
		return nil, false
	}
	cmd = (*ask).handle(msg)
	*ask = nil
	return cmd, true
}
