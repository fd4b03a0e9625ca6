package ops_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// riskSetup starts a Jamf Pro fleet and a JSC with the same UDIDs
// (uppercase in Jamf Pro, lowercase in JSC, as in real life).
func riskSetup(t *testing.T, computers int, copts ...jsc.Option) (*jamftest.Server, *jsctest.Server, *jamf.Client, *jsc.Client) {
	t.Helper()
	js, jc := setup(t, jamftest.Options{Computers: computers, MobileDevices: 20}, "", "")
	var devs []jsctest.ExternalDevice
	for i, id := range js.Identities() {
		if i%10 == 9 {
			continue // not every device runs Jamf Trust
		}
		devs = append(devs, jsctest.ExternalDevice{UDID: id.UDID, Name: "jsc-" + id.Name, OSType: "MAC_OS"})
	}
	rs := jsctest.NewServer(jsctest.Options{Devices: devs, Unmanaged: 3, Clock: jamftest.NewVirtualClock(start)})
	t.Cleanup(rs.Close)
	rc, err := jsc.NewClient(rs.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, copts...)
	if err != nil {
		t.Fatal(err)
	}
	return js, rs, jc, rc
}

func TestJoinSeesTheWholeFleet(t *testing.T) {
	t.Parallel()
	js, _, jc, rc := riskSetup(t, 300)
	fleet, err := ops.LoadRiskFleet(t.Context(), rc, jc)
	if err != nil {
		t.Fatal(err)
	}
	enrolled := 0
	for i := range js.Identities() {
		if i%10 != 9 {
			enrolled++
		}
	}
	matched := 0
	for _, d := range fleet {
		if d.Jamf != nil {
			matched++
			if strings.ToLower(d.Jamf.UDID) != d.JSC.ExternalID || d.Name() == d.JSC.Name {
				t.Fatalf("bad match %+v", d)
			}
		}
	}
	// Every enrolled device matches, including those past JSC's first page.
	if len(fleet) != enrolled+3 || matched != enrolled {
		t.Fatalf("%d JSC devices, %d matched; want %d and %d", len(fleet), matched, enrolled+3, enrolled)
	}
}

func TestResolveRiskAndAuditedReset(t *testing.T) {
	t.Parallel()
	_, rs, jc, rc := riskSetup(t, 200)
	ctx := t.Context()
	fleet, err := ops.LoadRiskFleet(ctx, rc, jc)
	if err != nil {
		t.Fatal(err)
	}
	var high []ops.RiskDevice
	for _, d := range fleet {
		if d.JSC.Risk == jsc.High && d.Jamf != nil {
			high = append(high, d)
		}
	}
	if len(high) < 2 {
		t.Fatalf("only %d HIGH devices", len(high))
	}
	targets := []ops.RiskDevice{high[0], high[1]}
	audit, _ := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	if _, _, err := mass.BuildRisk(rc, mass.RiskRequest{Knobs: mass.RiskKnobs(), Devices: targets, Reason: "  "}); err == nil {
		t.Fatal("a reset without a reason was allowed")
	}
	final := runRiskJob(t, rc, audit, targets, "", "cleared after investigation")
	if final.Counts()[mass.StateSent] != 2 {
		t.Fatalf("reset: %v", final.Counts())
	}
	for _, d := range targets {
		lvl, _ := rs.Risk(d.JSC.ID)
		// A reset hands the device back to JSC: SECURE unless JSC itself
		// sees a threat.
		if lvl != jsc.Secure && lvl != jsc.High {
			t.Fatalf("after reset: %s", lvl)
		}
	}
	entries, _, _ := audit.Read()
	results := 0
	for _, e := range entries {
		if e.Action == "risk reset" {
			results++
			if e.Reason != "cleared after investigation" || len(e.Targets) != 1 || e.Targets[0].Outcome != "ok" || len(e.RequestIDs) != 1 || e.Credential != jsctest.DemoAppID {
				t.Fatalf("audit entry %+v", e)
			}
		}
	}
	if results != 2 || len(entries) != 2 { // one entry per device (the job journal holds the intent)
		t.Fatalf("audit has %d entries (%d results)", len(entries), results)
	}
	now, _, err := ops.ReadBackRisk(t.Context(), rc, targets)
	if err != nil {
		t.Fatal(err)
	}
	marks := ops.RiskMarks(entries, "test")
	for _, d := range now {
		src := ops.RiskSourceOf(d, marks)
		if (d.JSC.Risk == jsc.Secure) != strings.HasPrefix(src, "reset by jamfops") {
			t.Fatalf("%s: source = %q", d.JSC.Risk, src)
		}
	}
}

// runRiskJob runs a risk change through the mass-action runner, as the
// console and the CLI do.
func runRiskJob(t *testing.T, rc *jsc.Client, audit *ops.AuditLog, targets []ops.RiskDevice, level jsc.Level, reason string) *mass.State {
	t.Helper()
	k := mass.RiskKnobs()
	k.BatchSize = rc.BatchSize()
	p, _, err := mass.BuildRisk(rc, mass.RiskRequest{Server: "test", Label: "test", Level: level, Reason: reason, Knobs: k, Devices: targets})
	if err != nil {
		t.Fatal(err)
	}
	j, err := mass.CreateJournal(t.TempDir(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	_, st, _ := mass.ReadJournal(j.Path())
	r := mass.NewRunner(nil, j, audit)
	r.JSC = rc
	final, err := r.Run(t.Context(), p, st)
	if err != nil {
		t.Fatal(err)
	}
	return final
}

// TestBulkResetKeepsTheRiskAPILimit resets 500 devices and checks, from the
// server's log, that no second ever saw more than 5 requests. It reports
// the requests, batches and seconds it took.
func TestBulkResetKeepsTheRiskAPILimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("takes several seconds by design (5 requests per second)")
	}
	_, rs, _, rc := riskSetup(t, 560, jsc.WithBatchSize(25))
	ctx := t.Context()
	devices, err := rc.ListDevices(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	fleet := ops.JoinRisk(devices, nil)[:500]
	audit, _ := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	began := time.Now()
	final := runRiskJob(t, rc, audit, fleet, "", "bulk test")
	elapsed := time.Since(began)
	if final.Counts()[mass.StateSent] != 500 {
		t.Fatalf("reset: %v", final.Counts())
	}
	reqs, puts, limited := 0, 0, 0
	for _, r := range rs.Log().Requests() {
		reqs++
		if r.Method == "PUT" {
			puts++
		}
		if r.Status == 429 {
			limited++
		}
	}
	if max := rs.Log().MaxPerSecond(""); max > 5 {
		t.Fatalf("%d requests within one second", max)
	}
	if limited != 0 || puts != 20 || len(rs.Log().Overrides()) != 500 {
		t.Fatalf("%d 429s, %d PUTs, %d overrides", limited, puts, len(rs.Log().Overrides()))
	}
	t.Logf("bulk reset of 500 devices: %d requests in all (%d list pages, %d override batches of 25), peak %d in one second, %.1f s for the batches",
		reqs, reqs-puts-1, puts, rs.Log().MaxPerSecond(""), elapsed.Seconds())
}
