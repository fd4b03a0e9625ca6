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

// runClock advances the simulation clock while a job runs, so that hours of
// device work pass in milliseconds; it stops with the test.
func runClock(t *testing.T, clock *jamftest.VirtualClock, step time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			clock.Advance(step)
			time.Sleep(time.Millisecond)
		}
	}()
}

func groupMembers(t *testing.T, c *jamf.Client, name string) []ops.Device {
	t.Helper()
	groups, _, err := c.Groups.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range ops.Summarise(groups) {
		if g.Name == name {
			m, err := ops.GroupMembers(t.Context(), c, g)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatalf("no group %q", name)
	return nil
}

func updateRequest(t *testing.T, c *jamf.Client, group string, f SoftwareUpdateFlags, stages string, knobs func(*Knobs)) Request {
	t.Helper()
	su, err := ParseSoftwareUpdate(f)
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseStages(stages)
	if err != nil {
		t.Fatal(err)
	}
	k := DefaultKnobs()
	k.BatchSize, k.Rate, k.Stages, k.StageWait, k.SkipOfflineDays = 100, 100, st, 8*time.Hour, 1
	if knobs != nil {
		knobs(&k)
	}
	return Request{Server: c.BaseURL(), Label: "group " + group, Knobs: k, Devices: groupMembers(t, c, group),
		Action: Action{Kind: KindSoftwareUpdate, Update: &UpdateJob{Request: su, Share: 0.8, Poll: 2 * time.Millisecond}}}
}

// TestSoftwareUpdateJobStagesToDone: a 2,000-computer group in 1 %, 10 %,
// 100 % stages with auto-continue. The runner creates exactly one plan per
// eligible device, in requests of 100, watches each stage's update
// statuses (per-state counts in its events) and ends done.
func TestSoftwareUpdateJobStagesToDone(t *testing.T) {
	t.Parallel()
	srv, c, clock := updateEnv(t, 2000, -1)
	req := updateRequest(t, c, "All Managed Clients", SoftwareUpdateFlags{Version: "latest-any"}, "1%,10%,100%", func(k *Knobs) { k.AutoContinue = true })
	if len(req.Devices) != 2000 {
		t.Fatalf("%d members", len(req.Devices))
	}
	p, pf, upf, err := BuildSoftwareUpdate(t.Context(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Log().Requests(plansRoute) != 0 {
		t.Fatal("the build created plans")
	}
	if p.Stages != 3 || pf.Send < 1500 || pf.Send+len(p.Targets)-pf.Send != 2000 || pf.StageSizes[0] != (pf.Send+99)/100 {
		t.Fatalf("stages %d, send %d, sizes %v, skipped %v", p.Stages, pf.Send, pf.StageSizes, pf.Skipped)
	}
	j, err := CreateJournal(t.TempDir(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	_, st, _ := ReadJournal(j.Path())
	r := NewRunner(c, j, nil)
	r.HoldReturns = true
	events := make(chan Event, 10000)
	r.Events = events
	runClock(t, clock, 2*time.Minute)
	final, err := r.Run(t.Context(), p, st)
	if err != nil {
		t.Fatal(err)
	}
	if final.Ended != "done" {
		t.Fatalf("ended %q", final.Ended)
	}
	close(events)
	passed, counted := 0, false
	for e := range events {
		if strings.Contains(e.Note, "continuing") {
			passed++
		}
		if strings.Contains(e.Note, "INSTALLED ") {
			counted = true
		}
	}
	if passed != 2 || !counted {
		t.Errorf("%d stages passed by outcome, per-state counts in the notes: %v", passed, counted)
	}
	log := srv.Log()
	// The simulation clock runs while the plans are sent, so the token
	// can expire between requests: a 401 is refused before anything is
	// done and the client sends the request again with a new token.
	created := 0
	for _, rr := range log.RequestLog() {
		switch {
		case rr.Route != plansRoute:
		case rr.Status == 201:
			created++
		case rr.Status != 401:
			t.Errorf("a plan request was answered %d", rr.Status)
		}
	}
	if created != pf.Batches || created > 22 {
		t.Errorf("%d plan requests created plans, preflight said %d", created, pf.Batches)
	}
	for _, tg := range upf.Targets {
		want := 1
		if tg.Skip != "" {
			want = 0
		}
		if n := log.PlanCount("COMPUTER", tg.Device.Device.ID); n != want {
			t.Fatalf("computer %s (skip %q) has %d plans", tg.Device.Device.ID, tg.Skip, n)
		}
	}
	if final.Counts()[StateSent] != pf.Send {
		t.Errorf("sent %d of %d", final.Counts()[StateSent], pf.Send)
	}
	t.Logf("send %d, skipped %v, plan requests %d (%d with plans), all requests %v", pf.Send, pf.Skipped, log.Requests(plansRoute), created, log.Routes())
}

// TestSoftwareUpdateCanaryFailuresHold: the canary's devices fail (disk
// space, power): the job holds after stage 1 even with auto-continue, the
// hold's note lists the failures by reason, and no later stage got a plan.
func TestSoftwareUpdateCanaryFailuresHold(t *testing.T) {
	t.Parallel()
	srv, c, clock := updateEnv(t, 300, -1)
	req := updateRequest(t, c, "All Managed Clients", SoftwareUpdateFlags{Version: "latest-any"}, "10%,100%", func(k *Knobs) { k.AutoContinue = true })
	p, _, _, err := BuildSoftwareUpdate(t.Context(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	canary := 0
	for i, tg := range p.Targets {
		if tg.Skip == "" && tg.Stage == 0 {
			status := "DOWNLOAD_INSUFFICIENT_SPACE"
			if canary%2 == 1 {
				status = "INSTALL_INSUFFICIENT_POWER"
			}
			if err := srv.FailSoftwareUpdate(string(p.Action.Update.ObjectTypes[i]), tg.Device.ID, status); err != nil {
				t.Fatal(err)
			}
			canary++
		}
	}
	j, _ := CreateJournal(t.TempDir(), p)
	defer j.Close()
	_, st, _ := ReadJournal(j.Path())
	r := NewRunner(c, j, nil)
	r.HoldReturns = true
	runClock(t, clock, 2*time.Minute)
	final, err := r.Run(t.Context(), p, st)
	if !errors.Is(err, ErrHeld) || final.Held != 0 {
		t.Fatalf("run: %v (held %d)", err, final.Held)
	}
	if !strings.Contains(err.Error(), "insufficient space") || !strings.Contains(err.Error(), "insufficient power") || !strings.Contains(err.Error(), "failed devices: ") {
		t.Errorf("hold note: %v", err)
	}
	if n := len(srv.Log().Plans()); n != canary {
		t.Errorf("%d plans, the canary has %d devices", n, canary)
	}
}

// TestSoftwareUpdateCrashBetweenRequestAndAnswerResumesOnce: the answer to a
// plan request is lost (a proxy turns it into a 502) and the process dies
// before journaling any result. Resuming from the journal asks the server
// which devices have the job's plan and creates plans only for the others:
// every eligible device ends with exactly one plan.
func TestSoftwareUpdateCrashBetweenRequestAndAnswerResumesOnce(t *testing.T) {
	t.Parallel()
	srv, c, _ := updateEnv(t, 300, -1)
	proxy := newAnswerDropper(t, srv.URL)
	pc := newUpdateClient(t, proxy.URL)
	req := updateRequest(t, c, "All Managed Clients", SoftwareUpdateFlags{Version: "latest-minor"}, "100%", func(k *Knobs) { k.BatchSize = 40; k.Concurrency = 1 })
	req.Server = pc.BaseURL()
	p, pf, _, err := BuildSoftwareUpdate(t.Context(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	j, _ := CreateJournal(dir, p)
	_, st, _ := ReadJournal(j.Path())
	crash := errors.New("killed")
	j.beforeWrite = func(rec record, _ []byte) error {
		if rec.T == "intent" && rec.Batch == 2 {
			proxy.dropping.Store(true)
		}
		if rec.T == "result" && rec.Batch == 2 {
			return crash // the process dies before the outcome is on disk
		}
		return nil
	}
	if _, err := NewRunner(pc, j, nil).Run(t.Context(), p, st); !errors.Is(err, crash) {
		t.Fatalf("first run: %v", err)
	}
	j.Close()
	proxy.dropping.Store(false)
	before := len(srv.Log().Plans())
	if before < 80 {
		t.Fatalf("%d plans before the crash; the lost batch should have reached the server", before)
	}

	j2, p2, st2, err := OpenJournal(filepath.Join(dir, p.ID+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if n := st2.Counts()[StateUnknown]; n != 40 {
		t.Fatalf("%d targets unknown after the crash, want the batch of 40", n)
	}
	final, err := NewRunner(c, j2, nil).Run(t.Context(), p2, st2)
	if err != nil || final.Ended != "done" {
		t.Fatalf("resume: %v %q", err, final.Ended)
	}
	log := srv.Log()
	for i, tg := range p2.Targets {
		want := 1
		if tg.Skip != "" {
			want = 0
		}
		if n := log.PlanCount(string(p2.Action.Update.ObjectTypes[i]), tg.Device.ID); n != want {
			t.Fatalf("device %s (skip %q) has %d plans", tg.Device.ID, tg.Skip, n)
		}
	}
	if final.Counts()[StateSent] != pf.Send || len(log.Plans()) != pf.Send {
		t.Errorf("sent %d, plans %d, eligible %d", final.Counts()[StateSent], len(log.Plans()), pf.Send)
	}
}

// TestSoftwareUpdateMixedPlatformsAudit: a job of computers and iPhones
// sends each object type in its own requests and audits every device under
// its own platform, though the plan read back from its journal does not
// store the kind.
func TestSoftwareUpdateMixedPlatformsAudit(t *testing.T) {
	t.Parallel()
	srv, c, _ := updateEnv(t, 120, 80)
	req := updateRequest(t, c, "All Managed Clients", SoftwareUpdateFlags{Version: "latest-minor"}, "100%", func(k *Knobs) { k.SkipOfflineDays = 0 })
	req.Devices = append(req.Devices, groupMembers(t, c, "All Managed iPhones")...)
	p, pf, upf, err := BuildSoftwareUpdate(t.Context(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(upf.ByObjectType[jamf.ObjectComputer]) == 0 || len(upf.ByObjectType[jamf.ObjectMobileDevice]) == 0 {
		t.Fatalf("object types: %v", upf.ObjectTypes)
	}
	dir := t.TempDir()
	j, _ := CreateJournal(dir, p)
	defer j.Close()
	stored, st, _ := ReadJournal(j.Path())
	audit, err := ops.OpenAuditLog(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if final, err := NewRunner(c, j, audit).Run(t.Context(), stored, st); err != nil || final.Ended != "done" {
		t.Fatalf("run: %v", err)
	}
	created := 0
	for _, rr := range srv.Log().RequestLog() {
		if rr.Route == plansRoute && rr.Status == 201 {
			created++
		}
	}
	if created != pf.Batches {
		t.Errorf("%d plan requests, preflight said %d", created, pf.Batches)
	}
	entries, _, err := audit.Read()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range entries {
		for _, tg := range e.Targets {
			kinds[tg.Kind]++
		}
	}
	if kinds[string(jamf.PlatformComputer)] != len(upf.ByObjectType[jamf.ObjectComputer]) || kinds[string(jamf.PlatformMobile)] != len(upf.ByObjectType[jamf.ObjectMobileDevice]) {
		t.Fatalf("audited kinds %v, want %d computers and %d mobiles", kinds, len(upf.ByObjectType[jamf.ObjectComputer]), len(upf.ByObjectType[jamf.ObjectMobileDevice]))
	}
}

// TestUpdateJobSurvivesTheJournal: the request read back from a journal
// creates the same plans (a resume must ask for what the first run asked).
func TestUpdateJobSurvivesTheJournal(t *testing.T) {
	t.Parallel()
	for _, f := range []SoftwareUpdateFlags{
		{Version: "26.2", UpdateAction: "download-install-allow-deferral", MaxDeferrals: intp(3)},
		{Version: "26.1.1", UpdateAction: "download-install-schedule", InstallAt: "2026-12-01T18:00"},
		{Version: "latest-major", UpdateAction: "download-only"},
	} {
		su, err := ParseSoftwareUpdate(f)
		if err != nil {
			t.Fatal(err)
		}
		p := &Plan{ID: "job-" + strings.ReplaceAll(su.Version, ".", "-"), Targets: []Target{{Device: ops.Device{ID: "1"}}}, Stages: 1,
			Action: Action{Kind: KindSoftwareUpdate, Update: &UpdateJob{Request: su, Baseline: []string{"u1"}, ObjectTypes: []jamf.UpdateObjectType{jamf.ObjectMobileDevice}, Share: 0.8}}}
		dir := t.TempDir()
		j, err := CreateJournal(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		j.Close()
		back, _, err := ReadJournal(filepath.Join(dir, p.ID+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		got, want := back.Action.Update.Request.Config(), su.Config()
		if got.SpecificVersion != want.SpecificVersion || got.UpdateAction != want.UpdateAction || got.VersionType != want.VersionType ||
			got.ForceInstallLocalDateTime != want.ForceInstallLocalDateTime || (want.MaxDeferrals != nil && (got.MaxDeferrals == nil || *got.MaxDeferrals != *want.MaxDeferrals)) {
			t.Errorf("%s: config %+v after the journal, want %+v", f.Version, got, want)
		}
		if back.Action.String() != p.Action.String() || back.Action.Update.planDevice(back, 0).ObjectType != jamf.ObjectMobileDevice || back.Action.Update.Share != 0.8 {
			t.Errorf("%s: %q, %+v", f.Version, back.Action.String(), back.Action.Update)
		}
	}
}
