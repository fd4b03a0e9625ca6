package cli

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
)

// riskCLI is a CLI wired to a Jamf Pro and a JSC test server.
func riskCLI(t *testing.T, srv *jamftest.Server, rs *jsctest.Server) *cli {
	t.Helper()
	c := newCLI(t)
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret,
		"JSC_URL": rs.URL, "JSC_APP_ID": jsctest.DemoAppID, "JSC_APP_SECRET": jsctest.DemoAppSecret}
	c.auditPath = filepath.Join(t.TempDir(), "audit.jsonl")
	return c
}

// jscRequests counts the requests the JSC server answered (logins too).
func jscRequests(rs *jsctest.Server) int { return len(rs.Log().Requests()) }

// enrolled returns a Jamf Pro computer enrolled in JSC, with its JSC ID.
func enrolled(t *testing.T, srv *jamftest.Server, rs *jsctest.Server) (serial, guid string) {
	t.Helper()
	byExt := map[string]string{}
	for _, id := range srv.Identities() {
		if id.Mobile || id.Serial == "" {
			continue
		}
		byExt[strings.ToLower(id.UDID)] = id.Serial
	}
	for _, g := range rs.DeviceIDs() {
		if ext, ok := rs.ExternalID(g); ok && byExt[ext] != "" {
			return byExt[ext], g
		}
	}
	t.Fatal("no enrolled computer")
	return "", ""
}

