package jamftest

import (
	"sync"
	"time"
)

// Clock tells the simulation what time it is. The MDM queue, check-ins,
// token expiry and smart-group criteria all follow it; request pacing and
// latency use real time.
type Clock interface {
	Now() time.Time
}

// RealClock follows the wall clock.
type RealClock struct{}

// Now implements Clock.
func (RealClock) Now() time.Time { return time.Now().UTC() }

// VirtualClock is a clock that moves only when told, so tests can let hours
// of device check-ins pass in an instant.
type VirtualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewVirtualClock returns a virtual clock set to start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start.UTC()} }

// Now implements Clock.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
}
