package jamftest

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = NewVirtualClock(t0)
	}
	s, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestFleetIsDeterministicAndRealistic(t *testing.T) {
	t.Parallel()
	a := newTestServer(t, Options{Computers: 2000, MobileDevices: 1000, Seed: 42})
	b := newTestServer(t, Options{Computers: 2000, MobileDevices: 1000, Seed: 42})
	c := newTestServer(t, Options{Computers: 2000, MobileDevices: 1000, Seed: 43})
	same, differ := 0, 0
	for i, d := range a.fleet.computers {
		if d.serial == b.fleet.computers[i].serial && d.mgmtID == b.fleet.computers[i].mgmtID && d.name == b.fleet.computers[i].name {
			same++
		}
		if d.serial != c.fleet.computers[i].serial {
			differ++
		}
	}
	if same != 2000 || differ < 1990 {
		t.Fatalf("same seed: %d/2000 equal; other seed: %d/2000 differ", same, differ)
	}
	serials, mgmt := map[string]bool{}, map[string]bool{}
	offline := 0
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	mobileUDID := regexp.MustCompile(`^0000[0-9A-F]{4}-[0-9A-F]{16}$`)
	for _, d := range append(append([]*device{}, a.fleet.computers...), a.fleet.mobiles...) {
		serials[d.serial], mgmt[d.mgmtID] = true, true
		if !uuidRE.MatchString(d.mgmtID) {
			t.Fatalf("management ID %q is not a v4 UUID", d.mgmtID)
		}
		if d.mobile && !mobileUDID.MatchString(d.udid) {
			t.Fatalf("mobile UDID %q", d.udid)
		}
		if !d.online() {
			offline++
			if age := t0.Sub(d.offlineSince); age < 48*time.Hour || age > 121*24*time.Hour {
				t.Fatalf("offline for %v", age)
			}
		}
	}
	if len(serials) != 3000 || len(mgmt) != 3000 {
		t.Fatalf("%d distinct serials, %d distinct management IDs of 3000", len(serials), len(mgmt))
	}
	if offline < 150 || offline > 350 {
		t.Fatalf("%d of 3000 offline; want about 8%%", offline)
	}
}

func TestHundredThousandDevices(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("large fleet")
	}
	s := newTestServer(t, Options{Computers: 100_000, MobileDevices: 1})
	all := s.groups[0]
	if got := len(s.members(all, t0)); got != 100_000 {
		t.Fatalf("All Managed Clients has %d members", got)
	}
}

func TestSmartGroupsFollowTheClock(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{Computers: 1000, MobileDevices: 10})
	var stale *group
	for _, g := range s.groups {
		if g.name == "Macs - no check-in for 7 days" {
			stale = g
		}
	}
	before := len(s.members(stale, t0))
	// Devices offline for 2 to 7 days cross the line within 6 days.
	after := len(s.members(stale, t0.Add(6*24*time.Hour)))
	if after <= before {
		t.Fatalf("stale group went from %d to %d members after 6 days", before, after)
	}
	for _, id := range s.members(stale, t0) {
		d := s.fleet.computer(id)
		if t0.Sub(d.lastCheckIn(t0, s.fleet.epoch)) <= 7*24*time.Hour {
			t.Fatalf("member %d checked in %v ago", id, t0.Sub(d.lastCheckIn(t0, s.fleet.epoch)))
		}
	}
}

func TestLoadModelTurnsAwayWithRetryAfter(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{Computers: 10, MobileDevices: 1, Load: LoadModel{Capacity: 2, Burst: 3}})
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			resp, err := http.Get(s.URL + "/api/v1/jamf-pro-version")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
			if resp.StatusCode == http.StatusServiceUnavailable {
				if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 {
					t.Errorf("503 with Retry-After %q", resp.Header.Get("Retry-After"))
				}
			}
		})
	}
	wg.Wait()
	// The burst admits 3 (answered 401: no token); the rest are turned away.
	if codes[http.StatusServiceUnavailable] < 8 || codes[http.StatusUnauthorized] < 3 {
		t.Fatalf("status counts %v", codes)
	}
	if s.Log().Rejected() != codes[http.StatusServiceUnavailable] {
		t.Fatalf("admin log rejected %d, served %d 503s", s.Log().Rejected(), codes[http.StatusServiceUnavailable])
	}
}

