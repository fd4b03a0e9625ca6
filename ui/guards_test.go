package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops/mass"
)

// savedJob plans a job for every member of the first group and saves its
// journal without running it (as a crash right after the start would).
func savedJob(t *testing.T, f fixture, action string) *mass.Plan {
	t.Helper()
	m := planFor(t, f)
	for topOf(m).(planModel).fields[fAction].value != action {
		m = press(t, m, "l")
	}
	m = setField(t, m, fStages, "100%")
	m = setField(t, m, fSkipOffline, "0")
	m = setField(t, m, fRate, "50")
	m = press(t, m, "P")
	p := topOf(m).(planModel).plan
	if p == nil {
		t.Fatalf("no plan: %v", topOf(m).(planModel).err)
	}
	j, err := mass.CreateJournal(f.deps.JobsDir, p)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	return p
}

// openJobs starts a console and opens :jobs.
func openJobs(t *testing.T, deps Deps) tea.Model {
	t.Helper()
	m := start(t, deps, 140, 45)
	m = press(t, m, ":")
	m = typeText(t, m, "jobs")
	m = press(t, m, "enter")
	if _, ok := topOf(m).(jobsModel); !ok {
		t.Fatalf(":jobs opened %T", topOf(m))
	}
	return m
}

func status(m tea.Model) string { return m.(Model).status }

// R asks before resuming; only y goes ahead.
func TestResumeAsksFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 60, MobileDevices: 10}, "", "")
	savedJob(t, f, "blank-push")
	m := openJobs(t, f.deps)
	m = press(t, m, "R")
	v := screenText(m, f.srv)
	if !strings.Contains(v, "Resume blank push to 60 devices") || !strings.Contains(v, "y confirm") {
		t.Fatalf("R did not ask:\n%s", v)
	}
	m = press(t, m, "enter")
	if n := f.srv.Log().Requests("POST /api/v2/mdm/blank-push"); n != 0 || !strings.Contains(status(m), "Cancelled") {
		t.Fatalf("enter resumed the job (%d sends), status %q", n, status(m))
	}
	m = press(t, m, "R", "y")
	if live := topOf(m).(jobsModel).current(); live == nil || !live.ended || live.last.Sent != 60 {
		t.Fatalf("resumed job %+v", live)
	}
}

// A destructive job needs the count left and the profile typed to resume.
func TestResumeDestructiveNeedsCountAndProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 40, MobileDevices: 10}, "", "")
	savedJob(t, f, "ERASE_DEVICE")
	m := openJobs(t, f.deps)
	m = press(t, m, "R", "y")
	if n := len(f.srv.Log().Commands()); n != 0 {
		t.Fatalf("y resumed an erase: %d commands", n)
	}
	if !strings.Contains(screenText(m, f.srv), "Type the number of devices left (40)") {
		t.Fatalf("no count asked:\n%s", screenText(m, f.srv))
	}
	m = press(t, m, "enter") // "y" typed is not the count
	if n := len(f.srv.Log().Commands()); n != 0 || !strings.Contains(status(m), "did not match") {
		t.Fatalf("%d commands, status %q", n, status(m))
	}
	m = press(t, m, "R")
	m = typeText(t, m, "40")
	m = press(t, m, "enter")
	m = typeText(t, m, "test")
	m = press(t, m, "enter")
	if n := len(f.srv.Log().Commands()); n != 40 {
		t.Fatalf("%d erase commands after the count and profile, want 40", n)
	}
}

