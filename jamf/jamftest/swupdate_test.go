package jamftest

import (
	"testing"
	"time"
)

// TestInstalledUpdateMovesSmartGroups: a device that installs macOS 26.2
// leaves "Macs - macOS older than 26" within the same minute,
// because an install counts as a device change for the caches.
func TestInstalledUpdateMovesSmartGroups(t *testing.T) {
	t.Parallel()
	clock := NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s, err := NewServer(Options{Computers: 200, MobileDevices: -1, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var g *group
	for _, gr := range s.groups {
		if gr.name == "Macs - macOS older than 26" {
			g = gr
		}
	}
	s.mu.Lock()
	before := s.members(g, clock.Now())
	if len(before) == 0 {
		s.mu.Unlock()
		t.Fatal("no Mac older than 26")
	}
	d := s.fleet.computer(before[0])
	d.offlineSince = time.Time{}
	s.updates.forced[d] = ""
	p := s.updates.create(d, planRequest{action: "DOWNLOAD_INSTALL", versionType: "SPECIFIC_VERSION", specific: "26.2"}, "test", clock.Now())
	s.mu.Unlock()
	if p.rejected != "" {
		t.Fatalf("plan rejected: %s", p.rejected)
	}
	// Read the group just before the install ends, in the same minute.
	clock.Advance(p.installed.Sub(clock.Now()) - time.Nanosecond)
	if p.installed.Truncate(time.Minute) != clock.Now().Truncate(time.Minute) {
		t.Fatal("the install ends on a minute boundary; pick another device")
	}
	s.Log()
	s.mu.Lock()
	if n := len(s.members(g, clock.Now())); n != len(before) {
		s.mu.Unlock()
		t.Fatalf("group changed before the install ended: %d", n)
	}
	s.mu.Unlock()
	clock.Advance(time.Nanosecond)
	s.Log() // plays the simulation to now
	s.mu.Lock()
	after := s.members(g, clock.Now())
	s.mu.Unlock()
	if d.osVer != "26.2" || len(after) != len(before)-1 {
		t.Fatalf("device on %s; group had %d members, has %d", d.osVer, len(before), len(after))
	}
}
