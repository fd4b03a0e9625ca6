package jamftest

import (
	"container/heap"
	"hash/fnv"
	"time"
)

// mdmCommand is one queued MDM command.
type mdmCommand struct {
	uuid      string
	dev       *device
	kind      string // Jamf command type, e.g. RESTART_DEVICE
	state     string // PENDING, NOT_NOW, ACKNOWLEDGED, ERROR
	sent      time.Time
	lastPush  time.Time
	completed time.Time
	attempts  int
	errCode   int
	errDomain string
	errText   string
	sender    string
}

func (c *mdmCommand) active() bool { return c.state == "PENDING" || c.state == "NOT_NOW" }

// eventKind is what happens to a device at a scheduled time.
type eventKind int

const (
	evCheckIn   eventKind = iota // the device answers a push and fetches its queue
	evRetryPush                  // Jamf Pro re-pushes a device with pending commands
)

type event struct {
	at   time.Time
	dev  *device
	kind eventKind
	seq  uint64
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// queue is the server's MDM command queue and device-behaviour simulation.
// Time only moves when advance is called, so it runs the same on a real and
// a virtual clock. The caller holds the server lock.
type queue struct {
	byUUID   map[string]*mdmCommand
	byDevice map[*device][]*mdmCommand
	events   eventHeap
	seq      uint64
	seed     uint64
	retry    time.Duration // Jamf Pro's re-push interval for pending commands
	// errorShare is the share of commands that fail for a transient reason
	// (0: the real-world 1.5 %).
	errorShare float64
	notNow     time.Duration // how long a busy device waits before it tries again
	newUUID    func() string
	onAck      func(c *mdmCommand)
	// changes counts device state changes that can move smart groups.
	changes int
}

func newQueue(seed uint64, retry, notNow time.Duration, newUUID func() string) *queue {
	return &queue{byUUID: map[string]*mdmCommand{}, byDevice: map[*device][]*mdmCommand{},
		seed: seed, retry: retry, notNow: notNow, newUUID: newUUID}
}

// roll returns a deterministic number in [0,1) for a command attempt.
func (q *queue) roll(parts ...string) float64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(q.seed >> (8 * i))
	}
	h.Write(b[:])
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return float64(h.Sum64()>>11) / float64(1<<53)
}

func (q *queue) schedule(d *device, at time.Time, kind eventKind) {
	switch kind {
	case evCheckIn:
		if !d.nextCheckIn.IsZero() && !at.Before(d.nextCheckIn) {
			return
		}
		d.nextCheckIn = at
	case evRetryPush:
		if !d.nextRetry.IsZero() && !at.Before(d.nextRetry) {
			return
		}
		d.nextRetry = at
	}
	q.seq++
	heap.Push(&q.events, event{at: at, dev: d, kind: kind, seq: q.seq})
}

// push is Jamf Pro asking Apple's push service to wake d at now.
func (q *queue) push(d *device, now time.Time, reason string) {
	for _, c := range q.byDevice[d] {
		if c.active() {
			c.lastPush = now
		}
	}
	if !d.online() {
		return
	}
	if q.roll(d.mgmtID, reason, now.Format(time.RFC3339Nano)) < d.pushLoss {
		return // Apple did not deliver this push; the retry will.
	}
	q.schedule(d, now.Add(d.pushDelay), evCheckIn)
}

// enqueue adds a command for d and pushes the device.
func (q *queue) enqueue(d *device, kind, sender string, now time.Time) *mdmCommand {
	c := &mdmCommand{uuid: q.newUUID(), dev: d, kind: kind, state: "PENDING", sent: now, lastPush: now, sender: sender}
	q.byUUID[c.uuid] = c
	q.byDevice[d] = append(q.byDevice[d], c)
	q.push(d, now, c.uuid)
	q.schedule(d, now.Add(q.retry), evRetryPush)
	return c
}

// advance plays every event up to now in time order.
func (q *queue) advance(now time.Time) {
	for len(q.events) > 0 && !q.events[0].at.After(now) {
		e := heap.Pop(&q.events).(event)
		switch e.kind {
		case evCheckIn:
			if !e.at.Equal(e.dev.nextCheckIn) {
				continue // superseded by an earlier check-in
			}
			e.dev.nextCheckIn = time.Time{}
			q.checkIn(e.dev, e.at)
		case evRetryPush:
			if !e.at.Equal(e.dev.nextRetry) {
				continue
			}
			e.dev.nextRetry = time.Time{}
			if q.hasActive(e.dev) {
				q.push(e.dev, e.at, "retry")
				q.schedule(e.dev, e.at.Add(q.retry), evRetryPush)
			}
		}
	}
}