// A one-device reset and set on a 4,500-device tenant cost at most five
// Risk API requests each (a login, one lookup, the override, one
// read-back), counted in the server's admin log: no tenant listing.
func TestRiskOneDeviceOnLargeTenantCostsFiveRequests(t *testing.T) {
	t.Parallel()
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 4000, MobileDevices: 500,
		Clock: jamftest.NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	rs := jsctest.NewServer(jscDemoOptions(srv, 1))
	t.Cleanup(rs.Close)
	if n := len(rs.DeviceIDs()); n < 4000 {
		t.Fatalf("tenant of %d devices", n)
	}
	c := riskCLI(t, srv, rs)
	serial, guid := enrolled(t, srv, rs)

	before := jscRequests(rs)
	r := c.run("", "risk", "set", "HIGH", serial, "--reason", "Protect alert 4711", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "→ HIGH") {
		t.Fatalf("set: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if n := jscRequests(rs) - before; n > 5 {
		t.Fatalf("a one-device set cost %d Risk API requests, want ≤ 5", n)
	}
	if l, _ := rs.Risk(guid); l != jsc.High {
		t.Fatalf("after set the server says %s", l)
	}

	before = jscRequests(rs)
	r = c.run("", "risk", "reset", serial, "--reason", "cleared after investigation", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "HIGH → ") {
		t.Fatalf("reset: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if n := jscRequests(rs) - before; n > 5 {
		t.Fatalf("a one-device reset cost %d Risk API requests, want ≤ 5", n)
	}
}

// Three risk commands in a row (three processes), with logins counted in
// the same per-second window as data calls: none fails (a 429 on a login
// is waited out).
func TestRiskBackToBackCommandsWithCombinedWindow(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	opts := jscDemoOptions(srv, 1)
	opts.CombinedWindow = true
	rs := jsctest.NewServer(opts)
	t.Cleanup(rs.Close)
	c := riskCLI(t, srv, rs)
	serial, _ := enrolled(t, srv, rs)
	for i, args := range [][]string{
		{"risk", "list", "--level", "HIGH"},
		{"risk", "set", "MEDIUM", serial, "--reason", "back to back", "--yes"},
		{"risk", "reset", serial, "--reason", "back to back", "--yes"},
		{"risk", "list", "--json"},
	} {
		if r := c.run("", args...); r.code != 0 {
			t.Fatalf("command %d (%v): exit %d %q", i+1, args, r.code, r.stderr)
		}
	}
	limited := 0
	for _, rec := range rs.Log().Requests() {
		if rec.Status == 429 {
			limited++
		}
	}
	t.Logf("%d requests answered 429 and waited out", limited)
}

var budgetLine = regexp.MustCompile(`Risk API budget: ([0-9,]+) of ([0-9,]+) requests left today`)

func budgetLeft(t *testing.T, stderr string) int {
	t.Helper()
	m := budgetLine.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no budget line in %q", stderr)
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	return n
}

// Two processes' budgets add up: the second risk list reports what both
// spent, which is what the server counted.
func TestRiskBudgetSharedAcrossProcesses(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	rs := jsctest.NewServer(jscDemoOptions(srv, 1))
	t.Cleanup(rs.Close)
	c := riskCLI(t, srv, rs)
	first := c.run("", "risk", "list")
	second := c.run("", "risk", "list")
	if first.code != 0 || second.code != 0 {
		t.Fatalf("list: %q %q", first.stderr, second.stderr)
	}
	data := 0
	for _, rec := range rs.Log().Requests() {
		if rec.Path != "/v1/login" {
			data++
		}
	}
	if used := jsc.DefaultDailyBudget - budgetLeft(t, second.stderr); used != data || used < 2*(budgetUsed(t, first.stderr)) {
		t.Fatalf("second process reports %d used, server counted %d data requests (first reported %d)", used, data, budgetUsed(t, first.stderr))
	}
	if !strings.Contains(second.stderr, "counted across jamfops processes") {
		t.Fatalf("budget line does not say it is shared: %q", second.stderr)
	}
}

func budgetUsed(t *testing.T, stderr string) int {
	return jsc.DefaultDailyBudget - budgetLeft(t, stderr)
}

// risk list --max-age uses a recent snapshot (no Risk API request) and
// says so; a set updates the snapshot with its read-back; without
// --max-age the list reads afresh.
func TestRiskListMaxAgeUsesTheCache(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	rs := jsctest.NewServer(jscDemoOptions(srv, 1))
	t.Cleanup(rs.Close)
	c := riskCLI(t, srv, rs)
	serial, guid := enrolled(t, srv, rs)
	if r := c.run("", "risk", "list", "--max-age", "10m"); r.code != 0 || strings.Contains(r.stderr, "local cache") {
		t.Fatalf("first list (no cache yet): %d %q", r.code, r.stderr)
	}
	before := jscRequests(rs)
	r := c.run("", "risk", "list", "--max-age", "10m", "--json")
	if r.code != 0 || !strings.Contains(r.stderr, "from the local cache, as of ") || !strings.Contains(r.stderr, "ago") {
		t.Fatalf("cached list: %d %q", r.code, r.stderr)
	}
	if n := jscRequests(rs) - before; n != 0 {
		t.Fatalf("a list from the cache made %d Risk API requests", n)
	}
	if r := c.run("", "risk", "set", "LOW", serial, "--reason", "cache test", "--yes"); r.code != 0 {
		t.Fatalf("set: %q", r.stderr)
	}
	r = c.run("", "risk", "list", "--max-age", "10m", "--json")
	var rows []riskRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		if row.JSCID == guid {
			found = true
			if row.Risk != jsc.Low || !strings.HasPrefix(row.Source, "set by jamfops") {
				t.Fatalf("cached row after set: %+v", row)
			}
		}
	}
	if !found {
		t.Fatal("device missing from the cached list")
	}
	before = jscRequests(rs)
	if r := c.run("", "risk", "list"); r.code != 0 || strings.Contains(r.stderr, "local cache") || jscRequests(rs) == before {
		t.Fatalf("list without --max-age did not read afresh: %q", r.stderr)
	}
}

// SOURCE says "set by jamfops" only while JSC still reports the level
// jamfops set: after JSC changes the device (another integration drops the
// override, a threat raises a reset device), it says "—".
func TestRiskSourceAfterJSCChangesTheDevice(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	rs := jsctest.NewServer(jscDemoOptions(srv, 1))
	t.Cleanup(rs.Close)
	c := riskCLI(t, srv, rs)
	serial, guid := enrolled(t, srv, rs)
	source := func() (jsc.Level, string) {
		t.Helper()
		r := c.run("", "risk", "list", "--json")
		var rows []riskRow
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
			t.Fatalf("%v %q", err, r.stderr)
		}
		for _, row := range rows {
			if row.JSCID == guid {
				return row.Risk, row.Source
			}
		}
		t.Fatal("device not listed")
		return "", ""
	}
	if r := c.run("", "risk", "set", "MEDIUM", serial, "--reason", "source test", "--yes"); r.code != 0 {
		t.Fatalf("set: %q", r.stderr)
	}
	if l, s := source(); l != jsc.Medium || !strings.HasPrefix(s, "set by jamfops") {
		t.Fatalf("after set: %s %q", l, s)
	}
	// Another integration hands the device back to JSC, which sees a threat.
	rs.ClearOverride(guid)
	rs.SetCalculated(guid, jsc.High)
	if l, s := source(); l != jsc.High || s != "—" {
		t.Fatalf("after JSC changed it: %s %q", l, s)
	}
	// jamfops resets it; JSC calculates SECURE once the threat is gone.
	rs.SetCalculated(guid, jsc.Secure)
	if r := c.run("", "risk", "reset", serial, "--reason", "source test", "--yes"); r.code != 0 {
		t.Fatalf("reset: %q", r.stderr)
	}
	if l, s := source(); l != jsc.Secure || !strings.HasPrefix(s, "reset by jamfops") {
		t.Fatalf("after reset: %s %q", l, s)
	}
	// JSC raises it again on its own: no longer jamfops's level.
	rs.SetCalculated(guid, jsc.Medium)
	if l, s := source(); l != jsc.Medium || s != "—" {
		t.Fatalf("after JSC raised it: %s %q", l, s)
	}
}

