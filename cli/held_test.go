package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestHeldJobExitsThree: a job that stops after a stage for a go-ahead
// exits with status 3 (not 1, "failed"), says how to continue, and
// finishes with exit 0 once given the go-ahead.
func TestHeldJobExitsThree(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.auditPath = t.TempDir() + "/audit.jsonl"
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	r := c.run("", "mass", "run", "--group", "All Managed Clients", "--command", "blank-push", "--stages", "1%,all",
		"--stage-wait", "0s", "--skip-offline-days", "0", "--yes")
	var summary struct{ Job, State string }
	if err := json.Unmarshal([]byte(r.stdout), &summary); err != nil {
		t.Fatalf("summary: %v %q %q", err, r.stdout, r.stderr)
	}
	if r.code != 3 || !strings.Contains(r.stderr, "jamfops mass resume "+summary.Job+" --go") {
		t.Fatalf("held: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := c.run("", "mass", "resume", summary.Job); r.code != 3 {
		t.Fatalf("resume without --go: exit %d %q", r.code, r.stderr)
	}
	if r := c.run("", "mass", "resume", summary.Job, "--go"); r.code != 0 || !strings.Contains(r.stdout, `"state": "done"`) {
		t.Fatalf("resume --go: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}