func TestBusyDevicesAnswerNotNowThenComplete(t *testing.T) {
	t.Parallel()
	clock := NewVirtualClock(t0)
	s := newTestServer(t, Options{Computers: 2000, MobileDevices: 1, Clock: clock})
	s.mu.Lock()
	var busy []*device
	for _, d := range s.fleet.computers {
		if d.busy && d.online() && len(busy) < 20 {
			busy = append(busy, d)
		}
	}
	var cmds []*mdmCommand
	for _, d := range busy {
		cmds = append(cmds, s.queue.enqueue(d, "DEVICE_INFORMATION", "test", t0))
	}
	s.queue.advance(t0.Add(2 * time.Minute))
	notNow := 0
	for _, c := range cmds {
		if c.state == "NOT_NOW" {
			notNow++
		}
	}
	s.queue.advance(t0.Add(24 * time.Hour))
	done := 0
	for _, c := range cmds {
		if c.state == "ACKNOWLEDGED" || c.state == "ERROR" {
			done++
		}
		if c.state == "NOT_NOW" && c.attempts < 2 {
			t.Errorf("a NotNow command was never retried")
		}
	}
	s.mu.Unlock()
	if notNow < 5 {
		t.Fatalf("only %d of %d busy devices answered NotNow", notNow, len(busy))
	}
	if done < len(cmds)*3/4 {
		t.Fatalf("after a day only %d of %d busy devices finished", done, len(cmds))
	}
}

func TestShutDownTakesADeviceOffline(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{Computers: 200, MobileDevices: 1})
	s.mu.Lock()
	defer s.mu.Unlock()
	var d *device
	for _, x := range s.fleet.computers {
		if x.online() && !x.busy {
			d = x
			break
		}
	}
	c := s.queue.enqueue(d, "SHUT_DOWN_DEVICE", "test", t0)
	s.queue.advance(t0.Add(5 * time.Minute))
	if c.state != "ACKNOWLEDGED" && c.state != "ERROR" {
		// A lost push: the 6-hour re-push delivers it.
		s.queue.advance(t0.Add(7 * time.Hour))
	}
	if c.state == "ACKNOWLEDGED" && d.online() {
		t.Fatal("the device acknowledged a shut-down and stayed online")
	}
	if c.state == "ACKNOWLEDGED" && s.queue.changes == 0 {
		t.Fatal("smart-group cache was not told about the change")
	}
}

// TestCommandErrorShare: devices answer the chosen share of commands with
// an error (the knob follow-up tests use), and about 1.5 % by default.
func TestCommandErrorShare(t *testing.T) {
	t.Parallel()
	failed := func(share float64) int {
		clock := NewVirtualClock(t0)
		s := newTestServer(t, Options{Computers: 400, MobileDevices: -1, Clock: clock, OfflineShare: 0.0001, CommandErrorShare: share})
		s.mu.Lock()
		defer s.mu.Unlock()
		var cmds []*mdmCommand
		for _, d := range s.fleet.computers {
			cmds = append(cmds, s.queue.enqueue(d, "DEVICE_INFORMATION", "test", t0))
		}
		s.queue.advance(t0.Add(24 * time.Hour))
		n := 0
		for _, c := range cmds {
			if c.state == "ERROR" {
				n++
			}
		}
		return n
	}
	if n := failed(0); n > 20 {
		t.Fatalf("default: %d of 400 commands failed, want about 1.5 %%", n)
	}
	if n := failed(0.5); n < 150 || n > 250 {
		t.Fatalf("share 0.5: %d of 400 commands failed", n)
	}
}

// TestSharedIPadsAreSupervised: Shared iPad mode needs supervision, so no
// cart iPad of the fleet is unsupervised (while some other iPads are).
func TestSharedIPadsAreSupervised(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{Computers: -1, MobileDevices: 1000})
	shared, loose := 0, 0
	for _, d := range s.fleet.mobiles {
		switch {
		case d.shared && !d.supervised:
			t.Fatalf("Shared iPad %s is not supervised", d.name)
		case d.shared:
			shared++
		case !d.supervised:
			loose++
		}
	}
	if shared == 0 || loose == 0 {
		t.Fatalf("%d Shared iPads, %d unsupervised devices", shared, loose)
	}
}