// R R R while a resume is starting starts one runner.
func TestResumeTwiceStartsOneRunner(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 60, MobileDevices: 10}, "", "")
	savedJob(t, f, "blank-push")
	m := openJobs(t, f.deps)
	var started []jobStartedMsg
	// Feed every message back except the runners' start, which is held
	// as if the journal were slow to open.
	var run func(cmd tea.Cmd)
	run = func(cmd tea.Cmd) {
		for _, msg := range collect(cmd) {
			if s, ok := msg.(jobStartedMsg); ok {
				started = append(started, s)
				continue
			}
			var next tea.Cmd
			m, next = m.Update(msg)
			run(next)
		}
	}
	for range 3 {
		for _, k := range []string{"R", "y"} {
			var cmd tea.Cmd
			m, cmd = m.Update(keyMsg(k))
			run(cmd)
		}
	}
	if len(started) != 1 {
		t.Fatalf("R R R started %d runners, want 1", len(started))
	}
	if !strings.Contains(status(m), "already starting") {
		t.Fatalf("status %q", status(m))
	}
	m = drive(t, m, func() tea.Msg { return started[0] })
	if n := f.srv.Log().Requests("POST /api/v2/mdm/blank-push"); n != 2 {
		t.Fatalf("%d blank-push requests, want 2 (60 devices once)", n)
	}
	// Once it ran, R says why it does nothing.
	m = press(t, m, "R")
	if !strings.Contains(status(m), "ended") {
		t.Fatalf("R on a finished job: %q", status(m))
	}
}

// C on an interrupted job offers to discard it, typed.
func TestDiscardInterruptedJob(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 20, MobileDevices: 5}, "", "")
	p := savedJob(t, f, "blank-push")
	var calls []string
	f.deps.DiscardJob = func(dir, id string) error {
		calls = append(calls, dir+"|"+id)
		return os.Remove(filepath.Join(dir, id+".jsonl"))
	}
	m := openJobs(t, f.deps)
	m = press(t, m, "C")
	if v := screenText(m, f.srv); !strings.Contains(v, "Discard job "+p.ID) || !strings.Contains(v, `type the job ID or "discard"`) {
		t.Fatalf("C did not offer a discard:\n%s", v)
	}
	m = press(t, m, "y", "enter")
	if len(calls) != 0 || !strings.Contains(status(m), "did not match") {
		t.Fatalf("y discarded: %v, %q", calls, status(m))
	}
	m = press(t, m, "C")
	m = typeText(t, m, "discard")
	m = press(t, m, "enter")
	if len(calls) != 1 || calls[0] != f.deps.JobsDir+"|"+p.ID {
		t.Fatalf("discard calls %v", calls)
	}
	if !strings.Contains(status(m), "discarded") || len(topOf(m).(jobsModel).ids) != 0 {
		t.Fatalf("after discard: %q, %d jobs listed", status(m), len(topOf(m).(jobsModel).ids))
	}
	if f.srv.Log().Requests("POST /api/v2/mdm/blank-push") != 0 {
		t.Fatal("a discard sent something")
	}
}

// Without an injected discard, C removes the journal itself.
func TestDiscardDefaultRemovesJournal(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 20, MobileDevices: 5}, "", "")
	p := savedJob(t, f, "blank-push")
	m := openJobs(t, f.deps)
	m = press(t, m, "C")
	m = typeText(t, m, p.ID)
	m = press(t, m, "enter")
	if _, err := os.Stat(filepath.Join(f.deps.JobsDir, p.ID+".jsonl")); !os.IsNotExist(err) {
		t.Fatalf("journal still there: %v (status %q)", err, status(m))
	}
}

// Keys that cannot act say why.
func TestJobKeysSayWhy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 20, MobileDevices: 5}, "", "")
	savedJob(t, f, "blank-push")
	m := openJobs(t, f.deps)
	m = press(t, m, "g")
	if !strings.Contains(status(m), "not held") {
		t.Fatalf("g on an interrupted job: %q", status(m))
	}
	m = press(t, m, "R", "y")
	for k, want := range map[string]string{"C": "ended", "g": "not held", "R": "ended", "p": "ended"} {
		m = press(t, m, k)
		if !strings.Contains(status(m), want) {
			t.Fatalf("%s on a finished job: %q, want %q", k, status(m), want)
		}
	}
}

