package jamftest

import (
	"sort"
	"sync"
	"time"
)

// maxRequestRecords bounds the per-request log.
const maxRequestRecords = 2_000_000

// RequestRecord is one request the server answered.
type RequestRecord struct {
	// At is when the request arrived (wall clock).
	At time.Time
	// Route is the matched route, for example "POST /api/v2/mdm/commands".
	Route string
	// Status is the HTTP status served.
	Status int
	// Devices is how many devices a bulk command or flush named.
	Devices int
	// Duration is how long the server took to answer.
	Duration time.Duration
}

// CommandRecord is one command queued for one device.
type CommandRecord struct {
	// At is the simulation time the command was queued.
	At           time.Time
	UUID         string
	ManagementID string
	CommandType  string
	// Sender is the API client ID or username that sent it.
	Sender string
	// Fields are the command's parameters as the request carried them
	// (commandData without commandType; nil when there were none).
	Fields map[string]any
}

// FlushRecord is one flush of commands from one device.
type FlushRecord struct {
	At           time.Time
	ManagementID string
	Status       string
	Removed      int
	Sender       string
}

// AdminLog records what the server was asked and what it did, so tests can
// assert exactly which commands reached which devices and how the load looked.
type AdminLog struct {
	mu          sync.Mutex
	requests    []RequestRecord
	byRoute     map[string]int
	inflight    int
	peak        int
	errors      int
	rejected    int
	commands    []CommandRecord
	perDevice   map[string]map[string]int
	blankPushes map[string]int
	flushes     []FlushRecord
	access      []AccessRecord
	plans       planLog
}

func newAdminLog() *AdminLog {
	return &AdminLog{byRoute: map[string]int{}, perDevice: map[string]map[string]int{}, blankPushes: map[string]int{}}
}

func (l *AdminLog) begin() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight++
	if l.inflight > l.peak {
		l.peak = l.inflight
	}
	return l.inflight
}

// record logs an answered request; done leaves the in-flight count.
func (l *AdminLog) record(rec RequestRecord, rejected bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byRoute[rec.Route]++
	if rec.Status >= 500 || rec.Status == 429 {
		l.errors++
	}
	if rejected {
		l.rejected++
	}
	if len(l.requests) < maxRequestRecords {
		l.requests = append(l.requests, rec)
	}
}

func (l *AdminLog) done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
}

func (l *AdminLog) command(rec CommandRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.commands = append(l.commands, rec)
	m := l.perDevice[rec.ManagementID]
	if m == nil {
		m = map[string]int{}
		l.perDevice[rec.ManagementID] = m
	}
	m[rec.CommandType]++
}

func (l *AdminLog) blankPush(mgmtID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.blankPushes[mgmtID]++
}

func (l *AdminLog) flush(rec FlushRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushes = append(l.flushes, rec)
}

// Requests returns how many requests matched route ("GET /api/v2/groups").
func (l *AdminLog) Requests(route string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byRoute[route]
}

// TotalRequests returns how many requests the server answered.
func (l *AdminLog) TotalRequests() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.byRoute {
		n += c
	}
	return n
}

// Routes returns the request count per route.
func (l *AdminLog) Routes() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.byRoute))
	for k, v := range l.byRoute {
		out[k] = v
	}
	return out
}

// RequestLog returns a copy of every request record, in arrival order.
func (l *AdminLog) RequestLog() []RequestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RequestRecord, len(l.requests))
	copy(out, l.requests)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// PeakConcurrency returns the most requests the server held at once.
func (l *AdminLog) PeakConcurrency() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.peak
}

// ErrorsServed returns how many 5xx and 429 answers the server gave.
func (l *AdminLog) ErrorsServed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errors
}

// Rejected returns how many requests the load model turned away (503/429).
func (l *AdminLog) Rejected() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rejected
}

// Commands returns every queued command record, in order.
func (l *AdminLog) Commands() []CommandRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]CommandRecord, len(l.commands))
	copy(out, l.commands)
	return out
}

// CommandCount returns how many times commandType was queued for the device.
func (l *AdminLog) CommandCount(managementID, commandType string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.perDevice[managementID][commandType]
}

// BlankPushes returns how many blank pushes the device was sent.
func (l *AdminLog) BlankPushes(managementID string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.blankPushes[managementID]
}

// Flushes returns every flush record, in order.
func (l *AdminLog) Flushes() []FlushRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]FlushRecord, len(l.flushes))
	copy(out, l.flushes)
	return out
}

// MaxInWindow returns the most requests to route (all routes when empty)
// that arrived within any window of the given length.
func (l *AdminLog) MaxInWindow(route string, window time.Duration) int {
	var times []time.Time
	for _, r := range l.RequestLog() {
		if route == "" || r.Route == route {
			times = append(times, r.At)
		}
	}
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= window {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// PeakConcurrencySince returns the most requests that arrived at or after
// since and were in flight at once.
func (l *AdminLog) PeakConcurrencySince(since time.Time) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, r := range l.RequestLog() {
		if r.At.Before(since) {
			continue
		}
		edges = append(edges, edge{r.At, 1}, edge{r.At.Add(r.Duration), -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	cur, peak := 0, 0
	for _, e := range edges {
		cur += e.delta
		peak = max(peak, cur)
	}
	return peak
}
