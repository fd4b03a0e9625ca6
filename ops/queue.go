package ops

import (
	"context"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/jamfops/jamfops/jamf"
)

// AgeBuckets names the age columns of the queue view.
func AgeBuckets() []string { return []string{"< 1 h", "1–24 h", "1–7 d", "7–30 d", "> 30 d"} }

func ageBucket(age time.Duration) int {
	switch {
	case age < time.Hour:
		return 0
	case age < 24*time.Hour:
		return 1
	case age < 7*24*time.Hour:
		return 2
	case age < 30*24*time.Hour:
		return 3
	}
	return 4
}

// TypeBacklog counts one command type's waiting and failed commands.
type TypeBacklog struct {
	Command string
	Pending int // includes NotNow
	NotNow  int
	Failed  int
	// Ages counts pending commands per AgeBuckets column.
	Ages [5]int
}

// DeviceBacklog is one device's share of the backlog.
type DeviceBacklog struct {
	Device  Device
	Pending int
	NotNow  int
	Failed  int
	// Oldest is when its oldest still-pending command was sent.
	Oldest time.Time
}

// QueueSummary is the fleet view of a set of devices' MDM queues.
type QueueSummary struct {
	Devices      int
	Offline      int // no check-in for OfflineAfter
	TotalPending int
	TotalNotNow  int
	TotalFailed  int
	ByType       []TypeBacklog
	// Stuck lists devices with pending or failed commands, oldest pending first.
	Stuck []DeviceBacklog
}

// OfflineAfter is how long without a check-in makes a device count as offline.
const OfflineAfter = 24 * time.Hour

// queueChunk is how many devices one command-list request covers.
const queueChunk = 100

