package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestInterruptedMassRunExits130: ctrl+c during a mass run leaves the job
// resumable and exits 130 (interrupted), as documented, not 1 (failed).
func TestInterruptedMassRunExits130(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	var sends atomic.Int32
	u, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method == http.MethodPost && strings.HasSuffix(resp.Request.URL.Path, "/v2/mdm/commands") && sends.Add(1) == 2 {
			interrupt() // ctrl+c while the second batch is answered
		}
		return nil
	}
	proxy := httptest.NewServer(rp)
	defer proxy.Close()
	c := updateCLI(t, proxy.URL)
	args := []string{"mass", "run", "--group", "Sales Macs", "--command", "DEVICE_INFORMATION", "--stages", "all", "--allow-duplicates",
		"--batch", "5", "--concurrency", "1", "--yes"}
	var stdout, stderr strings.Builder
	code := Run(ctx, args, &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return c.env[k] },
		Secrets: c.secrets, ProfilesPath: c.path, AuditPath: c.auditPath, JobsDir: c.jobsDir, CacheDir: c.cacheDir, DataDir: c.dataDir})
	var summary struct{ Job, State string }
	if err := json.Unmarshal([]byte(stdout.String()), &summary); err != nil || !strings.HasPrefix(summary.State, "interrupted") {
		t.Fatalf("summary %q (%v)\n%s", stdout.String(), err, stderr.String())
	}
	if code != 130 {
		t.Fatalf("interrupted mass run: exit %d\n%s", code, stderr.String())
	}
	if r := c.run("", "mass", "resume", summary.Job); r.code != 0 {
		t.Fatalf("resume: exit %d %s", r.code, r.stderr)
	}
}
