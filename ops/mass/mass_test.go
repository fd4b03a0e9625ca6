package mass

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type env struct {
	srv   *jamftest.Server
	c     *jamf.Client
	clock *jamftest.VirtualClock
	dir   string
	audit *ops.AuditLog
}

func newEnv(t *testing.T, opts jamftest.Options, id, secret string) env {
	t.Helper()
	clock := jamftest.NewVirtualClock(t0)
	opts.Clock = clock
	if opts.Computers == 0 {
		opts.Computers = 300
	}
	opts.MobileDevices = -1
	srv, err := jamftest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	if id == "" {
		id, secret = jamftest.DemoClientID, jamftest.DemoClientSecret
	}
	c, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(id, secret), jamf.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	return env{srv: srv, c: c, clock: clock, dir: t.TempDir(), audit: audit}
}

func (e env) devices(t *testing.T, online bool) []ops.Device {
	t.Helper()
	list, _, err := e.c.Computers.List(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []ops.Device
	for _, c := range list {
		d := ops.FromComputer(c)
		if (t0.Sub(*d.LastCheckIn) < 24*time.Hour) == online {
			out = append(out, d)
		}
	}
	return out
}

// start builds a plan and runs it, collecting events.
func (e env) start(t *testing.T, devs []ops.Device, action string, k Knobs) (*Plan, *Runner, chan Event, chan error) {
	t.Helper()
	a, err := ParseAction(action)
	if err != nil {
		t.Fatal(err)
	}
	return e.startAction(t, devs, a, k)
}

// startAction builds a plan for an action and runs it; a command the
// catalogue does not fit to the devices is planned as DEVICE_INFORMATION
// and then swapped in, as a plan from an older jamfops would carry it.
func (e env) startAction(t *testing.T, devs []ops.Device, a Action, k Knobs) (*Plan, *Runner, chan Event, chan error) {
	t.Helper()
	want := a
	// A command that fits none of the devices (a runtime-error test) is
	// planned as DEVICE_INFORMATION and sent as asked.
	if a.Kind == KindCommand && !slices.ContainsFunc(devs, func(d ops.Device) bool { return misfit(a, d) == "" }) {
		a = Action{Kind: KindCommand, CommandType: "DEVICE_INFORMATION"}
	}
	p, _, err := Build(context.Background(), e.c, Request{Server: "test", Label: "test", Action: a, Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	p.Action = want
	j, err := CreateJournal(e.dir, p)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(e.c, j, e.audit)
	r.Poll = 20 * time.Millisecond
	events := make(chan Event, 1000)
	r.Events = events
	done := make(chan error, 1)
	st, _, _ := func() (*State, *Plan, error) { p2, st, err := ReadJournal(j.Path()); return st, p2, err }()
	go func() { _, err := r.Run(context.Background(), p, st); done <- err }()
	return p, r, events, done
}

func fast() Knobs {
	k := DefaultKnobs()
	k.Rate, k.Concurrency, k.BatchSize, k.Stages, k.SkipOfflineDays, k.StageWait = 20, 3, 10, nil, 0, 0
	// The fleet's history leaves routine commands pending on offline
	// devices; these tests count sends, not the duplicate skip.
	k.AllowDuplicates = true
	return k
}

func waitDone(t *testing.T, events chan Event, done chan error) Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	var last Event
	for {
		select {
		case e := <-events:
			if e.Kind == EvDone {
				last = e
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				return last
			}
		case <-timeout:
			t.Fatal("the job did not end in 30 s")
		}
	}
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{}, "", "")
	all := append(e.devices(t, true), e.devices(t, false)...)
	k := DefaultKnobs()
	p, pf, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "RESTART_DEVICE"}, Knobs: k, Devices: all, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if pf.Total != 300 || pf.Send+pf.Skipped["offline for more than 30 days"] != 300 || pf.Skipped["offline for more than 30 days"] == 0 {
		t.Fatalf("preflight %+v", pf)
	}
	if len(pf.StageSizes) != 3 || pf.StageSizes[0] != 3 || pf.StageSizes[0]+pf.StageSizes[1] != (pf.Send*10+99)/100 || pf.Missing != nil {
		t.Fatalf("stages %v (send %d), missing %v", pf.StageSizes, pf.Send, pf.Missing)
	}
	if pf.Requests != 1+1+(pf.StageSizes[2]+49)/50 || pf.Estimate <= 0 || p.Privilege[1] != "Send Computer Restart Command" {
		t.Fatalf("requests %d, estimate %v, privileges %v", pf.Requests, pf.Estimate, p.Privilege)
	}
	help := newEnv(t, jamftest.Options{Computers: 20}, jamftest.HelpDeskClientID, jamftest.HelpDeskSecret)
	_, pf, _ = Build(context.Background(), help.c, Request{Action: Action{Kind: KindCommand, CommandType: "RESTART_DEVICE"}, Knobs: k, Devices: help.devices(t, true), Now: t0})
	if len(pf.Missing) != 1 || pf.Missing[0] != "Send Computer Restart Command" {
		t.Fatalf("missing = %v", pf.Missing)
	}
	if len(e.srv.Log().Commands()) != 0 {
		t.Fatal("preflight sent something")
	}
}