// listings counts unfiltered device-list requests (pages of a tenant
// listing, not lookups by externalId or guid).
func listings(rs *jsctest.Server) int {
	n := 0
	for _, r := range rs.Log().Requests() {
		if r.Path == "/risk/v2/devices" && !strings.Contains(r.Query, "externalId=") && !strings.Contains(r.Query, "guid=") {
			n++
		}
	}
	return n
}

// --group looks members up one by one while that costs no more than a
// listing: with no cache up to 100 members; with a cache, up to the
// cached tenant's page count. A larger group is found in one listing.
func TestRiskGroupLookupOrListing(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	rs := jsctest.NewServer(jscDemoOptions(srv, 1))
	t.Cleanup(rs.Close)
	c := riskCLI(t, srv, rs)
	r := c.run("", "risk", "set", "LOW", "--group", "Kiosk iPads", "--reason", "group rule", "--yes")
	members := strings.Count(r.stdout, "→ ")
	if r.code != 0 || members == 0 {
		t.Fatalf("set by group: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if members > 100 {
		t.Fatalf("the test needs a group of at most 100 members, got %d", members)
	}
	if n := listings(rs); n != 0 {
		t.Fatalf("a group of %d with no cache made %d listing requests, want lookups only", members, n)
	}
	// A listing caches a tenant of about 420 devices: 5 pages.
	if r := c.run("", "risk", "list"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	pages := listings(rs)
	if members <= pages {
		t.Fatalf("the test needs a group larger than the tenant's %d pages, got %d", pages, members)
	}
	r = c.run("", "risk", "reset", "--group", "Kiosk iPads", "--reason", "group rule", "--yes")
	if r.code != 0 || !strings.Contains(r.stderr, "listing the JSC tenant once") {
		t.Fatalf("reset by group: %d %q", r.code, r.stderr)
	}
	// One listing to find the members, one to read them back.
	if n := listings(rs) - pages; n != 2*pages {
		t.Fatalf("%d listing requests, want %d (two listings of %d pages)", n, 2*pages, pages)
	}
}
