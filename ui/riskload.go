package ui

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// riskAutoRefresh is the age under which a cached listing is shown without
// reading JSC again when the screen opens (r still reads it afresh). An
// older cache is shown at once and refreshed in the background.
const riskAutoRefresh = 5 * time.Minute

// errListingCancelled is a first listing cancelled with c.
var errListingCancelled = errors.New("listing cancelled")

// riskLoadedMsg is a JSC listing: from the cache, fresh, or (for a small
// scope) the scope's devices looked up one by one, already joined.
type riskLoadedMsg struct {
	req     uint64
	from    uint64
	devices []jsc.Device
	joined  []ops.RiskDevice // scoped lookups (scoped is true); devices is nil then
	scoped  bool
	taken   time.Time
	cached  bool
	marks   map[string]ops.RiskMark
	err     error
}

// riskJamfMsg is the Jamf Pro fleet, for matching.
type riskJamfMsg struct {
	req     uint64
	from    uint64
	devices []ops.Device
	err     error
}

// riskProgressMsg is a background listing's progress.
type riskProgressMsg struct {
	req     uint64
	from    uint64
	devices int
	ch      <-chan tea.Msg
}

// riskPatchMsg carries fresh records of the devices a change touched.
type riskPatchMsg struct {
	req     uint64
	from    uint64
	devices []jsc.Device
	marks   map[string]ops.RiskMark
	err     error
}

func (m riskJamfMsg) addressee() uint64     { return m.from }
func (m riskProgressMsg) addressee() uint64 { return m.from }

// cachePath is the tenant's snapshot file, "" when there is no cache.
func (m *riskModel) cachePath() string {
	rc := m.c.deps.JSC
	if m.c.deps.RiskCacheDir == "" || rc == nil {
		return ""
	}
	return ops.RiskCacheFile(m.c.deps.RiskCacheDir, rc.BaseURL(), rc.AppID())
}

// readMarks reads what jamfops set on this tenant.
func readMarks(audit *ops.AuditLog, tenant string) map[string]ops.RiskMark {
	if audit == nil {
		return nil
	}
	entries, _, err := audit.Read()
	if err != nil {
		return nil
	}
	return ops.RiskMarks(entries, tenant)
}

// load starts the screen's reads. The first load shows the cache at once
// (with its age) and refreshes in the background when the cache is older
// than riskAutoRefresh or missing; later loads (r) read JSC afresh. A
// small scope (K on a few devices) is looked up device by device instead.
func (m *riskModel) load() tea.Cmd {
	if m.c.deps.JSC == nil {
		return nil
	}
	first := !m.opened
	m.opened = true
	m.err = nil
	if m.scopeDevices != nil && oneByOneUI(len(m.scopeDevices), m.cachedPages) {
		return m.lookupScope()
	}
	var cmds []tea.Cmd
	if first {
		cmds = append(cmds, m.loadJamf())
		if path := m.cachePath(); path != "" {
			if snap, err := ops.LoadRiskSnapshot(path, m.c.deps.JSC.BaseURL(), m.c.deps.JSC.AppID()); err == nil {
				m.applyCache(snap)
				if snap.Age(m.c.now()) < riskAutoRefresh {
					return tea.Batch(cmds...)
				}
			} else if !errors.Is(err, os.ErrNotExist) {
				cmds = append(cmds, reportError(err))
			}
		}
	}
	cmds = append(cmds, m.refresh())
	return tea.Batch(cmds...)
}

// oneByOneUI says whether n devices are cheaper looked up one by one than
// by a listing of pages requests (100 when the tenant size is unknown).
func oneByOneUI(n, pages int) bool {
	if pages <= 0 {
		pages = 100
	}
	return n <= pages
}

// applyCache shows a snapshot at once.
func (m *riskModel) applyCache(snap *ops.RiskSnapshot) {
	m.jscDevices, m.taken, m.cached = snap.JSCDevices(), snap.Taken, true
	m.cachedPages = snap.Pages()
	m.riskMarks = readMarks(m.c.deps.Audit, m.c.deps.JSC.BaseURL())
	m.join()
}

// loadJamf reads the Jamf Pro fleet for matching, once per screen.
func (m *riskModel) loadJamf() tea.Cmd {
	jc := m.c.deps.Jamf
	if jc == nil {
		return nil
	}
	req, from, ctx := m.c.nextTag(), m.sc.id, m.sc.ctx
	m.jamfReq = req
	return func() tea.Msg {
		devs, err := ops.JamfFleet(ctx, jc)
		return riskJamfMsg{req: req, from: from, devices: devs, err: err}
	}
}

