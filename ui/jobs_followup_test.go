package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

func TestProgressAndETAAreTruthful(t *testing.T) {
	t.Parallel()
	// A cancelled job does not show a full bar: cancelled devices got no answer.
	if v := progressValue(mass.Event{Total: 10, Sent: 3, Cancelled: 7}); v != 0.3 {
		t.Fatalf("cancelled job at %.0f%%", 100*v)
	}
	j := &liveJob{began: time.Now()}
	j.apply(mass.Event{Kind: mass.EvProgress, Sent: 10, Pending: 90, Total: 100}, false)
	time.Sleep(20 * time.Millisecond)
	j.apply(mass.Event{Kind: mass.EvProgress, Sent: 20, Pending: 80, Total: 100}, false)
	sending := j.active
	j.apply(mass.Event{Kind: mass.EvHold, Sent: 20, Pending: 80, Total: 100, Note: "stage 1 of 3 done"}, false)
	if got := j.etaText(); got != "held, waiting for go-ahead" {
		t.Fatalf("held: %q", got)
	}
	time.Sleep(150 * time.Millisecond) // held: the clock stops
	j.apply(mass.Event{Kind: mass.EvProgress, Sent: 30, Pending: 70, Total: 100}, false)
	if j.active != sending {
		t.Fatalf("the hold counted as sending time: %v, then %v", sending, j.active)
	}
	j.apply(mass.Event{Kind: mass.EvWaiting, Sent: 30, Pending: 70, Total: 100, Note: "stage 2 done; watching its outcome for 2m0s"}, false)
	if got := j.etaText(); !strings.Contains(got, "watching its outcome") || strings.Contains(got, "ETA") {
		t.Fatalf("watching: %q", got)
	}
	j.apply(mass.Event{Kind: mass.EvProgress, Sent: 40, Pending: 60, Total: 100}, false)
	if d := j.eta(); d <= 0 || d > 150*time.Millisecond {
		t.Fatalf("ETA %v counts the hold", d)
	}
}

// TestFollowUpFromTheJobsScreen: F on a finished command job plans a job
// for its failed devices, confirmed like a new one, linked to the first;
// e exports the results in the one schema.
func TestFollowUpFromTheJobsScreen(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 20, MobileDevices: 80, CommandErrorShare: 0.2}, "", "")
	ctx := context.Background()
	list, _, err := f.deps.Jamf.MobileDevices.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var devs []ops.Device
	for _, d := range list {
		devs = append(devs, ops.FromMobileDevice(d))
	}
	k := mass.DefaultKnobs()
	k.Stages, k.SkipOfflineDays, k.Rate = nil, 0, 50
	p, _, err := mass.Build(ctx, f.deps.Jamf, mass.Request{Server: f.deps.jamfServer(), Label: "all iPads", Action: mass.Action{Kind: mass.KindCommand, CommandType: "RESTART_DEVICE"},
		Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	j, err := mass.CreateJournal(f.deps.JobsDir, p)
	if err != nil {
		t.Fatal(err)
	}
	_, st, _ := mass.ReadJournal(j.Path())
	if _, err := mass.NewRunner(f.deps.Jamf, j, f.deps.Audit).Run(ctx, p, st); err != nil {
		t.Fatal(err)
	}
	j.Close()
	f.clock.Advance(2 * time.Hour) // the devices answer; a fifth with an error
	m := start(t, f.deps, 140, 45)
	m = press(t, m, ":")
	m = typeText(t, m, "jobs")
	m = press(t, m, "enter", "F")
	view := screenText(m, f.srv)
	if !strings.Contains(view, "Follow up job "+p.ID+": send RESTART_DEVICE to") {
		t.Fatalf("F on a finished job:\n%s\nstatus %q", view, m.(Model).status)
	}
	before := len(f.srv.Log().Commands())
	m = press(t, m, "y")
	jm, ok := topOf(m).(jobsModel)
	if !ok || jm.current() == nil || jm.current().plan.Parent != p.ID {
		t.Fatalf("after the follow-up: %T", topOf(m))
	}
	sent := len(f.srv.Log().Commands()) - before
	if sent == 0 || sent != jm.current().last.Sent {
		t.Fatalf("the follow-up sent %d commands, its job says %d", sent, jm.current().last.Sent)
	}
	// e exports the first job's results with the CLI's columns.
	for jm.list.selectedID() != p.ID {
		m = press(t, m, "j")
		jm = topOf(m).(jobsModel)
	}
	m = press(t, m, "e")
	data, err := os.ReadFile(filepath.Join(f.deps.JobsDir, p.ID+"-results.csv"))
	if err != nil || strings.SplitN(string(data), "\n", 2)[0] != strings.Join(mass.ResultColumns(), ",") {
		t.Fatalf("export: %v %q", err, strings.SplitN(string(data), "\n", 2)[0])
	}
}
