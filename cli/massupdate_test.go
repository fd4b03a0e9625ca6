package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

const plansRoute = "POST /api/v1/managed-software-updates/plans"

// tickClock advances the simulation clock while a command runs, so that
// hours of device work pass in milliseconds.
func tickClock(t *testing.T, clock *jamftest.VirtualClock) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			clock.Advance(2 * time.Minute)
			time.Sleep(time.Millisecond)
		}
	}()
}

func updateCLI(t *testing.T, url string) *cli {
	c := newCLI(t)
	c.auditPath = t.TempDir() + "/audit.jsonl"
	c.env = map[string]string{"JAMF_URL": url, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	return c
}

// TestSoftwareUpdateFlagsRefusedBeforeAnyRequest: every bad value of the
// software-update flags is a usage error (exit 2) with no request made; a
// well-formed version the server does not offer is refused after reading
// the offered versions, before any plan is created.
func TestSoftwareUpdateFlagsRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := updateCLI(t, srv.URL)
	base := []string{"mass", "run", "--group", "All Managed Clients", "--dry-run"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--command", "software-update"}, "needs --version"},
		{[]string{"--command", "software-update", "--version", "latest-newest"}, "--version"},
		{[]string{"--command", "software-update", "--version", "26.x"}, "--version"},
		{[]string{"--command", "software-update", "--version", "latest-minor", "--update-action", "install-now"}, "--update-action"},
		{[]string{"--command", "software-update", "--version", "latest-minor", "--install-at", "2026-12-01T18:00"}, "only applies to download-install-schedule"},
		{[]string{"--command", "software-update", "--version", "latest-minor", "--update-action", "download-install-schedule"}, "needs --install-at"},
		{[]string{"--command", "software-update", "--version", "latest-minor", "--update-action", "download-install-schedule", "--install-at", "tomorrow"}, "--install-at"},
		{[]string{"--command", "software-update", "--version", "latest-minor", "--update-action", "download-install-allow-deferral", "--max-deferrals", "-1"}, "0 or more"},
		{[]string{"--command", "software-update", "--version", "latest-minor", "--max-deferrals", "2"}, "only applies to download-install-allow-deferral"},
		{[]string{"--command", "software-update", "--version", "latest-minor", "--stage-share", "0"}, "--stage-share"},
		{[]string{"--command", "software-update", "--version", "latest-minor", "--stages", "10%"}, "--stages"},
		{[]string{"--command", "software-update", "--version", "latest-minor", "--skip-pending", "3"}, "do not apply"},
		{[]string{"--command", "blank-push", "--version", "latest-minor"}, "only apply to --command software-update"},
	} {
		r := c.run("", append(base, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q (want %q)", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if n := srv.Log().TotalRequests(); n != 0 {
		t.Fatalf("%d requests before the flags were valid: %v", n, srv.Log().Routes())
	}
	r := c.run("", "mass", "run", "--group", "All Managed Clients", "--command", "software-update", "--version", "25.4", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "not offered") {
		t.Fatalf("25.4: exit %d %q", r.code, r.stderr)
	}
	if n := srv.Log().Requests(plansRoute); n != 0 || len(srv.Log().Plans()) != 0 {
		t.Fatalf("%d plan requests for a version not offered", n)
	}
}

type updateDryRun struct {
	Send       int            `json:"send"`
	Skipped    map[string]int `json:"skipped"`
	Stages     []int          `json:"stages"`
	Requests   int            `json:"requests"`
	FirstStage []struct {
		ID, Name, Serial, ObjectType string
	} `json:"firstStage"`
	SkippedDevices []struct {
		ID, Reason string
	} `json:"skippedDevices"`
}

func dryRun(t *testing.T, c *cli, args ...string) updateDryRun {
	t.Helper()
	r := c.run("", append(append([]string{"mass", "run"}, args...), "--dry-run")...)
	var out updateDryRun
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
		t.Fatalf("dry run: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	return out
}

// TestSoftwareUpdateDryRunShowsSkipsAndFirstStage: the preflight lists the
// devices already up to date with the reason, and who is in the first
// stage; nothing is created.
func TestSoftwareUpdateDryRunShowsSkipsAndFirstStage(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := updateCLI(t, srv.URL)
	args := []string{"--group", "All Managed Clients", "--command", "software-update", "--version", "latest-minor", "--stages", "5%,100%"}
	r := c.run("", append(append([]string{"mass", "run"}, args...), "--dry-run")...)
	if r.code != 0 {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
	for _, want := range []string{"Skipped, already on the latest", "Stage 1 of 2 (", "Server offers macOS", "COMPUTER "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("preflight lacks %q:\n%s", want, r.stderr)
		}
	}
	out := dryRun(t, c, args...)
	upToDate := 0
	for _, d := range out.SkippedDevices {
		if strings.HasPrefix(d.Reason, "already on the latest") {
			upToDate++
		}
	}
	if upToDate == 0 || len(out.FirstStage) == 0 || len(out.FirstStage) != out.Stages[0] || out.Send != out.Stages[0]+out.Stages[1] {
		t.Fatalf("dry run: %d up to date, first stage %d, stages %v, send %d", upToDate, len(out.FirstStage), out.Stages, out.Send)
	}
	if n := srv.Log().Requests(plansRoute); n != 0 {
		t.Fatalf("a dry run sent %d plan requests", n)
	}
}

// TestSoftwareUpdateFailingCanaryExitsThree: the canary's devices fail;
// with --auto-continue the job still holds after stage 1 (exit status 3),
// names the failures by reason, and no later stage got a plan.
func TestSoftwareUpdateFailingCanaryExitsThree(t *testing.T) {
	t.Parallel()
	clock := jamftest.NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	// tickClock moves the clock hours a millisecond: a token that lives a
	// year keeps expiry (tested elsewhere) out of the run.
	srv := demoServer(t, jamftest.Options{Clock: clock, Clients: []jamftest.APIClient{
		{ID: jamftest.DemoClientID, Secret: jamftest.DemoClientSecret, Privileges: jamftest.AllPrivileges(), TokenLifetime: 365 * 24 * time.Hour}}})
	c := updateCLI(t, srv.URL)
	args := []string{"--group", "All Managed Clients", "--command", "software-update", "--version", "latest-any", "--stages", "10%,100%",
		"--auto-continue", "--stage-wait", "8h", "--watch-every", "2ms", "--skip-offline-days", "1", "--batch", "100", "--rate", "50"}
	out := dryRun(t, c, args...)
	for _, d := range out.FirstStage {
		if err := srv.FailSoftwareUpdate(d.ObjectType, d.ID, "DOWNLOAD_INSUFFICIENT_SPACE"); err != nil {
			t.Fatal(err)
		}
	}
	tickClock(t, clock)
	r := c.run("", append(append([]string{"mass", "run"}, args...), "--yes")...)
	if r.code != 3 || !strings.Contains(r.stderr, "insufficient space") || !strings.Contains(r.stderr, "jamfops mass resume") {
		t.Fatalf("failing canary: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "DOWNLOAD_INSUFFICIENT_SPACE ") {
		t.Errorf("no per-state counts in the live lines:\n%s", r.stderr)
	}
	if n := len(srv.Log().Plans()); n != len(out.FirstStage) {
		t.Fatalf("%d plans, the canary has %d devices", n, len(out.FirstStage))
	}
}

// TestSoftwareUpdateResumeAfterLostAnswer: the answer to a plan request is
// lost and the process is stopped right then; `mass resume` checks the
// server and finishes the job without a second plan for any device.
func TestSoftwareUpdateResumeAfterLostAnswer(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	ctx, kill := context.WithCancel(t.Context())
	defer kill()
	var posts atomic.Int32
	u, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method == http.MethodPost && strings.HasSuffix(resp.Request.URL.Path, "/managed-software-updates/plans") && posts.Add(1) == 2 {
			kill() // the process dies while the answer is on its way
			resp.Body.Close()
			resp.StatusCode, resp.Status = http.StatusBadGateway, "502 Bad Gateway"
			resp.Body = io.NopCloser(strings.NewReader("upstream reset"))
			resp.ContentLength = -1
			resp.Header.Del("Content-Length")
		}
		return nil
	}
	proxy := httptest.NewServer(rp)
	defer proxy.Close()
	c := updateCLI(t, proxy.URL)
	args := []string{"mass", "run", "--group", "All Managed Clients", "--command", "software-update", "--version", "latest-minor",
		"--stages", "100%", "--batch", "40", "--concurrency", "1", "--skip-offline-days", "0", "--yes"}
	var stdout, stderr strings.Builder
	code := Run(ctx, args, &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return c.env[k] },
		Secrets: c.secrets, ProfilesPath: c.path, AuditPath: c.auditPath, JobsDir: c.jobsDir, CacheDir: c.cacheDir, DataDir: c.dataDir})
	var summary struct{ Job, State string }
	if err := json.Unmarshal([]byte(stdout.String()), &summary); err != nil || code == 0 {
		t.Fatalf("interrupted run: exit %d %q %q", code, stdout.String(), stderr.String())
	}
	before := len(srv.Log().Plans())
	if before != 80 {
		t.Fatalf("%d plans before resuming, want the 2 batches of 40", before)
	}
	r := c.run("", "mass", "resume", summary.Job)
	if r.code != 0 || !strings.Contains(r.stdout, `"state": "done"`) {
		t.Fatalf("resume: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	seen := map[string]int{}
	for _, p := range srv.Log().Plans() {
		seen[p.ObjectType+"/"+p.DeviceID]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s has %d plans", k, n)
		}
	}
	var sent struct{ Sent int }
	_ = json.Unmarshal([]byte(r.stdout), &sent)
	if len(seen) != sent.Sent || sent.Sent <= before {
		t.Fatalf("%d devices with a plan, job says %d sent", len(seen), sent.Sent)
	}
}

// TestSoftwareUpdateStageWaitDefault: a software update watches a stage for
// 4 h unless --stage-wait says otherwise (the preflight says which).
func TestSoftwareUpdateStageWaitDefault(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := updateCLI(t, srv.URL)
	args := []string{"mass", "run", "--group", "All Managed Clients", "--command", "software-update", "--version", "latest-any", "--dry-run"}
	if r := c.run("", args...); r.code != 0 || !strings.Contains(r.stderr, "watched for up to 4h0m0s") {
		t.Fatalf("default: exit %d %q", r.code, r.stderr)
	}
	if r := c.run("", append(args, "--stage-wait", "30m")...); r.code != 0 || !strings.Contains(r.stderr, "watched for up to 30m0s") {
		t.Fatalf("--stage-wait 30m: exit %d %q", r.code, r.stderr)
	}
}
