package mass

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/ops"
)

func tinyPlan(id string) *Plan {
	p := &Plan{ID: id, Created: t0, Server: "test", Label: "test", Action: Action{Kind: KindBlankPush}, Knobs: fast(), Stages: 1, Platform: "computer"}
	for i := range 3 {
		p.Targets = append(p.Targets, Target{Device: ops.Device{ID: strconv.Itoa(i), ManagementID: "m" + strconv.Itoa(i), Kind: "computer"}})
	}
	return p
}

func TestSecondOpenerOfAJobIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := CreateJournal(dir, tinyPlan("job-a"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = OpenJournal(j.Path())
	var busy *JobBusyError
	if !errors.As(err, &busy) || busy.ID != "job-a" || busy.PID != os.Getpid() {
		t.Fatalf("second open: %v", err)
	}
	if want := "job job-a is running (pid " + strconv.Itoa(os.Getpid()) + ")"; err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
	jobs, _ := ListJobs(dir)
	if len(jobs) != 1 || !jobs[0].Running || jobs[0].RunningPID != os.Getpid() || jobs[0].Unfinished() || !strings.HasPrefix(jobs[0].Status, "running") {
		t.Fatalf("listing while held: %+v", jobs)
	}
	// The probe in ListJobs must not have stolen or broken the lock.
	if _, _, _, err := OpenJournal(j.Path()); !errors.As(err, &busy) {
		t.Fatalf("open after a listing: %v", err)
	}
	if err := Discard(dir, "job-a"); !errors.As(err, &busy) {
		t.Fatalf("discard of a held job: %v", err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	jobs, _ = ListJobs(dir)
	if len(jobs) != 1 || jobs[0].Running || !jobs[0].Unfinished() || jobs[0].Status != "interrupted" {
		t.Fatalf("listing after close: %+v", jobs)
	}
	j2, _, _, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	j2.Close()
}

func TestDiscard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, _ := CreateJournal(dir, tinyPlan("job-d"))
	j.Close()
	keep, _ := CreateJournal(dir, tinyPlan("job-k"))
	keep.Close()
	if err := Discard(dir, "job-d"); err != nil {
		t.Fatal(err)
	}
	jobs, _ := ListJobs(dir)
	if len(jobs) != 1 || jobs[0].Plan.ID != "job-k" {
		t.Fatalf("jobs after discard: %+v", jobs)
	}
	if _, _, _, err := OpenJournal(j.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("resume of a discarded job: %v", err)
	}
	if err := Discard(dir, "job-d"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("second discard: %v", err)
	}
	if err := Discard(dir, "../job-k"); err == nil {
		t.Fatal("a path was accepted as a job ID")
	}
	if _, err := os.Stat(filepath.Join(dir, "job-d.lock")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file left: %v", err)
	}
}

// TestHelperJobHolder opens the job named in its environment and holds it
// until killed.
func TestHelperJobHolder(t *testing.T) {
	path := os.Getenv("MASS_HOLD_JOURNAL")
	if path == "" {
		t.Skip("helper process for TestJobLockAcrossProcesses")
	}
	if _, _, _, err := OpenJournal(path); err != nil {
		os.Stdout.WriteString("error " + err.Error() + "\n")
		os.Exit(3)
	}
	os.Stdout.WriteString("held\n")
	select {}
}

func TestJobLockAcrossProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, _ := CreateJournal(dir, tinyPlan("job-p"))
	j.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperJobHolder$")
	cmd.Env = append(os.Environ(), "MASS_HOLD_JOURNAL="+j.Path())
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "held\n" {
		t.Fatalf("child: %q %v", line, err)
	}
	_, _, _, err := OpenJournal(j.Path())
	var busy *JobBusyError
	if !errors.As(err, &busy) || busy.PID != cmd.Process.Pid {
		t.Fatalf("open while the child holds the job: %v (child pid %d)", err, cmd.Process.Pid)
	}
	if jobs, _ := ListJobs(dir); len(jobs) != 1 || jobs[0].RunningPID != cmd.Process.Pid || jobs[0].Unfinished() {
		t.Fatalf("listing: %+v", jobs)
	}
	_ = cmd.Process.Kill() // SIGKILL: the OS drops the lock
	_ = cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		j2, _, _, err := OpenJournal(j.Path())
		if err == nil {
			j2.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("open after the child died: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