// AnalyseQueue reads the pending and failed commands of devices (in chunks,
// within the client's concurrency limit) and summarises them. progress, if
// set, is called after each chunk with devices done and total.
func AnalyseQueue(ctx context.Context, c *jamf.Client, devices []Device, now time.Time, progress func(done, total int)) (*QueueSummary, error) {
	byMgmt := make(map[string]int, len(devices))
	var ids []string
	for i, d := range devices {
		if d.ManagementID != "" {
			byMgmt[d.ManagementID] = i
			ids = append(ids, d.ManagementID)
		}
	}
	if cmds, ok, err := fleetQueue(ctx, c, byMgmt, len(ids)); err != nil {
		return nil, err
	} else if ok {
		if progress != nil {
			progress(len(ids), len(ids))
		}
		return summarise(devices, byMgmt, cmds, now), nil
	}
	var (
		mu   sync.Mutex
		all  []jamf.Command
		done int
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.Concurrency())
	for start := 0; start < len(ids); start += queueChunk {
		part := ids[start:min(len(ids), start+queueChunk)]
		g.Go(func() error {
			f := jamf.And(jamf.In("clientManagementId", part...), waitingOrFailed())
			cmds, _, err := c.MDM.ListCommands(gctx, &jamf.ListOptions{Filter: f, PageSize: 1000})
			if err != nil {
				return err
			}
			mu.Lock()
			all = append(all, cmds...)
			done += len(part)
			d := done
			mu.Unlock()
			if progress != nil {
				progress(d, len(ids))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return summarise(devices, byMgmt, all, now), nil
}

// waitingOrFailed matches the commands a queue view shows: still waiting
// on a device (pending, NotNow) or failed.
func waitingOrFailed() jamf.Filter {
	return jamf.Or(jamf.Eq("active", "true"), jamf.Eq("status", "Error"))
}

// fleetQueue reads the waiting and failed commands of the whole fleet in
// pages of jamf.MaxPageSize, keeping the devices' own, when that costs fewer
// requests than asking per chunk of devices: for a large group a fleet's
// backlog is usually a few pages, where chunks of 100 devices are hundreds
// of requests. It costs one request to find out; for small sets it does not
// ask and says no.
func fleetQueue(ctx context.Context, c *jamf.Client, byMgmt map[string]int, n int) ([]jamf.Command, bool, error) {
	chunks := (n + queueChunk - 1) / queueChunk
	if chunks <= 4 {
		return nil, false, nil
	}
	total, _, err := c.MDM.CountCommands(ctx, waitingOrFailed())
	if err != nil {
		return nil, false, err
	}
	if pages := (total + jamf.MaxPageSize - 1) / jamf.MaxPageSize; pages >= chunks {
		return nil, false, nil
	}
	all, _, err := c.MDM.ListCommands(ctx, &jamf.ListOptions{Filter: waitingOrFailed(), PageSize: jamf.MaxPageSize})
	if err != nil {
		return nil, false, err
	}
	kept := all[:0]
	for _, cmd := range all {
		if _, ok := byMgmt[cmd.Client.ManagementID]; ok {
			kept = append(kept, cmd)
		}
	}
	return kept, true, nil
}

func summarise(devices []Device, byMgmt map[string]int, cmds []jamf.Command, now time.Time) *QueueSummary {
	s := &QueueSummary{Devices: len(devices)}
	for _, d := range devices {
		if d.LastCheckIn == nil || now.Sub(*d.LastCheckIn) > OfflineAfter {
			s.Offline++
		}
	}
	types := map[string]*TypeBacklog{}
	per := map[int]*DeviceBacklog{}
	for _, c := range cmds {
		i, ok := byMgmt[c.Client.ManagementID]
		if !ok {
			continue
		}
		st := statusOf(c.CommandState)
		if st == StatusCompleted {
			continue
		}
		tb := types[c.CommandType]
		if tb == nil {
			tb = &TypeBacklog{Command: c.CommandType}
			types[c.CommandType] = tb
		}
		db := per[i]
		if db == nil {
			db = &DeviceBacklog{Device: devices[i]}
			per[i] = db
		}
		switch st {
		case StatusFailed:
			tb.Failed++
			db.Failed++
			s.TotalFailed++
		default:
			tb.Pending++
			db.Pending++
			s.TotalPending++
			if st == StatusNotNow {
				tb.NotNow++
				db.NotNow++
				s.TotalNotNow++
			}
			tb.Ages[ageBucket(now.Sub(c.DateSent.Time))]++
			if db.Oldest.IsZero() || c.DateSent.Before(db.Oldest) {
				db.Oldest = c.DateSent.Time
			}
		}
	}
	for _, tb := range types {
		s.ByType = append(s.ByType, *tb)
	}
	sort.Slice(s.ByType, func(i, j int) bool {
		a, b := s.ByType[i], s.ByType[j]
		if a.Pending+a.Failed != b.Pending+b.Failed {
			return a.Pending+a.Failed > b.Pending+b.Failed
		}
		return a.Command < b.Command
	})
	for _, db := range per {
		s.Stuck = append(s.Stuck, *db)
	}
	sort.Slice(s.Stuck, func(i, j int) bool {
		a, b := s.Stuck[i], s.Stuck[j]
		switch {
		case a.Oldest.IsZero() != b.Oldest.IsZero():
			return !a.Oldest.IsZero()
		case !a.Oldest.Equal(b.Oldest):
			return a.Oldest.Before(b.Oldest)
		case a.Pending+a.Failed != b.Pending+b.Failed:
			return a.Pending+a.Failed > b.Pending+b.Failed
		}
		if a.Device.Name != b.Device.Name {
			return a.Device.Name < b.Device.Name
		}
		return a.Device.ID < b.Device.ID
	})
	return s
}

// FlushPreview counts, by command type, what a flush of the given status
// would remove from these entries.
func FlushPreview(entries []CommandEntry, status jamf.FlushStatus) (map[string]int, int) {
	out := map[string]int{}
	total := 0
	for _, e := range entries {
		if (e.Active() && status != jamf.FlushFailed) || (e.Status == StatusFailed && status != jamf.FlushPending) {
			out[e.Command]++
			total++
		}
	}
	return out, total
}

// GroupFlushPreview counts what a flush would remove across a summary.
func GroupFlushPreview(s *QueueSummary, status jamf.FlushStatus) (map[string]int, int) {
	out := map[string]int{}
	total := 0
	for _, tb := range s.ByType {
		n := 0
		if status != jamf.FlushFailed {
			n += tb.Pending
		}
		if status != jamf.FlushPending {
			n += tb.Failed
		}
		if n > 0 {
			out[tb.Command] = n
			total += n
		}
	}
	return out, total
}