// refresh lists the tenant in the background with progress; c cancels it,
// and so does leaving the screen (its scope). A fresh listing replaces the
// cache.
func (m *riskModel) refresh() tea.Cmd {
	m.stopRefresh()
	m.req = m.c.nextTag()
	m.loading, m.progress = true, 0
	ctx, cancel := context.WithCancel(m.sc.ctx)
	m.cancel = cancel
	req, from, rc, audit, path, clock, cache := m.req, m.sc.id, m.c.deps.JSC, m.c.deps.Audit, m.cachePath(), m.c.now, m.c.cache
	ch := make(chan tea.Msg, 1)
	go func() {
		taken := clock()
		devs, err := rc.ListDevices(ctx, &jsc.ListOptions{Progress: func(n int) {
			select {
			case ch <- riskProgressMsg{req: req, from: from, devices: n, ch: ch}:
			default:
			}
		}})
		msg := riskLoadedMsg{req: req, from: from, devices: devs, taken: taken, err: err}
		if err == nil {
			msg.marks = readMarks(audit, rc.BaseURL())
			if path != "" {
				// The listing stands even if the cache cannot be written.
				cache.save(func() { _ = ops.SaveRiskSnapshot(path, ops.NewRiskSnapshot(rc.BaseURL(), rc.AppID(), taken, devs)) })
			}
		}
		select {
		case ch <- msg:
		case <-ctx.Done():
			select {
			case ch <- msg:
			default:
			}
		}
	}()
	return tea.Batch(m.spin.Tick, waitMsg(ch))
}

// stopRefresh cancels a background listing, if one runs.
func (m *riskModel) stopRefresh() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

func waitMsg(ch <-chan tea.Msg) tea.Cmd { return func() tea.Msg { return <-ch } }

// lookupScope reads a small scope device by device (one request each).
func (m *riskModel) lookupScope() tea.Cmd {
	m.req = m.c.nextTag()
	m.loading = true
	req, from, rc, ctx, audit, devs, clock := m.req, m.sc.id, m.c.deps.JSC, m.sc.ctx, m.c.deps.Audit, m.scopeDevices, m.c.now
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		taken := clock()
		joined, _, err := ops.LookupRiskByUDID(ctx, rc, devs)
		return riskLoadedMsg{req: req, from: from, joined: joined, scoped: true, taken: taken, marks: readMarks(audit, rc.BaseURL()), err: err}
	})
}

// refreshAfter re-reads the devices a change touched, one request each,
// when that costs fewer requests than listing the whole fleet again, and
// writes them into the cache.
func (m *riskModel) refreshAfter(outcomes []ops.RiskOutcome) tea.Cmd {
	// A small scope (joinedOnly) is always read back device by device.
	if pages := len(m.jscDevices)/100 + 1; len(outcomes) == 0 || (!m.joinedOnly && len(outcomes) > pages) {
		return m.refresh()
	}
	m.req = m.c.nextTag()
	m.loading = true
	devices := make([]ops.RiskDevice, len(outcomes))
	for i, o := range outcomes {
		devices[i] = o.Device
	}
	req, from, rc, ctx, audit, path, cache := m.req, m.sc.id, m.c.deps.JSC, m.sc.ctx, m.c.deps.Audit, m.cachePath(), m.c.cache
	return func() tea.Msg {
		now, ok, err := ops.ReadBackRisk(ctx, rc, devices)
		var out []jsc.Device
		for i, d := range now {
			if ok[i] {
				out = append(out, d.JSC)
			}
		}
		if path != "" && len(out) > 0 {
			cache.save(func() {
				if snap, lerr := ops.LoadRiskSnapshot(path, rc.BaseURL(), rc.AppID()); lerr == nil {
					snap.Update(out)
					_ = ops.SaveRiskSnapshot(path, snap)
				}
			})
		}
		return riskPatchMsg{req: req, from: from, devices: out, marks: readMarks(audit, rc.BaseURL()), err: err}
	}
}

// join matches the JSC devices with the Jamf Pro fleet and re-indexes.
func (m *riskModel) join() {
	if m.joinedOnly {
		m.index()
		return
	}
	m.fleet = ops.JoinRisk(m.jscDevices, m.jamfDevices)
	m.index()
}

// index recomputes keys, counts and sort orders, then the view.
func (m *riskModel) index() {
	m.idx = buildRiskIndex(m.fleet, m.riskMarks, m.inScope)
	m.rebuild()
}

func (m *riskModel) inScope(d ops.RiskDevice) bool {
	return m.scope == nil || (d.JSC.ExternalID != "" && m.scope[strings.ToLower(d.JSC.ExternalID)])
}

// riskChangeNeeds is about how many requests a change of n devices costs:
// the override batches and the read-back (one each, or one listing of a
// tenant of the given size when that is cheaper).
func riskChangeNeeds(n, batch, tenant int) int {
	read := n
	if pages := tenant/100 + 1; tenant > 0 && n > pages {
		read = pages
	}
	return (n+batch-1)/batch + read
}