func TestRunKeepsPaceAndConcurrencyAndSendsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 400, Load: jamftest.LoadModel{BaseLatency: 20 * time.Millisecond}}, "", "")
	devs := append(e.devices(t, true), e.devices(t, false)...)
	_, _, events, done := e.start(t, devs, "DEVICE_INFORMATION", fast())
	end := waitDone(t, events, done)
	if end.Note != "done" || end.Sent != 400 {
		t.Fatalf("end %+v", end)
	}
	log := e.srv.Log()
	for _, d := range devs {
		if n := log.CommandCount(d.ManagementID, "DEVICE_INFORMATION"); n != 1 {
			t.Fatalf("device %s got the command %d times", d.ID, n)
		}
	}
	// The limiter spaces dispatches 50 ms apart; on a loaded machine (two
	// cores, -race) arrivals at the server can bunch by a request or two,
	// so allow a tenth over the ceiling. A broken limiter (a burst, or no
	// limit) sends far more.
	if n := log.MaxInWindow("POST /api/v2/mdm/commands", time.Second); n > 23 {
		t.Fatalf("%d sends within one second at a 20/s ceiling", n)
	}
	if p := log.PeakConcurrency(); p > 3 {
		t.Fatalf("peak concurrency %d with a limit of 3", p)
	}
	if log.Requests("POST /api/v2/mdm/commands") != 40 {
		t.Fatalf("%d requests for 400 devices in batches of 10", log.Requests("POST /api/v2/mdm/commands"))
	}
}

func TestAdaptiveSlowdownAndRecovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 300, Load: jamftest.LoadModel{Capacity: 6, Burst: 3}}, "", "")
	devs := append(e.devices(t, true), e.devices(t, false)...)
	k := fast()
	k.Rate = 20
	_, _, events, done := e.start(t, devs, "DEVICE_INFORMATION", k)
	minRate, maxAfterMin, sawMin := 100.0, 0.0, false
	timeout := time.After(60 * time.Second)
	for finished := false; !finished; {
		select {
		case ev := <-events:
			if ev.Rate < minRate {
				minRate, sawMin, maxAfterMin = ev.Rate, true, 0
			} else if sawMin && ev.Rate > maxAfterMin {
				maxAfterMin = ev.Rate
			}
			finished = ev.Kind == EvDone
		case <-timeout:
			t.Fatal("did not finish")
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	log := e.srv.Log()
	if log.Rejected() == 0 || minRate >= 20 || maxAfterMin <= minRate {
		t.Fatalf("rejected %d, rate fell to %.2f and recovered to %.2f", log.Rejected(), minRate, maxAfterMin)
	}
	for _, d := range devs {
		if n := log.CommandCount(d.ManagementID, "DEVICE_INFORMATION"); n != 1 {
			t.Fatalf("device %s got the command %d times after 503s", d.ID, n)
		}
	}
}

func TestBacklogGuardPausesAndResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 600, OfflineShare: 0.5}, "", "")
	devs := e.devices(t, false) // offline: their commands stay pending
	k := fast()
	k.BatchSize, k.BacklogLimit = 5, 40
	_, _, events, done := e.start(t, devs, "DEVICE_INFORMATION", k)
	ids := make([]string, len(devs))
	for i, d := range devs {
		ids[i] = d.ID
	}
	holds := 0
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev := <-events:
			switch {
			case ev.Kind == EvWaiting && strings.Contains(ev.Note, "backlog guard"):
				holds++
				before := len(e.srv.Log().Commands())
				// While held, nothing is sent; then an admin flushes the
				// stuck commands and the guard lets the job go on.
				if ev.Backlog <= k.BacklogLimit {
					t.Fatalf("held at a backlog of %d (limit %d)", ev.Backlog, k.BacklogLimit)
				}
				if _, err := e.c.MDM.Flush(context.Background(), jamf.FlushComputers, ids, jamf.FlushPending); err != nil {
					t.Fatal(err)
				}
				// Requests already in flight may still land; nothing new is sent.
				if n := len(e.srv.Log().Commands()); n > before+k.Concurrency*k.BatchSize {
					t.Fatalf("%d commands sent while the guard held the job", n-before)
				}
			case ev.Kind == EvDone:
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				if ev.Note != "done" || ev.Sent != len(devs) || holds == 0 {
					t.Fatalf("end %+v after %d holds", ev, holds)
				}
				return
			}
		case <-timeout:
			t.Fatalf("the job did not end (%d holds)", holds)
		}
	}
}

func TestTimeWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 40}, "", "")
	devs := e.devices(t, true)
	k := fast()
	k.WindowStart, k.WindowEnd = "17:00", "07:00"
	a, _ := ParseAction("blank-push")
	p, _, _ := Build(context.Background(), e.c, Request{Action: a, Knobs: k, Devices: devs, Now: t0})
	j, _ := CreateJournal(e.dir, p)
	_, st, _ := ReadJournal(j.Path())
	r := NewRunner(e.c, j, e.audit)
	r.Poll = 10 * time.Millisecond
	clock := make(chan time.Time, 1)
	clock <- time.Date(2026, 11, 23, 12, 0, 0, 0, time.Local)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.Local)
	r.Now = func() time.Time {
		select {
		case n := <-clock:
			now = n
		default:
		}
		return now
	}
	events := make(chan Event, 100)
	r.Events = events
	done := make(chan error, 1)
	go func() { _, err := r.Run(context.Background(), p, st); done <- err }()
	ev := <-events
	if ev.Kind != EvWaiting || !strings.Contains(ev.Note, "outside the time window") || !strings.Contains(ev.Note, "5h0m") {
		t.Fatalf("first event %+v", ev)
	}
	if n := e.srv.Log().Requests("POST /api/v2/mdm/blank-push"); n != 0 {
		t.Fatalf("%d pushes outside the window", n)
	}
	clock <- time.Date(2026, 11, 23, 22, 30, 0, 0, time.Local)
	if end := waitDone(t, events, done); end.Note != "done" || end.Sent != len(devs) {
		t.Fatalf("end %+v", end)
	}
}

func TestStagesHoldForGoAhead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 120}, "", "")
	devs := e.devices(t, true)
	k := fast()
	k.Stages = []Stage{{Count: 5}, {Share: 1}}
	_, r, events, done := e.start(t, devs, "SECURITY_INFO", k)
	for ev := range events {
		if ev.Kind == EvHold {
			if ev.Sent != 5 || len(e.srv.Log().Commands()) != 5 {
				t.Fatalf("held with %d sent, %d commands", ev.Sent, len(e.srv.Log().Commands()))
			}
			break
		}
	}
	r.GoAhead()
	if end := waitDone(t, events, done); end.Note != "done" || end.Sent != len(devs) {
		t.Fatalf("end %+v", end)
	}
}

