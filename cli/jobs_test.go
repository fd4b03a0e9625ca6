package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops/mass"
)

// TestJobsDiscard: an interrupted job can be discarded, never while a
// runner holds it, and only when confirmed.
func TestJobsDiscard(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.auditPath = filepath.Join(t.TempDir(), "audit.jsonl")
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	r := c.run("", "mass", "run", "--group", "All Managed Clients", "--command", "blank-push", "--stages", "1%,all",
		"--stage-wait", "0s", "--skip-offline-days", "0", "--yes")
	var summary struct{ Job string }
	if r.code != 3 || json.Unmarshal([]byte(r.stdout), &summary) != nil {
		t.Fatalf("held job: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r = c.run("", "jobs"); r.code != 0 || !strings.Contains(r.stdout, "SERVER") || !strings.Contains(r.stdout, strings.TrimPrefix(srv.URL, "http://")) {
		t.Fatalf("jobs list lacks the server: %q", r.stdout)
	}
	if r = c.run("", "jobs", "discard", summary.Job); r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("unconfirmed discard: %d %q", r.code, r.stderr)
	}
	// Another runner holds the job: refused, and the journal stays.
	j, _, _, err := mass.OpenJournal(filepath.Join(c.jobsDir, summary.Job+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	r = c.run("", "jobs", "discard", summary.Job, "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "is running") {
		t.Fatalf("discard of a running job: %d %q", r.code, r.stderr)
	}
	if r = c.run("", "mass", "resume", summary.Job, "--go"); r.code != 1 || !strings.Contains(r.stderr, "is running (pid") {
		t.Fatalf("a second runner was not refused: %d %q", r.code, r.stderr)
	}
	j.Close()
	if r = c.run("", "jobs", "discard", summary.Job, "--yes"); r.code != 0 || !strings.Contains(r.stdout, "Discarded") {
		t.Fatalf("discard: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r = c.run("", "mass", "resume", summary.Job); r.code != 1 || !strings.Contains(r.stderr, "no job") {
		t.Fatalf("resume after discard: %d %q", r.code, r.stderr)
	}
}

// TestTwoStartsOfOneJobSendOnce starts one saved job twice at once: one
// runner sends, the other is refused with the holder's pid, and every
// device gets the command exactly once.
func TestTwoStartsOfOneJobSendOnce(t *testing.T) {
	t.Parallel()
	// Every answer takes 200 ms, so the first runner still holds the job
	// when the second asks for it.
	srv := demoServer(t, jamftest.Options{Faults: jamftest.Faults{SlowRate: 1, SlowDelay: 200 * time.Millisecond}})
	c := newCLI(t)
	c.auditPath = filepath.Join(t.TempDir(), "audit.jsonl")
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	r := c.run("", "mass", "run", "--group", "Executive Macs", "--command", "RESTART_DEVICE", "--stages", "all",
		"--skip-offline-days", "0", "--save", "--yes")
	if r.code != 0 {
		t.Fatalf("save: %d %q", r.code, r.stderr)
	}
	jobs := listJobIDs(t, c.jobsDir)
	if len(jobs) != 1 {
		t.Fatalf("jobs: %v", jobs)
	}
	results := make(chan result, 2)
	for range 2 {
		go func() { results <- c.run("", "mass", "start", jobs[0], "--go") }()
	}
	a, b := <-results, <-results
	if a.code != 0 {
		a, b = b, a
	}
	if a.code != 0 || b.code != 1 || !strings.Contains(b.stderr, "is running (pid") {
		t.Fatalf("two starts: exits %d and %d\n%q\n%q", a.code, b.code, a.stderr, b.stderr)
	}
	plan, _, err := mass.ReadJournal(filepath.Join(c.jobsDir, jobs[0]+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range plan.Targets {
		if n := srv.Log().CommandCount(tg.Device.ManagementID, "RESTART_DEVICE"); n != 1 {
			t.Fatalf("%s got RESTART_DEVICE %d times", tg.Device.Name, n)
		}
	}
}
