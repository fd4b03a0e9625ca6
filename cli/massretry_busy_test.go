package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops/mass"
)

// TestRetryOfAJobRunningElsewhere: `mass retry` of a job another process
// is running says so and exits 1 (README: "a job another process is
// running"), instead of a usage error telling to resume it (which would
// be refused too).
func TestRetryOfAJobRunningElsewhere(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.auditPath = filepath.Join(t.TempDir(), "audit.jsonl")
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	r := c.run("", "mass", "run", "--group", "All Managed iPads", "--command", "RESTART_DEVICE", "--stages", "1%,all",
		"--stage-wait", "0s", "--skip-offline-days", "0", "--yes")
	var summary struct{ Job string }
	if r.code != 3 || json.Unmarshal([]byte(r.stdout), &summary) != nil {
		t.Fatalf("held job: %d %q %q", r.code, r.stdout, r.stderr)
	}
	j, _, _, err := mass.OpenJournal(filepath.Join(c.jobsDir, summary.Job+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	r = c.run("", "mass", "retry", summary.Job)
	j.Close()
	if r.code != 1 || !strings.Contains(r.stderr, "is running") {
		t.Fatalf("retry of a running job: %d %q", r.code, r.stderr)
	}
}