func TestFailingCanaryHoldsBeforeTheWideStage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 120}, "", "")
	devs := e.devices(t, true)
	k := fast()
	k.Stages, k.AutoContinue, k.StageWait = []Stage{{Count: 6}, {Share: 1}}, true, 100*time.Millisecond
	// Lost Mode is for iPhones and iPads: every Mac rejects it on check-in.
	lost := Action{Kind: KindCommand, CommandType: "ENABLE_LOST_MODE", Fields: map[string]any{"lostModeMessage": "Call IT"}}
	_, r, events, done := e.startAction(t, devs, lost, k)
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
	}
	if n := len(e.srv.Log().Commands()); n != 6 {
		t.Fatalf("%d commands sent; the wide stage must not start", n)
	}
	r.Cancel()
	if end := waitDone(t, events, done); end.Note != "cancelled" || end.Cancelled != len(devs)-6 {
		t.Fatalf("end %+v", end)
	}
}

func TestFailureRateStopsTheJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 80}, jamftest.HelpDeskClientID, jamftest.HelpDeskSecret)
	devs := e.devices(t, true)
	k := fast()
	k.BatchSize, k.Concurrency = 1, 1
	_, _, events, done := e.start(t, devs, "RESTART_DEVICE", k)
	end := waitDone(t, events, done)
	if !strings.HasPrefix(end.Note, "stopped:") || end.Failed < 20 || end.Failed > 22 || end.Cancelled == 0 {
		t.Fatalf("end %+v", end)
	}
}

func TestCancelSendsNothingMore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 200, Load: jamftest.LoadModel{BaseLatency: 30 * time.Millisecond}}, "", "")
	devs := e.devices(t, true)
	k := fast()
	k.BatchSize, k.Rate = 2, 10
	_, r, events, done := e.start(t, devs, "DEVICE_INFORMATION", k)
	for ev := range events {
		if ev.Kind == EvProgress && ev.Sent >= 6 {
			break
		}
	}
	r.Cancel()
	end := waitDone(t, events, done)
	sent := len(e.srv.Log().Commands())
	if end.Note != "cancelled" || end.Sent != sent || end.Sent+end.Cancelled+end.Skipped != len(devs) || sent > 6+2*k.Concurrency {
		t.Fatalf("end %+v, server commands %d", end, sent)
	}
	time.Sleep(0) // nothing more may arrive after Run returned
	if len(e.srv.Log().Commands()) != sent {
		t.Fatal("a command arrived after the job ended")
	}
}

func TestResumeVerifiesInsteadOfResending(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)
	a, _ := ParseAction("RESTART_DEVICE")
	k := fast()
	p, _, _ := Build(context.Background(), e.c, Request{Action: a, Knobs: k, Devices: devs, Now: t0})
	j, _ := CreateJournal(e.dir, p)
	// A crash after the intent of batch 1, once the request had reached the
	// server, and after the intent of batch 2, before it was sent.
	first := []int{0, 1, 2}
	second := []int{3, 4}
	_ = j.write(record{T: "intent", Batch: 1, IDs: first})
	ids := []string{devs[0].ManagementID, devs[1].ManagementID, devs[2].ManagementID}
	if _, _, err := e.c.MDM.SendCommand(context.Background(), jamf.PlatformComputer, jamf.CommandData{CommandType: "RESTART_DEVICE"}, ids); err != nil {
		t.Fatal(err)
	}
	_ = j.write(record{T: "intent", Batch: 2, IDs: second})
	j.Close()
	j2, p2, st, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Targets[0] != StateUnknown || st.Targets[3] != StateUnknown {
		t.Fatalf("states after the crash %v", st.Targets[:6])
	}
	r := NewRunner(e.c, j2, e.audit)
	if _, err := r.Run(context.Background(), p2, st); err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if n := e.srv.Log().CommandCount(d.ManagementID, "RESTART_DEVICE"); n != 1 {
			t.Fatalf("device %s got the restart %d times", d.ID, n)
		}
	}
	_, final, _ := ReadJournal(j.Path())
	if final.Ended != "done" || final.Counts()[StateSent] != len(devs) || !strings.Contains(final.Reasons[0], "confirmed") {
		t.Fatalf("final %+v", final.Counts())
	}
	jobs, _ := ListJobs(e.dir)
	if len(jobs) != 1 || jobs[0].Status != "done" {
		t.Fatalf("jobs %+v", jobs)
	}
}

