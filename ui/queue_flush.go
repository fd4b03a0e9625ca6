package ui

import (
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// deviceFlushedMsg is the outcome of flushing one device's pending
// commands from the queue screen: its queue before and after.
type deviceFlushedMsg struct {
	from          uint64
	device        ops.Device
	count         int
	before, after *ops.QueueSummary
	err           error
}

func (m deviceFlushedMsg) addressee() uint64 { return m.from }

// confirmDeviceFlush asks to flush the pending commands of the device
// under the cursor in the stuck-devices table.
func (m queueModel) confirmDeviceFlush() (queueModel, tea.Cmd) {
	if why := m.c.writeBlocked(jamf.PrivFlushMDMCommands); why != "" {
		return m, reportError(fmt.Errorf("flushing is not available: %s", why))
	}
	if m.focus != 1 || m.stuck.n == 0 {
		return m, reportInfo("f flushes one device's pending commands: tab to the devices table and choose one.")
	}
	row := m.summary.Stuck[m.stuck.cursor]
	if row.Pending == 0 {
		return m, reportInfo("%s has no pending commands to flush.", ops.Clean(row.Device.Name))
	}
	d := row.Device
	actor, client, ctx, from, now := m.c.actor(), m.c.deps.Jamf, m.c.deps.Ctx, m.sc.id, m.c.now()
	m.ask = &confirmation{
		title: fmt.Sprintf("Flush %s of %s?", plural(row.Pending, "pending command"), ops.Clean(d.Name)),
		lines: []string{fmt.Sprintf("%s (%s). Jamf Pro re-sends what still applies (profiles).", ops.Clean(d.Name), ops.Clean(d.Serial))},
		onYes: func() tea.Msg {
			msg := deviceFlushedMsg{from: from, device: d}
			before, err := ops.AnalyseQueue(ctx, client, []ops.Device{d}, now, nil)
			if err != nil {
				msg.err = err
				return msg
			}
			preview, total := ops.GroupFlushPreview(before, jamf.FlushPending)
			if err := actor.Flush(ctx, []ops.Device{d}, jamf.FlushPending, preview); err != nil {
				msg.err = err
				return msg
			}
			msg.before, msg.count = before, total
			msg.after, msg.err = ops.AnalyseQueue(ctx, client, []ops.Device{d}, now, nil)
			return msg
		},
	}
	return m, nil
}

// deviceFlushed reports what was flushed and refreshes only that device's
// row (and the per-type counts it contributed to).
func (m queueModel) deviceFlushed(msg deviceFlushedMsg) (queueModel, tea.Cmd) {
	if msg.err != nil {
		return m, reportError(fmt.Errorf("flushing %s: %w", ops.Clean(msg.device.Name), msg.err))
	}
	text := fmt.Sprintf("Flushed %s of %s. Recorded in the audit log.", plural(msg.count, "pending command"), ops.Clean(msg.device.Name))
	if m.summary == nil || msg.after == nil {
		return m, reportInfo("%s", text)
	}
	s := *m.summary
	s.Stuck = slices.Clone(s.Stuck)
	s.ByType = slices.Clone(s.ByType)
	i := slices.IndexFunc(s.Stuck, func(b ops.DeviceBacklog) bool {
		return b.Device.ID == msg.device.ID && b.Device.Kind == msg.device.Kind
	})
	var row *ops.DeviceBacklog
	if len(msg.after.Stuck) > 0 {
		row = &msg.after.Stuck[0]
	}
	switch {
	case i >= 0 && row != nil:
		s.Stuck[i] = *row
	case i >= 0:
		s.Stuck = slices.Delete(s.Stuck, i, i+1)
	}
	s.TotalPending += msg.after.TotalPending - msg.before.TotalPending
	s.TotalNotNow += msg.after.TotalNotNow - msg.before.TotalNotNow
	s.TotalFailed += msg.after.TotalFailed - msg.before.TotalFailed
	delta := func(sum *ops.QueueSummary, sign int) {
		for _, tb := range sum.ByType {
			k := slices.IndexFunc(s.ByType, func(x ops.TypeBacklog) bool { return x.Command == tb.Command })
			if k < 0 {
				if sign < 0 {
					continue
				}
				s.ByType = append(s.ByType, ops.TypeBacklog{Command: tb.Command})
				k = len(s.ByType) - 1
			}
			t := &s.ByType[k]
			t.Pending += sign * tb.Pending
			t.NotNow += sign * tb.NotNow
			t.Failed += sign * tb.Failed
			for a := range t.Ages {
				t.Ages[a] += sign * tb.Ages[a]
			}
		}
	}
	delta(msg.before, -1)
	delta(msg.after, +1)
	s.ByType = slices.DeleteFunc(s.ByType, func(t ops.TypeBacklog) bool { return t.Pending == 0 && t.NotNow == 0 && t.Failed == 0 })
	m.summary = &s
	m.rebuild()
	return m, reportInfo("%s", text)
}
