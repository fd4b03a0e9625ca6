package mass

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestFollowUpTargetsFailedAndUnansweredButNobodyPending runs RESTART_DEVICE
// on mobile devices (a fifth answer with an error, offline ones never
// answer), flushes the pending command of a few offline devices, and
// checks that the follow-up sends to exactly the failed devices and the
// unanswered ones whose command is gone, skipping those still holding it.
func TestFollowUpTargetsFailedAndUnansweredButNobodyPending(t *testing.T) {
	t.Parallel()
	e, devs := newMobileEnvWith(t, jamftest.Options{MobileDevices: 120, CommandErrorShare: 0.2})
	k := fast()
	_, _, events, done := e.startAction(t, devs, Action{Kind: KindCommand, CommandType: "RESTART_DEVICE"}, k)
	waitDone(t, events, done)
	e.clock.Advance(2 * time.Hour) // online devices check in and answer
	ctx := context.Background()
	jobs, err := ListJobs(e.dir)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs %v %v", jobs, err)
	}
	p, st := jobs[0].Plan, jobs[0].State
	state := func() map[string]jamf.CommandState {
		// The state of the job's own command: the device's newest
		// RESTART_DEVICE, sent after the job began (the seeded history
		// holds older ones).
		out := map[string]jamf.CommandState{}
		for _, d := range devs {
			cmds, _, err := e.c.MDM.CommandsForDevices(ctx, []string{d.ManagementID})
			if err != nil {
				t.Fatal(err)
			}
			var newest time.Time
			for _, c := range cmds {
				if c.CommandType == "RESTART_DEVICE" && !c.DateSent.Before(t0) && c.DateSent.After(newest) {
					out[d.ID], newest = c.CommandState, c.DateSent.Time
				}
			}
		}
		return out
	}
	before := state()
	var pendingIDs []string
	for _, d := range devs {
		if s := before[d.ID]; s == jamf.StatePending || s == jamf.StateNotNow {
			pendingIDs = append(pendingIDs, d.ID)
		}
	}
	if len(pendingIDs) < 4 {
		t.Fatalf("only %d devices still pending", len(pendingIDs))
	}
	if _, err := e.c.MDM.Flush(ctx, jamf.FlushMobileDevices, pendingIDs[:3], jamf.FlushPending); err != nil {
		t.Fatal(err)
	}
	after := state()
	// Only the job's own targets are followed up: not the unsupervised
	// devices its preflight skipped (whatever their history holds).
	sent := map[string]bool{}
	for _, tg := range p.Targets {
		if tg.Skip == "" {
			sent[tg.Device.ID] = true
		}
	}
	var wantFailed, wantGone, stillPending []string
	for _, d := range devs {
		if !sent[d.ID] {
			continue
		}
		switch s, ok := after[d.ID]; {
		case !ok:
			wantGone = append(wantGone, d.ID)
		case s == jamf.StateError:
			wantFailed = append(wantFailed, d.ID)
		case s == jamf.StatePending || s == jamf.StateNotNow:
			stillPending = append(stillPending, d.ID)
		}
	}
	if len(wantFailed) == 0 || len(wantGone) != 3 {
		t.Fatalf("failed %v, gone %v", wantFailed, wantGone)
	}
	sendsOf := func(o FollowUpOptions) (send, skippedDup []string, parent string) {
		f, err := FindFollowUp(ctx, e.c, p, st, o)
		if err != nil {
			t.Fatal(err)
		}
		req, err := FollowUpRequest(p, f, o, t0.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		p2, _, err := Build(ctx, e.c, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range p2.Targets {
			switch tg.Skip {
			case "":
				send = append(send, tg.Device.ID)
			case DuplicateReason("RESTART_DEVICE"):
				skippedDup = append(skippedDup, tg.Device.ID)
			}
		}
		slices.Sort(send)
		slices.Sort(skippedDup)
		return send, skippedDup, p2.Parent
	}
	sorted := func(a ...[]string) []string {
		var out []string
		for _, l := range a {
			out = append(out, l...)
		}
		slices.Sort(out)
		return out
	}
	send, dup, parent := sendsOf(FollowUpOptions{})
	if !slices.Equal(send, sorted(wantFailed, wantGone)) || parent != p.ID {
		t.Fatalf("follow-up sends to %v, want failed %v and gone %v (parent %q)", send, wantFailed, wantGone, parent)
	}
	if !slices.Equal(dup, sorted(stillPending)) {
		t.Fatalf("skipped as pending %v, want %v", dup, stillPending)
	}
	if send, _, _ := sendsOf(FollowUpOptions{Failed: true}); !slices.Equal(send, sorted(wantFailed)) {
		t.Fatalf("--failed sends to %v, want %v", send, wantFailed)
	}
	if send, _, _ := sendsOf(FollowUpOptions{Unanswered: true}); !slices.Equal(send, sorted(wantGone)) {
		t.Fatalf("--unanswered sends to %v, want %v", send, wantGone)
	}
}

// TestFollowUpOfAMacJobReadFromItsJournalKeepsThePlatform follows up a Mac
// job read back from its journal (which does not store a device's kind):
// the follow-up is still a job for computers, so a macOS-only parameter
// and a macOS-only platform check hold, rather than the Macs being taken
// for iPhones.
func TestFollowUpOfAMacJobReadFromItsJournalKeepsThePlatform(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 40}, "", "")
	devs := e.devices(t, false) // offline: they never answer
	if len(devs) > 5 {
		devs = devs[:5]
	}
	a := Action{Kind: KindCommand, CommandType: "RESTART_DEVICE", Fields: map[string]any{"notifyUser": true}}
	_, _, events, done := e.startAction(t, devs, a, fast())
	waitDone(t, events, done)
	jobs, err := ListJobs(e.dir)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs %v %v", jobs, err)
	}
	p, st := jobs[0].Plan, jobs[0].State
	ctx := context.Background()
	f, err := FindFollowUp(ctx, e.c, p, st, FollowUpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Devices {
		if d.Kind != jamf.PlatformComputer {
			t.Fatalf("follow-up device %s has kind %q, want computer", d.ID, d.Kind)
		}
	}
	req, err := FollowUpRequest(p, f, FollowUpOptions{}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	req.Knobs.AllowDuplicates = true
	p2, pf, err := Build(ctx, e.c, req)
	if err != nil {
		t.Fatalf("follow-up of a Mac job: %v", err)
	}
	if p2.Platform != string(jamf.PlatformComputer) || pf.Send != len(devs) {
		t.Fatalf("follow-up platform %q, %d to send (skips %v), want computer and %d", p2.Platform, pf.Send, pf.SkipSummary(), len(devs))
	}
}
