package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// countingServer answers nothing useful and counts what reaches it.
func countingServer(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "no", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// TestBadInputIsRefusedBeforeConnecting: every bad flag or device file is a
// usage error (exit 2) found before any request, against a server that
// counts requests and against one that does not exist.
func TestBadInputIsRefusedBeforeConnecting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := write("long.txt", "C02AAA\n# comment\n"+strings.Repeat("X", 70_000)+"\nC02BBB\n")
	utf16 := write("utf16.txt", "\xff\xfeC\x000\x002\x00\n\x00")
	empty := write("empty.txt", "\ufeff# only a comment\r\n\r\n")
	binary := write("binary.txt", "C02AAA\nC0\x002\n")
	run := []string{"mass", "run", "--group", "Lab", "--command", "blank-push", "--yes"}
	runDevices := func(file string) []string {
		return []string{"mass", "run", "--devices", file, "--command", "blank-push", "--yes"}
	}
	cases := []struct {
		args []string
		want string
	}{
		{append(run, "--stages", "25"), `the last stage must be 100% (or "all")`},
		{append(run, "--stages", "10%"), `the last stage must be 100% (or "all")`},
		{append(run, "--stages", "100%,1%"), "must be the last"},
		{append(run, "--stages", "10%,5%,100%"), "does not grow"},
		{append(run, "--stages", "50,25,100%"), "does not grow"},
		{append(run, "--stages", "NaN%"), "a share must be"},
		{append(run, "--stages", "NaN%,100%"), "a share must be"},
		{append(run, "--stages", "0%,100%"), "a share must be"},
		{append(run, "--stages", "Inf%"), "a share must be"},
		{append(run, "--stages", "-5,100%"), "use a share"},
		{append(run, "--stages", ""), "an empty stage"},
		{append(run, "--stages", "1%,,100%"), "an empty stage"},
		{append(run, "--rate", "NaN"), "rate must be"},
		{append(run, "--rate", "Inf"), "rate must be"},
		{append(run, "--rate", "-1"), "rate must be"},
		{append(run, "--rate", "0"), "rate must be"},
		{append(run, "--max-failure", "NaN"), "is not a share"},
		{append(run, "--max-failure", "-0.1"), "failure threshold"},
		{append(run, "--max-failure", "1.5"), "failure threshold"},
		{append(run, "--max-failure", "150%"), "failure threshold"},
		{append(run, "--pause", "-1s"), "pause must not be negative"},
		{append(run, "--stage-wait", "-2m"), "stage wait must not be negative"},
		{append(run, "--batch", "-5"), "batch size"},
		{append(run, "--concurrency", "0"), "concurrency"},
		{append(run, "--skip-offline-days", "-1"), "must not be negative"},
		{append(run, "--skip-pending", "-1"), "must not be negative"},
		{append(run, "--backlog-limit", "-1"), "must not be negative"},
		{append(run, "--window", "-"), "use HH:MM-HH:MM"},
		{append(run, "--window", "17:00-17:00"), "is empty"},
		{append(run, "--window", "17:00"), "use HH:MM-HH:MM"},
		{append(run, "--window", "25:00-07:00"), "use HH:MM"},
		{append(run, "--kind", "toaster"), "unknown device kind"},
		{append(run, "--command", "FORMAT_C"), "unknown action"},
		{[]string{"mass", "run", "--command", "blank-push"}, "give --group or --devices"},
		{runDevices(long), "long.txt:3: line longer than 64 KiB"},
		{runDevices(utf16), "utf16.txt: the file is UTF-16"},
		{runDevices(empty), "empty.txt names no device"},
		{runDevices(binary), "binary.txt:2: not UTF-8 text"},
		{runDevices(filepath.Join(dir, "missing.txt")), "missing.txt"},
		{[]string{"jobs", "--prune", "-1h"}, "--prune must not be negative"},
		{[]string{"risk", "set", "HIGH", "ABC", "--reason", "x", "--yes", "--batch-size", "0"}, "--batch-size must be between 1 and 1000"},
		{[]string{"risk", "reset", "ABC", "--reason", "x", "--yes", "--batch-size", "-3"}, "--batch-size must be between 1 and 1000"},
		{[]string{"risk", "set", "EXTREME", "ABC", "--reason", "x", "--yes"}, "EXTREME"},
		{[]string{"risk", "reset", "--group", "G", "--kind", "toaster", "--reason", "x", "--yes"}, "unknown device kind"},
		{[]string{"risk", "list", "--level", "HIGH,SPICY"}, "SPICY"},
		{[]string{"demo", "--computers", "-1"}, "fleet size"},
		{[]string{"demo", "--serve", "--mobile", "-1"}, "fleet size"},
	}
	jamfURL, jamfHits := countingServer(t)
	jscURL, jscHits := countingServer(t)
	for _, base := range []string{jamfURL, "http://127.0.0.1:1"} {
		env := map[string]string{"JAMF_URL": base, "JAMF_CLIENT_ID": "id", "JAMF_CLIENT_SECRET": "secret-value",
			"JSC_URL": jscURL, "JSC_APP_ID": "app", "JSC_APP_SECRET": "jsc-secret-value"}
		for _, tt := range cases {
			r := runEnv(t, env, tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
			}
			if strings.Contains(r.stderr, "token too long") {
				t.Errorf("%q: %q", tt.args, r.stderr)
			}
		}
	}
	if n := jamfHits.Load() + jscHits.Load(); n != 0 {
		t.Fatalf("%d requests reached a server before the input was checked", n)
	}
}

