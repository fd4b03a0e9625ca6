package ui

import (
	"context"
	"strings"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"
)

// tagSource hands out numbers that are unique for the whole console: one
// per screen and one per load. The root owns it and hands it on (through
// common) to the screens it opens, and to the console of another profile
// after a switch, so a tag is never reused while a result could still be
// in flight.
type tagSource struct{ n atomic.Uint64 }

// next returns a fresh tag (never 0).
func (t *tagSource) next() uint64 { return t.n.Add(1) }

// scope is a screen's identity and lifetime. Its id is written on every
// result the screen asks for, so that the root delivers the result to that
// screen only; its ctx bounds the screen's loads and is cancelled when the
// screen is left (back, a palette jump, a profile switch).
type scope struct {
	id     uint64
	ctx    context.Context
	cancel context.CancelFunc
}

// newScope opens the scope of a new screen under the console's context.
func (c *common) newScope() scope {
	parent := c.deps.Ctx
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	return scope{id: c.tags.next(), ctx: ctx, cancel: cancel}
}

// nextTag returns a fresh request tag for a load.
func (c *common) nextTag() uint64 { return c.tags.next() }

// end cancels the screen's loads.
func (s scope) end() {
	if s.cancel != nil {
		s.cancel()
	}
}

// addressed is a result meant for one screen: the one whose scope id it
// carries. The root delivers it to that screen only, and drops it when that
// screen was left.
type addressed interface{ addressee() uint64 }

// orphaned is an addressed result that still has something to say when
// its screen is gone (the outcome of a write).
type orphaned interface{ orphanReport() tea.Cmd }

func (m groupsLoadedMsg) addressee() uint64   { return m.from }
func (m criteriaLoadedMsg) addressee() uint64 { return m.from }
func (m membersLoadedMsg) addressee() uint64  { return m.from }
func (m countsMsg) addressee() uint64         { return m.from }
func (m deviceCommandsMsg) addressee() uint64 { return m.from }
func (m deviceRiskMsg) addressee() uint64     { return m.from }
func (m queueEvent) addressee() uint64        { return m.from }
func (m auditLoadedMsg) addressee() uint64    { return m.from }
func (m preflightMsg) addressee() uint64      { return m.from }
func (m jobsListedMsg) addressee() uint64     { return m.from }
func (m jobDetailMsg) addressee() uint64      { return m.from }
func (m riskLoadedMsg) addressee() uint64     { return m.from }
func (m riskPatchMsg) addressee() uint64      { return m.from }
func (m riskEvent) addressee() uint64         { return m.from }
func (m blankPushDoneMsg) addressee() uint64  { return m.from }
func (m flushDoneMsg) addressee() uint64      { return m.from }

// orphanReport tells the outcome of a blank push whose screen was left.
func (m blankPushDoneMsg) orphanReport() tea.Cmd {
	if m.err != nil {
		return reportError(m.err)
	}
	return reportInfo("Blank push sent to %s devices (%d failed). Recorded in the audit log.", formatCount(m.ok), m.failed)
}

// orphanReport tells the outcome of a flush whose screen was left.
func (m flushDoneMsg) orphanReport() tea.Cmd {
	if m.err != nil {
		return reportError(m.err)
	}
	return reportInfo("Flushed %s %s commands. Recorded in the audit log.", formatCount(m.count), strings.ToLower(string(m.status)))
}
