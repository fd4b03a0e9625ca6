//go:build unix

package mass

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// TestCrashChild is the runner process the crash test kills: it resumes
// the job named in its environment. With MASS_CRASH_TEAR=n it kills itself
// in the middle of its n-th journal write, leaving part of the line on
// disk as a crash or a full disk does. It does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("MASS_CRASH_JOURNAL")
	if path == "" {
		t.Skip("helper process for TestCrashAtRandomPointsSendsEachDeviceOnce")
	}
	j, p, st, err := OpenJournal(path)
	if err != nil {
		os.Exit(4)
	}
	if n, _ := strconv.Atoi(os.Getenv("MASS_CRASH_TEAR")); n > 0 {
		cut, _ := strconv.ParseFloat(os.Getenv("MASS_CRASH_CUT"), 64)
		writes := 0
		j.beforeWrite = func(_ record, line []byte) error {
			if writes++; writes == n {
				k := max(1, min(len(line)-1, int(cut*float64(len(line)))))
				f := j.log.OS()
				if fi, err := f.Stat(); err == nil {
					_, _ = f.WriteAt(line[:k], fi.Size())
				}
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
			return nil
		}
	}
	c, err := jamf.NewClient(os.Getenv("MASS_CRASH_URL"), jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
	if err != nil {
		os.Exit(5)
	}
	audit, _ := ops.OpenAuditLog(os.Getenv("MASS_CRASH_AUDIT"))
	r := NewRunner(c, j, audit)
	r.HoldReturns = true
	if _, err := r.Run(context.Background(), p, st); err != nil {
		os.Exit(6)
	}
	os.Exit(0)
}

// TestCrashAtRandomPointsSendsEachDeviceOnce kills the runner process with
// SIGKILL 50 times: at random moments, and in the middle of journal writes
// (a torn last line), and tears the journal's tail between runs too. The
// server outlives every child; its admin log must show each device got
// the command exactly once (0 duplicates) and no target lost.
func TestCrashAtRandomPointsSendsEachDeviceOnce(t *testing.T) {
	t.Parallel()
	kills := 50
	if testing.Short() {
		kills = 15
	}
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 400, MobileDevices: -1, Load: jamftest.LoadModel{BaseLatency: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
	list, _, err := c.Computers.List(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	devs := make([]ops.Device, len(list))
	for i, cm := range list {
		devs[i] = ops.FromComputer(cm)
	}
	a, _ := ParseAction("RESTART_DEVICE")
	k := DefaultKnobs()
	k.BatchSize, k.Rate, k.Concurrency, k.Stages, k.SkipOfflineDays = 2, 60, 3, nil, 0
	p, _, err := Build(context.Background(), c, Request{Server: srv.URL, Action: a, Knobs: k, Devices: devs})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	j, err := CreateJournal(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	journal := j.Path()
	j.Close()

	rng := rand.New(rand.NewPCG(42, 7))
	timed, torn, injected, midBatch := 0, 0, 0, 0
	for n := 0; n < kills; n++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), "MASS_CRASH_JOURNAL="+journal, "MASS_CRASH_URL="+srv.URL, "MASS_CRASH_AUDIT="+auditPath)
		tear := rng.IntN(2) == 0
		if tear {
			cmd.Env = append(cmd.Env, "MASS_CRASH_TEAR="+strconv.Itoa(1+rng.IntN(12)), "MASS_CRASH_CUT="+strconv.FormatFloat(rng.Float64(), 'f', 3, 64))
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited: // torn itself, or finished
			var ee *exec.ExitError
			switch {
			case errors.As(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
				torn++
			case err != nil:
				t.Fatalf("child %d: %v", n+1, err)
			}
		case <-time.After(killAfter(rng, tear)):
			_ = cmd.Process.Kill() // SIGKILL: no cleanup runs
			<-exited
			timed++
		}
		_, st, err := ReadJournal(journal)
		if err != nil {
			t.Fatalf("after kill %d: %v", n+1, err)
		}
		if st.Ended != "" {
			break
		}
		if st.Counts()[StateUnknown] > 0 {
			midBatch++
		}
		if rng.IntN(4) == 0 { // a torn tail between runs too
			f, _ := os.OpenFile(journal, os.O_APPEND|os.O_WRONLY, 0)
			_, _ = f.WriteString(`{"t":"intent","at":"2026-11-23T09:00:00Z","b":` + strconv.Itoa(900+n) + `,"ids":[1,2`)
			f.Close()
			injected++
		}
	}
	// Finish in this process.
	j, p, st, err := OpenJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := ops.OpenAuditLog(auditPath)
	final, err := NewRunner(c, j, audit).Run(context.Background(), p, st)
	j.Close()
	if err != nil || final.Ended != "done" {
		t.Fatalf("final run: %v, ended %q, %v", err, final.Ended, final.Counts())
	}
	log := srv.Log()
	dups, lost, confirmed := 0, 0, 0
	for i, tg := range p.Targets {
		n := log.CommandCount(tg.Device.ManagementID, "RESTART_DEVICE")
		switch {
		case final.Targets[i] == StateSent && n == 1:
		case final.Targets[i] == StateSent && n > 1:
			dups++
		default:
			lost++
			t.Errorf("device %s: state %q, %d restarts (%s)", tg.Device.ID, final.Targets[i], n, final.Reasons[i])
		}
		if strings.Contains(final.Reasons[i], "confirmed") {
			confirmed++
		}
	}
	if len(log.Commands()) != len(p.Targets) {
		t.Errorf("%d commands for %d targets", len(log.Commands()), len(p.Targets))
	}
	if dups != 0 || lost != 0 {
		t.Fatalf("%d duplicates, %d lost", dups, lost)
	}
	if _, bad, err := audit.Read(); err != nil || bad != 0 {
		t.Fatalf("audit log: %d bad lines, %v", bad, err)
	}
	t.Logf("%d SIGKILLs at random moments, %d mid-write, %d torn tails injected; %d times a batch was between intent and result; %d devices confirmed from the server instead of resent; %d send requests",
		timed, torn, injected, midBatch, confirmed, log.Requests("POST /api/v2/mdm/commands"))
}

// killAfter is when to SIGKILL a child: at a random moment, or, for one
// that tears its journal itself, only if it has not done so in 5 s.
func killAfter(rng *rand.Rand, tear bool) time.Duration {
	if tear {
		return 5 * time.Second
	}
	return time.Duration(30+rng.IntN(200)) * time.Millisecond
}
