package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// TestLostModeParameters: Lost Mode without a message or phone is a usage
// error before any request; with them, the request body carries them (read
// back from the server's log), the preflight and journal show them and the
// audit records them.
func TestLostModeParameters(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.auditPath = filepath.Join(t.TempDir(), "audit.jsonl")
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	r := c.run("", "mass", "run", "--group", "All Managed iPhones", "--command", "ENABLE_LOST_MODE", "--footnote", "Front desk", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "--message or --phone") || srv.Log().TotalRequests() != 0 {
		t.Fatalf("lost mode without message or phone: exit %d, %d requests, %q", r.code, srv.Log().TotalRequests(), r.stderr)
	}
	r = c.run("", "mass", "run", "--group", "All Managed iPhones", "--command", "RESTART_DEVICE", "--footnote", "x", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "--footnote is not a parameter of RESTART_DEVICE") {
		t.Fatalf("a parameter of another command: %d %q", r.code, r.stderr)
	}
	r = c.run("", "mass", "run", "--group", "All Managed iPhones", "--command", "ERASE_DEVICE", "--pin", "12345", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "six digits") {
		t.Fatalf("a five-digit PIN: %d %q", r.code, r.stderr)
	}
	r = c.run("", "mass", "run", "--group", "All Managed iPhones", "--command", "ENABLE_LOST_MODE", "--message", "Please call IT",
		"--phone", "+1 555 0100", "--footnote", "Front desk", "--stages", "all", "--skip-offline-days", "0", "--allow-duplicates", "--yes")
	if !strings.Contains(r.stderr, `Parameters: message "Please call IT", phone "+1 555 0100", footnote "Front desk"`) {
		t.Fatalf("preflight lacks the parameters: %q", r.stderr)
	}
	want := map[string]any{"lostModeMessage": "Please call IT", "lostModePhone": "+1 555 0100", "lostModeFootnote": "Front desk"}
	cmds := srv.Log().Commands()
	if len(cmds) == 0 {
		t.Fatalf("nothing sent: %d %q", r.code, r.stderr)
	}
	for _, cmd := range cmds {
		if cmd.CommandType != "ENABLE_LOST_MODE" || !reflect.DeepEqual(cmd.Fields, want) {
			t.Fatalf("sent %s with %v, want %v", cmd.CommandType, cmd.Fields, want)
		}
	}
	var summary struct{ Job string }
	_ = json.Unmarshal([]byte(r.stdout), &summary)
	p, _, err := mass.ReadJournal(filepath.Join(c.jobsDir, summary.Job+".jsonl"))
	if err != nil || !reflect.DeepEqual(p.Action.Fields, want) {
		t.Fatalf("journal fields %v, %v", p.Action.Fields, err)
	}
	data, _ := os.ReadFile(c.auditPath)
	var entry ops.AuditEntry
	if err := json.Unmarshal([]byte(strings.SplitN(string(data), "\n", 2)[0]), &entry); err != nil {
		t.Fatal(err)
	}
	fields, _ := entry.Params["fields"].(map[string]any)
	if fields["lostModeMessage"] != "Please call IT" || entry.Params["jobId"] != summary.Job {
		t.Fatalf("audit params %v", entry.Params)
	}
	// Lost Mode to Macs fits none: refused, nothing sent.
	before := len(srv.Log().Commands())
	r = c.run("", "mass", "run", "--group", "Sales Macs", "--command", "ENABLE_LOST_MODE", "--message", "x", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "fits none") || len(srv.Log().Commands()) != before {
		t.Fatalf("lost mode to Macs: %d %q", r.code, r.stderr)
	}
}

