package mass

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/ctxtime"
	"github.com/jamfops/jamfops/jamf"
)

const plansPath = "api/v1/managed-software-updates/plans"

// sendPlans creates the plans of one batch of a software-update job: one
// request per object type in the batch (a plan request never mixes them;
// the plan orders targets so that a batch rarely holds two). When a later
// request fails after an earlier one succeeded, the batch's outcome is
// reported unknown, so that settle asks the server which devices have a
// plan instead of marking planned devices failed.
func (x *run) sendPlans(ctx context.Context, idx []int) (*jamf.Response, error) {
	job := x.p.Action.Update
	if job == nil {
		return nil, errors.New("software-update job without its request")
	}
	var types []jamf.UpdateObjectType
	by := map[jamf.UpdateObjectType][]jamf.PlanDevice{}
	for _, i := range idx {
		d := job.planDevice(x.p, i)
		if _, ok := by[d.ObjectType]; !ok {
			types = append(types, d.ObjectType)
		}
		by[d.ObjectType] = append(by[d.ObjectType], d)
	}
	var last *jamf.Response
	for k, t := range types {
		_, resp, err := x.r.Client.SoftwareUpdates().CreatePlan(ctx, by[t], job.Request.Config())
		if resp != nil {
			last = resp
		}
		if err != nil {
			if k > 0 {
				return last, &jamf.OutcomeUnknownError{Method: http.MethodPost, Path: plansPath, Err: err}
			}
			return last, err
		}
	}
	return last, nil
}

// settlePlans decides what became of software-update targets whose plan
// request may have reached the server: a device that has a plan of this
// job (DevicesWithoutPlan) is sent, one without is sent again, and when
// the plans cannot be read the targets are unverified (a resume checks
// again). Never a second plan.
func (x *run) settlePlans(ctx context.Context, idx []int, why string) (outcomes, reasons []string) {
	outcomes, reasons = make([]string, len(idx)), make([]string, len(idx))
	job := x.p.Action.Update
	devices := make([]jamf.PlanDevice, len(idx))
	for k, i := range idx {
		devices[k] = job.planDevice(x.p, i)
	}
	check, err := DevicesWithoutPlan(ctx, x.r.Client, job.Request, devices, job.Baseline)
	for attempt := 0; err != nil && refused(err) && attempt < verifyRetries; attempt++ {
		wait := min(time.Second<<attempt, x.r.maxWait())
		if ctxtime.Sleep(ctx, wait) != nil {
			break
		}
		check, err = DevicesWithoutPlan(ctx, x.r.Client, job.Request, devices, job.Baseline)
	}
	for k, d := range devices {
		switch {
		case err != nil:
			outcomes[k], reasons[k] = StateUnverified, fmt.Sprintf("could not check the device's plans after %s: %v", why, err)
		case check.Planned[planKey(d.ObjectType, d.DeviceID)] != "":
			outcomes[k], reasons[k] = StateSent, "confirmed: the device has this job's plan "+check.Planned[planKey(d.ObjectType, d.DeviceID)]+" after "+why
		default:
			outcomes[k] = StatePending // no plan: send again
		}
	}
	return outcomes, reasons
}

// updateClock is the server's time now: a small read learns it from the
// answer's Date header (the local clock when the server does not say).
func (x *run) updateClock(ctx context.Context) time.Time {
	_, resp, err := x.r.Client.Auth.Version(ctx)
	x.r.observeResult(resp, err)
	if t := x.r.serverNow(); !t.IsZero() {
		return t
	}
	return x.r.Now()
}

