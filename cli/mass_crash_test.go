package cli

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops/mass"
)

// TestMassHelperProcess is the child the crash test kills: it resumes the
// job named in its environment. It does nothing in a normal test run.
func TestMassHelperProcess(t *testing.T) {
	if os.Getenv("JAMFOPS_MASS_HELPER") != "1" {
		t.Skip("helper process for TestMassCrashResumeSendsEachDeviceOnce")
	}
	var out bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: os.Getenv, Secrets: &memSecrets{m: map[string]string{}},
		AuditPath: os.Getenv("HELPER_AUDIT")}
	os.Exit(Run(context.Background(), []string{"mass", "resume", os.Getenv("HELPER_JOB"), "--jobs-dir", os.Getenv("HELPER_DIR"), "--go"}, env))
}

// TestMassCrashResumeSendsEachDeviceOnce kills a job's process with SIGKILL
// at 50 random points, resuming it each time, and checks from the server's
// admin log that every device received the command exactly once or was
// reported skipped or failed: never twice, never lost.
func TestMassCrashResumeSendsEachDeviceOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 50 processes")
	}
	t.Parallel()
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 800, MobileDevices: -1, Load: jamftest.LoadModel{BaseLatency: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dir, auditPath := t.TempDir(), filepath.Join(t.TempDir(), "audit.jsonl")
	c := newCLI(t)
	c.auditPath = auditPath
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	r := c.run("", "mass", "run", "--group", "All Managed Clients", "--command", "RESTART_DEVICE", "--batch", "4", "--rate", "30",
		"--concurrency", "3", "--stages", "100%", "--skip-offline-days", "0", "--save", "--yes", "--jobs-dir", dir)
	if r.code != 0 {
		t.Fatalf("plan: %q", r.stderr)
	}
	jobs, _ := mass.ListJobs(dir)
	if len(jobs) != 1 {
		t.Fatal("no saved job")
	}
	job := jobs[0].Plan.ID
	journal := jobs[0].Path
	rng := rand.New(rand.NewPCG(42, 7))
	kills, midBatch := 0, 0
	for kills < 50 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMassHelperProcess$")
		cmd.Env = append(os.Environ(), "JAMFOPS_MASS_HELPER=1", "HELPER_JOB="+job, "HELPER_DIR="+dir, "HELPER_AUDIT="+auditPath,
			"JAMF_URL="+srv.URL, "JAMF_CLIENT_ID="+jamftest.DemoClientID, "JAMF_CLIENT_SECRET="+jamftest.DemoClientSecret, "XDG_DATA_HOME="+t.TempDir())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rng.IntN(180)) * time.Millisecond)
		_ = cmd.Process.Kill() // SIGKILL: no cleanup runs
		_ = cmd.Wait()
		kills++
		if _, st, err := mass.ReadJournal(journal); err == nil {
			if st.Counts()[mass.StateUnknown] > 0 {
				midBatch++
			}
			if st.Ended != "" {
				break
			}
		}
	}
	// Finish the job in this process.
	r = c.run("", "mass", "resume", job, "--jobs-dir", dir, "--go")
	_, st, err := mass.ReadJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ended != "done" {
		t.Fatalf("after %d kills the job ended %q (%q)", kills, st.Ended, r.stderr)
	}
	p, _, _ := mass.ReadJournal(journal)
	log := srv.Log()
	counts := st.Counts()
	for i, tgt := range p.Targets {
		n := log.CommandCount(tgt.Device.ManagementID, "RESTART_DEVICE")
		switch st.Targets[i] {
		case mass.StateSent:
			if n != 1 {
				t.Fatalf("device %s (%s) received the restart %d times", tgt.Device.ID, st.Reasons[i], n)
			}
		case mass.StateSkipped, mass.StateFailed:
			if n != 0 {
				t.Fatalf("device %s reported %s but received %d restarts", tgt.Device.ID, st.Targets[i], n)
			}
		default:
			t.Fatalf("device %s ended in state %q", tgt.Device.ID, st.Targets[i])
		}
	}
	confirmed := 0
	for _, why := range st.Reasons {
		if strings.Contains(why, "confirmed") {
			confirmed++
		}
	}
	t.Logf("%d SIGKILLs (%d left a batch between intent and result); %d devices sent, %d skipped, %d failed; %d sends confirmed from the server after a crash instead of resent; %d send requests in all",
		kills, midBatch, counts[mass.StateSent], counts[mass.StateSkipped], counts[mass.StateFailed], confirmed, log.Requests("POST /api/v2/mdm/commands"))
}
