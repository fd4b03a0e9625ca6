package jsctest

import (
	"slices"
	"sync"
	"time"

	"github.com/jamfops/jamfops/jsc"
)

// RequestRecord is one request the server answered.
type RequestRecord struct {
	At           time.Time // wall clock
	Method, Path string
	// Query is the raw query string (page, pageSize, externalId, guid).
	Query  string
	Status int
}

// OverrideRecord is one device's risk change.
type OverrideRecord struct {
	At         time.Time // simulation clock
	AppID      string
	DeviceID   string
	ExternalID string
	// Source is MANUAL (pin) or WANDERA (back to JSC's calculation).
	Source    string
	Requested jsc.Level
	Before    jsc.Level
	After     jsc.Level
	RequestID string
}

// AdminLog records requests and overrides.
type AdminLog struct {
	mu        sync.Mutex
	requests  []RequestRecord
	overrides []OverrideRecord
}

func (l *AdminLog) request(r RequestRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = append(l.requests, r)
}

func (l *AdminLog) override(r OverrideRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.overrides = append(l.overrides, r)
}

// Requests returns every request record.
func (l *AdminLog) Requests() []RequestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]RequestRecord(nil), l.requests...)
}

// Overrides returns every override record, in order.
func (l *AdminLog) Overrides() []OverrideRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]OverrideRecord(nil), l.overrides...)
}

// MaxPerSecond returns the most requests to paths with the prefix (all
// when empty, logins excluded unless named) within any one second.
func (l *AdminLog) MaxPerSecond(prefix string) int {
	var times []time.Time
	for _, r := range l.Requests() {
		if (prefix == "" && r.Path != "/v1/login") || (prefix != "" && len(r.Path) >= len(prefix) && r.Path[:len(prefix)] == prefix) {
			times = append(times, r.At)
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= time.Second {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}