// watchUpdateStage judges a software-update stage by outcome: it reads
// the stage's plans and update statuses every poll (ReadStage) and judges
// them (JudgeStage) until they allow continuing, call for a hold, or the
// stage wait (measured on the server's clock) ends. It holds with the
// failures by reason when more than the failure threshold failed, even
// with auto-continue. Each reading's per-state counts go out in an event.
func (x *run) watchUpdateStage(ctx context.Context, stage int) error {
	job := x.p.Action.Update
	k := x.p.Knobs
	var devices []jamf.PlanDevice
	var since time.Time
	x.mu.Lock()
	for i, t := range x.p.Targets {
		if t.Stage != stage || x.st.Targets[i] != StateSent {
			continue
		}
		devices = append(devices, job.planDevice(x.p, i))
		if a := x.st.Anchor[i]; !a.IsZero() && (since.IsZero() || a.Before(since)) {
			since = a
		}
	}
	x.mu.Unlock()
	if !since.IsZero() {
		since = since.Add(-verifyMargin)
	}
	rules := StageRules{Action: job.Request.Action, Share: job.Share, MaxFailureRate: k.MaxFailureRate, AutoContinue: k.AutoContinue}
	poll := job.Poll
	if poll <= 0 {
		poll = x.r.Poll
	}
	start := x.updateClock(ctx)
	x.emit(EvWaiting, stage, fmt.Sprintf("stage %d of %d sent: watching the update statuses of its %d devices for up to %s",
		stage+1, x.p.Stages, len(devices), k.StageWait))
	last := ""
	for {
		if _, cancelled := x.r.flags(); cancelled || ctx.Err() != nil {
			return nil
		}
		now := x.updateClock(ctx)
		over := now.Sub(start) >= k.StageWait
		r, err := ReadStage(ctx, x.r.Client, devices, job.Baseline, since)
		var j StageJudgement
		switch {
		case err != nil && !over:
			if note := fmt.Sprintf("stage %d of %d: could not read the update statuses (%v); trying again", stage+1, x.p.Stages, err); note != last {
				x.emit(EvWaiting, stage, note)
				last = note
			}
			if !x.sleepWatch(ctx, poll) {
				return nil
			}
			continue
		case err != nil:
			j = StageJudgement{Verdict: VerdictHold, Note: fmt.Sprintf("could not read the update statuses within the watch time: %v", err)}
		default:
			j = JudgeStage(r, rules, over)
		}
		note := fmt.Sprintf("stage %d of %d: %s · %s", stage+1, x.p.Stages, CountsText(j.Counts), j.Note)
		switch j.Verdict {
		case VerdictContinue:
			x.emit(EvWaiting, stage, note+"; continuing")
			x.st.Passed[stage] = true
			return x.r.Journal.write(record{T: "go", Stage: stage, State: "auto"})
		case VerdictHold:
			return x.holdUpdateStage(ctx, stage, note, j)
		}
		if note != last {
			x.emit(EvWaiting, stage, note)
			last = note
		}
		if !x.sleepWatch(ctx, poll) {
			return nil
		}
	}
}

// sleepWatch waits one poll; false when the job is cancelled or interrupted.
func (x *run) sleepWatch(ctx context.Context, poll time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-x.r.wake:
		_, cancelled := x.r.flags()
		return !cancelled
	case <-time.After(poll):
		return true
	}
}

// holdUpdateStage journals a hold after a software-update stage and waits
// for a go-ahead (or returns ErrHeld when the runner may not wait).
func (x *run) holdUpdateStage(ctx context.Context, stage int, note string, j StageJudgement) error {
	if len(j.Failures) > 0 {
		note += "; failed devices: " + failureList(j.Failures, 5)
	}
	return x.hold(ctx, stage, note)
}

// CountsText shows devices per update state, most first ("INSTALLED 15 ·
// DOWNLOADING 3 · NO_STATUS 2").
func CountsText(counts map[string]int) string {
	states := make([]string, 0, len(counts))
	for s := range counts {
		states = append(states, s)
	}
	slices.SortFunc(states, func(a, b string) int {
		if d := counts[b] - counts[a]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(states))
	for i, s := range states {
		parts[i] = fmt.Sprintf("%s %d", s, counts[s])
	}
	if len(parts) == 0 {
		return "no devices"
	}
	return strings.Join(parts, " · ")
}

// failureList names up to n failed devices per reason.
func failureList(failures map[string][]string, n int) string {
	reasons := make([]string, 0, len(failures))
	for r := range failures {
		reasons = append(reasons, r)
	}
	slices.Sort(reasons)
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		keys := failures[r]
		s := r + ": " + strings.Join(keys[:min(n, len(keys))], ", ")
		if len(keys) > n {
			s += fmt.Sprintf(" and %d more", len(keys)-n)
		}
		parts[i] = s
	}
	return strings.Join(parts, "; ")
}