// heldJobFlow starts a staged job in a real program and waits until it is
// held after its first stage.
func heldJobFlow(t *testing.T, f fixture) *teatest.TestModel {
	t.Helper()
	tm := teatest.NewTestModel(t, New(f.deps), teatest.WithInitialTermSize(140, 45),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitText(t, tm, "Macs - no check-in for 30 days")
	sendKeys(tm, "enter")
	waitText(t, tm, "1/300")
	sendKeys(tm, "M")
	waitText(t, tm, "Plan a mass action")
	set := func(field int, value string) {
		for range field {
			sendKeys(tm, "j")
		}
		sendKeys(tm, "enter")
		tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}) // clear the field
		tm.Type(value)
		sendKeys(tm, "enter")
		for range field {
			sendKeys(tm, "k")
		}
	}
	set(fSkipOffline, "0")
	set(fStages, "1%,100%")
	set(fStageWait, "0s")
	sendKeys(tm, "P")
	waitText(t, tm, "Preflight (nothing sent yet)")
	sendKeys(tm, "S")
	waitText(t, tm, "y confirm")
	sendKeys(tm, "y")
	waitText(t, tm, "held:")
	return tm
}

// Quitting with a job running asks, says what happens, and only y quits.
func TestQuitWithRunningJobAsks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	tm := heldJobFlow(t, f)
	sendKeys(tm, "R")
	waitText(t, tm, "is running here")
	sendKeys(tm, "q")
	waitText(t, tm, "jamfops mass resume")
	sendKeys(tm, "enter")
	waitText(t, tm, "Not quitting")
	sendKeys(tm, "ctrl+c")
	waitText(t, tm, "will be interrupted")
	sendKeys(tm, "y")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if !fm.quitting {
		t.Fatal("y did not quit")
	}
	jobs, err := mass.ListJobs(f.deps.JobsDir)
	if err != nil || len(jobs) != 1 || jobs[0].State.Ended != "" {
		t.Fatalf("the job should stay resumable: %+v %v", jobs, err)
	}
}

// A job planned for another server is refused at R, before any question.
func TestResumeRefusesAnotherServer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 20, MobileDevices: 5}, "", "")
	other := newFixture(t, jamftest.Options{Computers: 20, MobileDevices: 5}, "", "")
	savedJob(t, other, "blank-push")
	f.deps.JobsDir = other.deps.JobsDir
	m := openJobs(t, f.deps)
	m = press(t, m, "R")
	if topOf(m).(jobsModel).ask != nil || !strings.Contains(status(m), "not this server") {
		t.Fatalf("R on another server's job: ask %v, status %q", topOf(m).(jobsModel).ask != nil, status(m))
	}
}

// ctrl+c during a JSC risk change asks too (q belongs to the change's dialogue).
func TestQuitDuringRiskChangeAsks(t *testing.T) {
	t.Parallel()
	f, _ := newRiskFixture(t, "", "")
	m := openRisk(t, f, 120, 40)
	mm := m.(Model)
	r := topOf(m).(riskModel)
	r.stage = riskRunning // as run() leaves it while the change's job runs
	mm.stack[len(mm.stack)-1] = r
	m2, cmd := mm.Update(keyMsg("ctrl+c"))
	if cmd != nil || m2.(Model).quitAsk == nil || !strings.Contains(screenText(m2, f.srv), "will be interrupted") {
		t.Fatalf("ctrl+c during a risk change did not ask:\n%s", screenText(m2, f.srv))
	}
}

// A profile switch is refused while a job of this profile runs: its
// screen and events would be lost with the old console.
func TestProfileSwitchRefusedWhileJobRuns(t *testing.T) {
	t.Parallel()
	a := newFixture(t, jamftest.Options{Computers: 20, MobileDevices: 5}, "", "")
	switched := false
	a.deps.Switch = func(string) (Deps, error) { switched = true; return a.deps, nil }
	p := savedJob(t, a, "blank-push")
	m := start(t, a.deps, 120, 40)
	m.(Model).c.jobs[p.ID] = &liveJob{plan: p}
	m = press(t, m, ":")
	m = typeText(t, m, "profile lab")
	m = press(t, m, "enter")
	if switched || !strings.Contains(status(m), "is running on this profile") {
		t.Fatalf("switched %v, status %q", switched, status(m))
	}
}

// With no job at all, the job keys say so rather than nothing.
func TestJobKeysWithNoJob(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 20, MobileDevices: 5}, "", "")
	m := openJobs(t, f.deps)
	for _, k := range []string{"R", "C", "g", "p", "d", "e"} {
		m = press(t, m, k)
		if !strings.Contains(status(m), "No job selected") {
			t.Fatalf("%s with no job: %q", k, status(m))
		}
	}
}
