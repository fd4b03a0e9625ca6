package mass

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// skewRun runs a RESTART_DEVICE job whose runner's clock is off by skew
// from the server's, crashes it at a batch (after the send and before its
// result, or after the intent and before the send), resumes it with the
// same clock, and checks from the server's admin log that each device got
// the job's command exactly once. Five devices already received a restart
// from someone else two minutes before the job: that one must not pass
// for the job's.
func skewRun(t *testing.T, skew time.Duration, crashBeforeSend bool) {
	t.Helper()
	clock := jamftest.NewVirtualClock(t0)
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 40, MobileDevices: -1, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(0, 0))
	list, _, err := c.Computers.List(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var devs []ops.Device
	for _, cm := range list[:20] {
		devs = append(devs, ops.FromComputer(cm))
	}
	earlier := []string{devs[0].ManagementID, devs[1].ManagementID, devs[2].ManagementID, devs[3].ManagementID, devs[4].ManagementID}
	if _, _, err := c.MDM.SendCommand(context.Background(), jamf.PlatformComputer, jamf.CommandData{CommandType: "RESTART_DEVICE"}, earlier); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute)
	began := time.Now()
	local := func() time.Time { return t0.Add(2*time.Minute + skew + time.Since(began)) }

	a, _ := ParseAction("RESTART_DEVICE")
	k := fast()
	k.BatchSize, k.Concurrency, k.SkipOfflineDays = 5, 1, 0
	p, _, err := Build(context.Background(), c, Request{Action: a, Knobs: k, Devices: devs, Now: local()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	audit, _ := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	j, _ := CreateJournal(dir, p)
	_, st, _ := ReadJournal(j.Path())
	j.beforeWrite = func(r record, line []byte) error {
		switch {
		case crashBeforeSend && r.T == "intent":
			_ = j.log.Append(line) // the intent is on disk; the process dies before sending
			return errCrash
		case !crashBeforeSend && r.T == "result":
			return errCrash // sent; the process dies before recording it
		}
		return nil
	}
	r := NewRunner(c, j, audit)
	r.Now = local
	if _, err := r.Run(context.Background(), p, st); !errors.Is(err, errCrash) {
		t.Fatalf("first run: %v", err)
	}
	j.Close()

	j, p, st, err = OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	r = NewRunner(c, j, audit)
	r.Now = local
	final, err := r.Run(context.Background(), p, st)
	j.Close()
	if err != nil || final.Ended != "done" {
		t.Fatalf("resume: %v, ended %q %v", err, final.Ended, final.Counts())
	}
	for k, d := range devs {
		want := 1
		if k < len(earlier) {
			want = 2 // someone else's restart, then the job's
		}
		if n := srv.Log().CommandCount(d.ManagementID, "RESTART_DEVICE"); n != want {
			t.Fatalf("clock %+v, device %d got %d restarts, want %d (%s)", skew, k, n, want, final.Reasons[k])
		}
	}
}

func TestVerificationWithALocalClock90sFast(t *testing.T) {
	t.Parallel()
	t.Run("crash after send", func(t *testing.T) { skewRun(t, 90*time.Second, false) })
	t.Run("crash before send", func(t *testing.T) { skewRun(t, 90*time.Second, true) })
}

func TestVerificationWithALocalClock90sSlow(t *testing.T) {
	t.Parallel()
	t.Run("crash after send", func(t *testing.T) { skewRun(t, -90*time.Second, false) })
	t.Run("crash before send", func(t *testing.T) { skewRun(t, -90*time.Second, true) })
}

// TestFailingCanaryHoldsWithALocalClock5MinutesFast: the stage check
// reads the canary's outcomes from the server's command list. With the
// laptop's clock 5 minutes fast, commands the server dated at its own time
// must still count as the job's: the failing canary holds the job.
func TestFailingCanaryHoldsWithALocalClock5MinutesFast(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 120}, "", "")
	devs := e.devices(t, true)
	k := fast()
	k.Stages, k.AutoContinue, k.StageWait = []Stage{{Count: 6}, {Share: 1}}, true, 100*time.Millisecond
	laptop := func() time.Time { return e.clock.Now().Add(5 * time.Minute) }
	p, _, err := Build(context.Background(), e.c, Request{Server: "test", Label: "test", Action: Action{Kind: KindCommand, CommandType: "DEVICE_INFORMATION"},
		Knobs: k, Devices: devs, Now: laptop()})
	if err != nil {
		t.Fatal(err)
	}
	// Lost Mode is for iPhones and iPads: every Mac rejects it on check-in.
	p.Action = Action{Kind: KindCommand, CommandType: "ENABLE_LOST_MODE", Fields: map[string]any{"lostModeMessage": "Call IT"}}
	j, err := CreateJournal(e.dir, p)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	_, st, _ := ReadJournal(j.Path())
	r := NewRunner(e.c, j, e.audit)
	r.Poll, r.Now = 20*time.Millisecond, laptop
	events := make(chan Event, 1000)
	r.Events = events
	done := make(chan error, 1)
	go func() { _, err := r.Run(context.Background(), p, st); done <- err }()
	for ev := range events {
		if ev.Kind == EvWaiting && strings.Contains(ev.Note, "watching its outcome") {
			e.clock.Advance(10 * time.Minute) // the canary devices check in and answer
		}
		if ev.Kind == EvHold {
			if !strings.Contains(ev.Note, "failed too often") {
				t.Fatalf("hold note %q", ev.Note)
			}
			break
		}
		if ev.Kind == EvDone {
			t.Fatalf("the job ended (%q) without holding on its failing canary", ev.Note)
		}
	}
	if n := len(e.srv.Log().Commands()); n != 6 {
		t.Fatalf("%d commands sent; the wide stage must not start", n)
	}
	r.Cancel()
	<-done
}