func (q *queue) hasActive(d *device) bool {
	for _, c := range q.byDevice[d] {
		if c.active() {
			return true
		}
	}
	return false
}

// checkIn is the device fetching and running its queue at t.
func (q *queue) checkIn(d *device, t time.Time) {
	if !d.online() {
		return
	}
	d.lastMDM = t
	step := t
	retryLater := false
	for _, c := range q.byDevice[d] {
		if !c.active() {
			continue
		}
		c.attempts++
		step = step.Add(time.Second + time.Duration(q.roll(c.uuid, "step")*2*float64(time.Second)))
		if code, domain, text, failed := commandFailure(d, c.kind, q.roll(c.uuid, "fail"), q.errorShare); failed {
			c.state, c.completed = "ERROR", step
			c.errCode, c.errDomain, c.errText = code, domain, text
			continue
		}
		if d.busy && q.roll(c.uuid, "notnow", time.Duration(c.attempts).String()) < 0.7 {
			c.state = "NOT_NOW"
			retryLater = true
			continue
		}
		c.state, c.completed = "ACKNOWLEDGED", step
		if q.onAck != nil {
			q.onAck(c)
		}
		switch c.kind {
		case "SHUT_DOWN_DEVICE", "ERASE_DEVICE":
			// The device goes dark: it runs nothing more until someone
			// turns it on or re-enrols it.
			d.offlineSince = step
			q.changes++
			return
		}
	}
	if retryLater {
		wait := q.notNow/2 + time.Duration(q.roll(d.mgmtID, t.String())*float64(q.notNow))
		q.schedule(d, t.Add(wait), evCheckIn)
	}
}

// flush removes d's commands in the given states and returns how many went.
func (q *queue) flush(d *device, pending, failed bool) int {
	list := q.byDevice[d]
	kept := list[:0]
	n := 0
	for _, c := range list {
		remove := (pending && c.active()) || (failed && c.state == "ERROR")
		if remove {
			delete(q.byUUID, c.uuid)
			n++
			continue
		}
		kept = append(kept, c)
	}
	for i := len(kept); i < len(list); i++ {
		list[i] = nil
	}
	q.byDevice[d] = kept
	return n
}

// commandFailure decides whether a device rejects a command, with the error
// Apple's MDM would report: commands a platform cannot run, supervision-only
// commands on unsupervised devices, and a share of transient failures
// (errorShare, or the real world's 1.5 % when it is 0).
func commandFailure(d *device, kind string, roll, errorShare float64) (int, string, string, bool) {
	if errorShare <= 0 {
		errorShare = 0.015
	}
	macOnly := map[string]bool{"SET_RECOVERY_LOCK": true, "VERIFY_RECOVERY_LOCK": true, "ENABLE_REMOTE_DESKTOP": true,
		"DISABLE_REMOTE_DESKTOP": true, "UNLOCK_USER_ACCOUNT": true, "SET_AUTO_ADMIN_PASSWORD": true}
	mobileOnly := map[string]bool{"ENABLE_LOST_MODE": true, "DISABLE_LOST_MODE": true, "PLAY_LOST_MODE_SOUND": true,
		"DEVICE_LOCATION": true, "CLEAR_PASSCODE": true, "CLEAR_RESTRICTIONS_PASSWORD": true, "REFRESH_CELLULAR_PLANS": true}
	supervisedOnly := map[string]bool{"ENABLE_LOST_MODE": true, "SHUT_DOWN_DEVICE": true, "RESTART_DEVICE": true,
		"CLEAR_RESTRICTIONS_PASSWORD": true}
	switch {
	case d.mobile && macOnly[kind], !d.mobile && mobileOnly[kind]:
		return 12021, "MCMDMErrorDomain", "The command is not supported on this device.", true
	case d.mobile && supervisedOnly[kind] && !d.supervised:
		return 12078, "MCMDMErrorDomain", "This command requires a supervised device.", true
	case kind == "DEVICE_LOCK" && d.mobile && roll < 0.02:
		return 12080, "MCMDMErrorDomain", "The device does not have a passcode set.", true
	case roll < errorShare:
		return 12030, "MCMDMErrorDomain", "The device is in an invalid state to process this command.", true
	}
	return 0, "", "", false
}