// TestSeededRandomCanaryInThePreflight: --stage-order random draws a seed,
// shows it and the first stage; the same seed gives the same first stage.
func TestSeededRandomCanaryInThePreflight(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	first := func(args ...string) []string {
		r := c.run("", append([]string{"mass", "run", "--group", "All Managed Clients", "--command", "blank-push", "--dry-run"}, args...)...)
		var out struct {
			FirstStage []string
			Seed       int64
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil || !strings.Contains(r.stderr, "First stage (") {
			t.Fatalf("dry run: %d %q %q", r.code, r.stdout, r.stderr)
		}
		return out.FirstStage
	}
	given := first()
	a := first("--stage-order", "random", "--seed", "7")
	b := first("--stage-order", "random", "--seed", "7")
	if !slices.Equal(a, b) || slices.Equal(a, given) {
		t.Fatalf("seed 7 gave %v then %v; given order %v", a, b, given)
	}
	if r := c.run("", "mass", "run", "--group", "All Managed Clients", "--command", "blank-push", "--seed", "7", "--dry-run"); r.code != 2 {
		t.Fatalf("--seed without random: %d", r.code)
	}
	pilot := first("--canary-group", "Executive Macs", "--stages", "2,all")
	if len(pilot) != 2 {
		t.Fatalf("pilot first stage %v", pilot)
	}
}

// TestOneExportSchema: jobs export's JSON keys are the CSV's columns.
func TestOneExportSchema(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	r := c.run("", "mass", "run", "--group", "Executive Macs", "--command", "DEVICE_INFORMATION", "--stages", "all", "--allow-duplicates", "--yes")
	var summary struct{ Job string }
	if json.Unmarshal([]byte(r.stdout), &summary) != nil {
		t.Fatalf("run: %d %q", r.code, r.stderr)
	}
	r = c.run("", "jobs", "export", summary.Job)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("export: %v %q", err, r.stdout)
	}
	var keys []string
	for k := range rows[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	r = c.run("", "jobs", "export", summary.Job, "csv")
	header := strings.Split(strings.SplitN(r.stdout, "\n", 2)[0], ",")
	want := []string{"kind", "id", "name", "serial", "managementId", "state", "reason", "batch", "requestId", "time"}
	if !slices.Equal(header, want) {
		t.Fatalf("CSV header %v", header)
	}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("JSON keys %v", keys)
	}
}

// TestMassRetry: only ended command jobs can be followed up; a follow-up's
// dry run names its parent and sends to the devices whose command failed.
func TestMassRetry(t *testing.T) {
	t.Parallel()
	clock := jamftest.NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	srv := demoServer(t, jamftest.Options{Clock: clock, CommandErrorShare: 0.2})
	c := newCLI(t)
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	job := func(args ...string) string {
		r := c.run("", append([]string{"mass", "run", "--skip-offline-days", "0", "--yes"}, args...)...)
		var s struct{ Job string }
		if json.Unmarshal([]byte(r.stdout), &s) != nil {
			t.Fatalf("run: %d %q", r.code, r.stderr)
		}
		return s.Job
	}
	push := job("--group", "Executive Macs", "--command", "blank-push", "--stages", "all")
	if r := c.run("", "mass", "retry", push); r.code != 2 || !strings.Contains(r.stderr, "only command jobs") {
		t.Fatalf("retry of a blank push: %d %q", r.code, r.stderr)
	}
	held := job("--group", "All Managed iPads", "--command", "RESTART_DEVICE", "--stages", "1%,all", "--stage-wait", "0s")
	if r := c.run("", "mass", "retry", held); r.code != 2 || !strings.Contains(r.stderr, "has not ended") {
		t.Fatalf("retry of a held job: %d %q", r.code, r.stderr)
	}
	if r := c.run("", "mass", "resume", held, "--go"); r.code != 0 && r.code != 1 {
		t.Fatalf("resume: %d %q", r.code, r.stderr)
	}
	clock.Advance(2 * time.Hour) // the iPads check in; a fifth answer with an error
	r := c.run("", "mass", "retry", held, "--failed", "--dry-run")
	var out struct {
		Parent  string
		Failed  int
		Send    int
		Targets []struct{ ID, Why, Skip string }
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
		t.Fatalf("retry --dry-run: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if out.Parent != held || out.Failed == 0 || out.Send != out.Failed || len(out.Targets) != out.Failed {
		t.Fatalf("follow-up %+v", out)
	}
	for _, tg := range out.Targets {
		if !strings.HasPrefix(tg.Why, "failed: ") {
			t.Fatalf("target %+v is not a failed device", tg)
		}
	}
}