func TestFlushAsAMassAction(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 200}, "", "")
	devs := append(e.devices(t, true), e.devices(t, false)...)
	_, _, events, done := e.start(t, devs, "flush-failed", fast())
	if end := waitDone(t, events, done); end.Note != "done" || end.Sent != len(devs) {
		t.Fatalf("end %+v", end)
	}
	failed, _, err := e.c.MDM.ListCommands(context.Background(), &jamf.ListOptions{Filter: jamf.Eq("status", "Error")})
	if err != nil || len(failed) != 0 {
		t.Fatalf("%d failed commands left, %v", len(failed), err)
	}
	if n := e.srv.Log().Requests("DELETE /JSSResource/commandflush/{idtype}/id/{id}/status/{status}"); n != 20 {
		t.Fatalf("%d flush requests for 200 devices in batches of 10", n)
	}
}

func TestSlowsDownWhenLatencyRises(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 600, Load: jamftest.LoadModel{BaseLatency: 2 * time.Millisecond}}, "", "")
	devs := append(e.devices(t, true), e.devices(t, false)...)
	k := fast()
	k.BatchSize, k.Concurrency = 2, 1
	_, r, events, done := e.start(t, devs, "DEVICE_INFORMATION", k)
	phase, peakBefore, low, recovered := 0, 0.0, 100.0, 0.0
	timeout := time.After(60 * time.Second)
	for phase < 3 {
		select {
		case ev := <-events:
			switch {
			case ev.Kind == EvDone:
				t.Fatalf("the job ended in phase %d (rate peak %.1f, low %.1f)", phase, peakBefore, low)
			case phase == 0 && ev.Rate >= k.Rate:
				peakBefore, phase = ev.Rate, 1
				e.srv.SetFaults(jamftest.Faults{SlowRate: 1, SlowDelay: 60 * time.Millisecond}) // answers slow down 30×
			case phase == 1:
				low = min(low, ev.Rate)
				// Each slow answer past 3× the running baseline eases the rate
				// by a fifth; the baseline then adapts to the new normal.
				if low < 0.7*k.Rate {
					phase = 2
					e.srv.SetFaults(jamftest.Faults{})
				}
			case phase == 2:
				recovered = max(recovered, ev.Rate)
				if recovered >= k.Rate {
					phase = 3
				}
			}
		case <-timeout:
			t.Fatalf("stuck in phase %d: peak %.1f, low %.1f, recovered %.1f", phase, peakBefore, low, recovered)
		}
	}
	if e.srv.Log().Rejected() != 0 {
		t.Fatal("the server refused requests: the test is about latency alone")
	}
	r.Cancel()
	_ = waitDone(t, events, done)
	t.Logf("rate %.1f → %.1f under slow answers → %.1f after", peakBefore, low, recovered)
}

func TestStageWatchEndsWhenCommandsResolve(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 120}, "", "")
	devs := e.devices(t, true)
	k := fast()
	k.Stages, k.AutoContinue, k.StageWait, k.StageUntilResolved = []Stage{{Count: 4}, {Share: 1}}, true, time.Hour, true
	_, _, events, done := e.start(t, devs, "SECURITY_INFO", k)
	began := time.Now()
	for ev := range events {
		if ev.Kind == EvWaiting && strings.Contains(ev.Note, "watching its outcome") {
			// The canary devices check in; their commands get answers.
			e.clock.Advance(30 * time.Minute)
			break
		}
	}
	end := waitDone(t, events, done)
	if end.Note != "done" || end.Sent != len(devs) {
		t.Fatalf("end %+v", end)
	}
	if time.Since(began) > time.Minute {
		t.Fatal("the watch did not end when the canary's commands resolved")
	}
}