// TestGoodStagesAreAccepted: the forms the help shows pass and reach the
// preflight.
func TestGoodStagesAreAccepted(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	for _, stages := range []string{"1%,10%,100%", "25,10%,100%", "all", "100%", "5,all", " 1% , 50% , 100% "} {
		r := runWith(t, srv, nil, "mass", "run", "--group", "All Managed Clients", "--command", "blank-push", "--dry-run", "--stages", stages,
			"--max-failure", "5%", "--window", "17:00-07:00")
		if r.code != 0 || !strings.Contains(r.stdout, `"stages"`) {
			t.Errorf("--stages %q: exit %d %q", stages, r.code, r.stderr)
		}
	}
}

func TestDeviceFileParsing(t *testing.T) {
	t.Parallel()
	refs, dups, err := parseDeviceList(strings.NewReader("\ufeffC02AAA\r\n\r\n# a comment\r\n  c02bbb , Lab Mac\r\n\"C02CCC\",x\r\nC02aaa\r\n42\r\n"), "list.csv")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, r.ref)
	}
	if strings.Join(got, " ") != "C02AAA c02bbb C02CCC 42" || refs[0].line != 1 || refs[3].line != 7 {
		t.Fatalf("refs %+v", refs)
	}
	if len(dups) != 1 || dups[0] != (duplicate{ref: "C02aaa", line: 6, first: 1}) {
		t.Fatalf("dups %+v", dups)
	}
}

// TestDeviceFileWithBOMTargetsItsFirstSerial: the first serial of a file
// saved with a byte-order mark is found, CRLF ends are handled, and a
// device named twice (by serial and by ID) is targeted once, with a note.
func TestDeviceFileWithBOMTargetsItsFirstSerial(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	r := runWith(t, srv, nil, "devices", "--group", "All Managed Clients", "--json")
	var devs []struct{ ID, Serial string }
	if err := jsonUnmarshal(r.stdout, &devs); err != nil || len(devs) < 3 {
		t.Fatalf("devices: %v", err)
	}
	file := filepath.Join(t.TempDir(), "serials.txt")
	content := "\ufeff" + devs[0].Serial + "\r\n" + devs[1].Serial + "\r\n# done\r\n" + devs[1].ID + "\r\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runWith(t, srv, nil, "mass", "run", "--devices", file, "--command", "blank-push", "--dry-run", "--skip-offline-days", "0")
	if r.code != 0 || !strings.Contains(r.stdout, `"total": 2`) {
		t.Fatalf("dry run: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "line 4 ("+devs[1].ID+") repeats line 2") {
		t.Fatalf("no duplicate note: %q", r.stderr)
	}
}

// TestRiskJobsResumeFromTheCommandLine: what risk set/reset says about
// resuming a job is what works: mass resume runs an interrupted risk job to
// the end, each device changed once, and a second resume is refused.
func TestRiskJobsResumeFromTheCommandLine(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	rs := jsctest.NewServer(jscDemoOptions(srv, 1))
	t.Cleanup(rs.Close)
	c := newCLI(t)
	c.auditPath = filepath.Join(t.TempDir(), "audit.jsonl")
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret,
		"JSC_URL": rs.URL, "JSC_APP_ID": jsctest.DemoAppID, "JSC_APP_SECRET": jsctest.DemoAppSecret}
	r := c.run("", "risk", "set", "MEDIUM", "--group", "Kiosk iPads", "--reason", "lobby audit", "--yes")
	if r.code != 0 {
		t.Fatalf("risk set: %d %q", r.code, r.stderr)
	}
	jobs := listJobIDs(t, c.jobsDir)
	if len(jobs) != 1 || !strings.Contains(r.stderr, riskResumeHint(jobs[0])) || !strings.Contains(riskResumeHint(jobs[0]), "jamfops mass resume "+jobs[0]) {
		t.Fatalf("jobs %q, stderr %q", jobs, r.stderr)
	}

	// An interrupted risk job: planned and journaled, nothing sent yet.
	rc, err := jsc.NewClient(rs.URL, jsctest.DemoAppID, jsctest.DemoAppSecret)
	if err != nil {
		t.Fatal(err)
	}
	all, err := rc.ListDevices(t.Context(), nil)
	if err != nil || len(all) < 5 {
		t.Fatalf("JSC devices: %v", err)
	}
	var targets []ops.RiskDevice
	for _, d := range all[:5] {
		targets = append(targets, ops.RiskDevice{JSC: d})
	}
	p, _, err := mass.BuildRisk(rc, mass.RiskRequest{Server: rc.BaseURL(), Label: "5 JSC devices", Level: jsc.Low, Reason: "resume test", Knobs: mass.RiskKnobs(), Devices: targets})
	if err != nil {
		t.Fatal(err)
	}
	j, err := mass.CreateJournal(c.jobsDir, p)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	before := len(rs.Log().Overrides())
	r = c.run("", "mass", "resume", p.ID)
	if r.code != 0 {
		t.Fatalf("mass resume of a risk job: %d %q %q", r.code, r.stdout, r.stderr)
	}
	changed := map[string]int{}
	for _, o := range rs.Log().Overrides()[before:] {
		changed[o.DeviceID]++
	}
	for _, d := range targets {
		if changed[d.JSC.ID] != 1 {
			t.Fatalf("device %s changed %d times, want once (%v)", d.JSC.ID, changed[d.JSC.ID], changed)
		}
	}
	if r = c.run("", "mass", "resume", p.ID); r.code != 1 || !strings.Contains(r.stderr, "already ended") {
		t.Fatalf("second resume: %d %q", r.code, r.stderr)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func listJobIDs(t *testing.T, dir string) []string {
	t.Helper()
	jobs, err := mass.ListJobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.Plan.ID)
	}
	return ids
}
