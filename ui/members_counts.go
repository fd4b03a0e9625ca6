package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// The request budget of the members screen's pending/failed counts. A
// group of up to countAllLimit devices is counted whole in the background
// (⌈N ÷ 100⌉ requests, at most 20), so every column sorts at once. A bigger
// group (or the whole inventory) is counted lazily: only the rows on screen
// plus one screen above and below, at most countWindowMax devices a fetch
// (at most 3 requests), and only rows not counted or asked for already.
// Opening a 100,000-device group therefore costs the members' inventory
// requests plus 1 to 3 count requests, not 1,000; scrolling a screen costs
// at most one more request per screen of new rows.
const (
	countAllLimit  = 2_000
	countWindowMax = 300
)

// lazyCounts reports whether the screen counts only the rows around the view.
func (m membersModel) lazyCounts() bool { return len(m.devices) > countAllLimit }

// moreCounts asks for the counts the screen lacks: all of them for a small
// group, those of the rows around the view for a big one. It returns nil
// when nothing is missing, nothing may be read, or they are being read.
func (m *membersModel) moreCounts() tea.Cmd {
	if m.loading || m.err != nil || len(m.devices) == 0 || m.c.privs.Missing(jamf.PrivViewMDMCommands) != nil {
		return nil
	}
	var want []ops.Device
	var at []int // want's positions in m.devices
	if !m.lazyCounts() {
		if m.counted || len(m.asked) > 0 {
			return nil
		}
		want = m.devices
		at = make([]int, len(want))
		for i := range at {
			at[i] = i
		}
	} else {
		lo := max(0, m.table.offset-m.table.height)
		hi := min(len(m.view), m.table.offset+2*m.table.height)
		for r := lo; r < hi && len(want) < countWindowMax; r++ {
			d := m.devices[m.view[r]]
			if !m.known[d.ID] && !m.asked[d.ID] {
				want = append(want, d)
				at = append(at, m.view[r])
			}
		}
		if len(want) == 0 {
			return nil
		}
	}
	for _, d := range want {
		m.asked[d.ID] = true
	}
	req, from, client, ctx, now := m.req, m.sc.id, m.c.deps.Jamf, m.sc.ctx, m.c.now()
	return func() tea.Msg {
		s, err := ops.AnalyseQueue(ctx, client, want, now, nil)
		return countsMsg{req: req, from: from, summary: s, asked: want, askedAt: at, err: err}
	}
}

// addCounts records the counts of the devices a countsMsg asked about
// (those absent from its summary have none).
func (m *membersModel) addCounts(msg countsMsg) {
	for _, d := range msg.asked {
		m.known[d.ID] = true
		delete(m.counts, d.ID)
	}
	for _, s := range msg.summary.Stuck {
		m.counts[s.Device.ID] = [2]int{s.Pending, s.Failed}
	}
	for j, i := range msg.askedAt {
		if i < len(m.idx.knownAt) {
			m.idx.knownAt[i], m.idx.countAt[i] = true, m.counts[msg.asked[j].ID]
		}
	}
	m.counted = len(m.known) >= len(m.devices)
	if m.sortCol >= 6 {
		m.idx.sorted = false
	}
}
