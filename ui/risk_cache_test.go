package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
)

// A reopened :risk shows the cache saved by the first listing, with its
// age, at a cost of at most three Risk API requests (here none).
func TestRiskReopenReusesTheCache(t *testing.T) {
	t.Parallel()
	f, rs := newRiskFixture(t, "", "")
	m := openRisk(t, f, 140, 40)
	if r := topOf(m).(riskModel); len(r.fleet) != len(rs.DeviceIDs()) || r.cached {
		t.Fatalf("first open: %d devices, cached %v", len(r.fleet), r.cached)
	}
	m = press(t, m, "esc")
	f.clock.Advance(3 * time.Minute)
	before := len(rs.Log().Requests())
	m = press(t, m, ":")
	m = typeText(t, m, "risk")
	m = press(t, m, "enter")
	if n := len(rs.Log().Requests()) - before; n > 3 {
		t.Fatalf("reopening :risk cost %d Risk API requests, want ≤ 3", n)
	}
	r := topOf(m).(riskModel)
	if len(r.fleet) != len(rs.DeviceIDs()) || !r.cached || r.fleet[0].Jamf == nil && r.fleet[1].Jamf == nil {
		t.Fatalf("reopened: %d devices, cached %v", len(r.fleet), r.cached)
	}
	if v := screenText(m, f.srv); !strings.Contains(v, "cache as of ") || !strings.Contains(v, "3 min ago") {
		t.Fatalf("the cache's age is not shown:\n%s", v)
	}
	// r reads afresh.
	before = len(rs.Log().Requests())
	m = press(t, m, "r")
	if r := topOf(m).(riskModel); r.cached || len(rs.Log().Requests()) == before {
		t.Fatal("r did not read JSC afresh")
	}
}

// slowRisk is a console on a JSC tenant of 3,000 devices read at the
// published 5 requests a second: a listing takes about seven seconds.
func slowRisk(t *testing.T) (fixture, *jsctest.Server) {
	t.Helper()
	f := newFixture(t, jamftest.Options{Computers: 20, MobileDevices: 5}, "", "")
	rs := jsctest.NewServer(jsctest.Options{Unmanaged: 3000, Clock: f.clock})
	t.Cleanup(rs.Close)
	rc, err := jsc.NewClient(rs.URL, jsctest.DemoAppID, jsctest.DemoAppSecret)
	if err != nil {
		t.Fatal(err)
	}
	f.deps.JSC, f.deps.RiskCacheDir = rc, t.TempDir()
	return f, rs
}

func listRequests(rs *jsctest.Server) int {
	n := 0
	for _, r := range rs.Log().Requests() {
		if r.Path == "/risk/v2/devices" {
			n++
		}
	}
	return n
}

// stopsRequests checks that no listing request reaches the server after
// the load was stopped.
func stopsRequests(t *testing.T, rs *jsctest.Server) {
	t.Helper()
	time.Sleep(300 * time.Millisecond) // a request in flight lands
	at := listRequests(rs)
	time.Sleep(1500 * time.Millisecond)
	if after := listRequests(rs); after != at {
		t.Fatalf("the stopped listing went on: %d page requests, then %d", at, after)
	}
	if at >= 31 {
		t.Fatalf("the listing finished (%d pages) before it was stopped", at)
	}
}

// c cancels a background listing: its requests stop, and the screen says so.
func TestRiskCancelledLoadStopsItsRequests(t *testing.T) {
	t.Parallel()
	f, rs := slowRisk(t)
	tm := teatest.NewTestModel(t, New(f.deps), teatest.WithInitialTermSize(150, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitText(t, tm, "Macs - no check-in for 30 days")
	sendKeys(tm, ":")
	tm.Type("risk")
	sendKeys(tm, "enter")
	waitText(t, tm, "read · c cancel")
	sendKeys(tm, "c")
	waitText(t, tm, "Listing cancelled")
	stopsRequests(t, rs)
	sendKeys(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// Leaving the screen cancels its listing.
func TestRiskLeavingTheScreenStopsItsRequests(t *testing.T) {
	t.Parallel()
	f, rs := slowRisk(t)
	tm := teatest.NewTestModel(t, New(f.deps), teatest.WithInitialTermSize(150, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitText(t, tm, "Macs - no check-in for 30 days")
	sendKeys(tm, ":")
	tm.Type("risk")
	sendKeys(tm, "enter")
	waitText(t, tm, "read · c cancel")
	sendKeys(tm, "esc")
	stopsRequests(t, rs)
	sendKeys(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// The first rows of a 138,000-device tenant come from the cache in under
// a second (read, decoded, joined, indexed, drawn).
// TestRiskFirstRowsComeFromTheCache: with a 138,000-device snapshot on
// disk, the risk screen shows every row at once, before any request (the
// time it takes is BenchmarkRiskFirstRowsFromCache138k's).
func TestRiskFirstRowsComeFromTheCache(t *testing.T) {
	if testing.Short() {
		t.Skip("138,000 devices")
	}
	t.Parallel()
	m, v := riskScreenFromCache(t, 138_000)
	defer m.sc.end()
	if m.table.n != 138_000 || !strings.Contains(v, "cache as of") || !strings.Contains(v, fmt.Sprint("jsc-")) {
		t.Fatalf("rows %d; view:\n%s", m.table.n, v)
	}
}

// BenchmarkRiskFirstRowsFromCache138k times opening the risk screen on a
// 138,000-device snapshot: read, decode, join, sort, first view.
func BenchmarkRiskFirstRowsFromCache138k(b *testing.B) {
	for b.Loop() {
		m, _ := riskScreenFromCache(b, 138_000)
		m.sc.end()
	}
}

// riskScreenFromCache saves a snapshot of n devices and opens the risk
// screen on it (the background refresh is not run), returning the model
// and its first view.
func riskScreenFromCache(tb testing.TB, n int) (riskModel, string) {
	tb.Helper()
	dir := tb.TempDir()
	fleet := bigRiskFleet(n)
	j, _ := split(fleet)
	rc, err := jsc.NewClient("https://jsc.example.com", "app", "secret")
	if err != nil {
		tb.Fatal(err)
	}
	if err := ops.SaveRiskSnapshot(ops.RiskCacheFile(dir, rc.BaseURL(), rc.AppID()), ops.NewRiskSnapshot(rc.BaseURL(), rc.AppID(), t0, j)); err != nil {
		tb.Fatal(err)
	}
	c := &common{styles: newStyles(true, ""), deps: Deps{Ctx: context.Background(), JSC: rc, RiskCacheDir: dir, Now: func() time.Time { return t0.Add(time.Minute) }},
		width: 160, height: 45, tags: &tagSource{}}
	m := newRiskModel(c, nil, "")
	m.setSize(160, 42)
	_ = m.load() // the cache is applied at once; the refresh is not run
	return m, m.View()
}
