package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

func TestRiskListResetFlow(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	rs := jsctest.NewServer(jscDemoOptions(srv, 1))
	t.Cleanup(rs.Close)
	c := newCLI(t)
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret,
		"JSC_URL": rs.URL, "JSC_APP_ID": jsctest.DemoAppID, "JSC_APP_SECRET": jsctest.DemoAppSecret}
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	runRiskCLI := func(stdin string, args ...string) result {
		var r result
		c.auditPath = auditPath
		r = c.run(stdin, args...)
		return r
	}
	r := runRiskCLI("", "risk", "list", "--level", "HIGH", "--json")
	if r.code != 0 {
		t.Fatalf("risk list: %q", r.stderr)
	}
	var rows []riskRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("rows: %v\n%s", err, r.stdout)
	}
	var target riskRow
	for _, row := range rows {
		if row.Risk != "HIGH" {
			t.Fatalf("--level HIGH listed %s", row.Risk)
		}
		if row.Serial != "" && row.JamfID != "" && target.Serial == "" {
			target = row
		}
	}
	if target.Serial == "" || target.Name == "" || strings.HasPrefix(target.Name, "Personal") {
		t.Fatalf("no HIGH device with a Jamf Pro identity: %+v", rows)
	}
	// Without a terminal and without --yes nothing happens.
	r = runRiskCLI("", "risk", "reset", target.Serial, "--reason", "cleared after investigation")
	if r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("unconfirmed reset: %d %q", r.code, r.stderr)
	}
	if len(rs.Log().Overrides()) != 0 {
		t.Fatal("an unconfirmed reset changed risk")
	}
	r = runRiskCLI("", "risk", "reset", target.Serial, "--reason", "cleared after investigation", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "HIGH → SECURE") {
		t.Fatalf("reset: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if lvl, _ := rs.Risk(target.JSCID); lvl != "SECURE" {
		t.Fatalf("after reset the server says %s", lvl)
	}
	r = runRiskCLI("", "risk", "list", "--json")
	_ = json.Unmarshal([]byte(r.stdout), &rows)
	for _, row := range rows {
		if row.JSCID == target.JSCID && (row.Risk != "SECURE" || !strings.Contains(row.Source, "reset by jamfops")) {
			t.Fatalf("list after reset: %+v", row)
		}
	}
	log, _ := ops.OpenAuditLog(auditPath)
	entries, _, _ := log.Read()
	if len(entries) != 1 || entries[0].Action != "risk reset" || entries[0].Reason != "cleared after investigation" || entries[0].Targets[0].Outcome != "ok" || len(entries[0].RequestIDs) != 1 {
		t.Fatalf("audit = %+v", entries)
	}
	// The change ran as a journaled job.
	jobs, _ := mass.ListJobs(c.jobsDir)
	if len(jobs) != 1 || jobs[0].Status != "done" || jobs[0].Plan.Action.Kind != mass.KindRisk {
		t.Fatalf("jobs = %+v", jobs)
	}
	// Set by group, a bad level, a missing reason.
	if r := runRiskCLI("", "risk", "set", "EXTREME", target.Serial, "--reason", "x", "--yes"); r.code != 2 {
		t.Fatalf("bad level: %d", r.code)
	}
	if r := runRiskCLI("", "risk", "set", "LOW", target.Serial, "--yes"); r.code != 2 {
		t.Fatalf("missing reason: %d %q", r.code, r.stderr)
	}
	r = runRiskCLI("", "risk", "set", "MEDIUM", "--group", "Kiosk iPads", "--reason", "lobby audit", "--yes", "--batch-size", "4")
	if r.code != 0 || strings.Count(r.stdout, "→ MEDIUM") == 0 {
		t.Fatalf("set by group: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// Batches of 4: the override requests are ceil(members/4).
	n := strings.Count(r.stdout, "→ MEDIUM")
	puts := 0
	for _, rec := range rs.Log().Requests() {
		if rec.Method == "PUT" {
			puts++
		}
	}
	if puts != 1+(n+3)/4 { // the earlier reset was one PUT
		t.Fatalf("%d PUTs for %d devices in batches of 4", puts, n)
	}
}

func TestLoginStoresTheJSCSecretToo(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	rs := jsctest.NewServer(jscDemoOptions(srv, 1))
	t.Cleanup(rs.Close)
	c := newCLI(t)
	c.env = map[string]string{"JSC_URL": rs.URL}
	c.auditPath = filepath.Join(t.TempDir(), "audit.jsonl")
	r := c.run(jamftest.DemoClientSecret+"\n"+jsctest.DemoAppSecret+"\n", "login", "--name", "lab", "--url", srv.URL,
		"--client-id", jamftest.DemoClientID, "--jsc-app-id", jsctest.DemoAppID, "--secret-stdin")
	if r.code != 0 || c.secrets.m["lab:jsc"] != jsctest.DemoAppSecret {
		t.Fatalf("login: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// risk list works from the profile alone: no JSC_APP_ID or secret in the environment.
	if r := c.run("", "risk", "list", "--level", "HIGH"); r.code != 0 || !strings.Contains(r.stdout, "HIGH") {
		t.Fatalf("risk list via profile: %d %q", r.code, r.stderr)
	}
}
