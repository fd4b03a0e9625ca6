package mass

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// KindRisk changes JSC risk: RiskLevel set (MANUAL), or "" to reset.
const KindRisk = "risk"

// NeedsJSC reports whether running (or resuming) the plan needs a JSC
// client (Runner.JSC) rather than a Jamf Pro one (Runner.Client): risk
// jobs. Plan.Server is then the JSC server's URL.
func (p *Plan) NeedsJSC() bool { return p.Action.Kind == KindRisk }

// RiskRequest is a bulk JSC risk change.
type RiskRequest struct {
	Server string
	Label  string
	// Level is the level to pin; "" resets to JSC's own calculation.
	Level   jsc.Level
	Reason  string
	Knobs   Knobs
	Devices []ops.RiskDevice
	Now     time.Time
}

// RiskKnobs are the defaults for risk jobs: 50 devices a request, four
// requests a second (under the Risk API's five), one at a time, one stage.
func RiskKnobs() Knobs {
	return Knobs{BatchSize: 50, Rate: 4, Concurrency: 1, MaxFailureRate: 0.2}
}

// BuildRisk freezes a risk change into a plan. A target's Device.ID and
// ManagementID are its JSC device ID; its name and serial come from Jamf Pro.
func BuildRisk(rc *jsc.Client, req RiskRequest) (*Plan, *Preflight, error) {
	if err := req.Knobs.Validate(); err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return nil, nil, errors.New("a reason is required for every risk change")
	}
	if len(req.Devices) == 0 {
		return nil, nil, errors.New("no target devices")
	}
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	p := &Plan{ID: NewID(req.Now), Created: req.Now.UTC(), Server: req.Server, Label: req.Label, Knobs: req.Knobs, Platform: "jsc", Stages: 1,
		Action: Action{Kind: KindRisk, RiskLevel: string(req.Level), Reason: req.Reason}}
	for _, d := range req.Devices {
		dev := ops.Device{ID: d.JSC.ID, ManagementID: d.JSC.ID, Name: d.Name(), Serial: d.Serial(), Kind: "jsc"}
		p.Targets = append(p.Targets, Target{Device: dev, RiskBefore: string(d.JSC.Risk)})
	}
	pf := &Preflight{Total: len(p.Targets), Send: len(p.Targets), Skipped: map[string]int{}, StageSizes: []int{len(p.Targets)}}
	pf.Batches = (len(p.Targets) + req.Knobs.BatchSize - 1) / req.Knobs.BatchSize
	pf.Requests = pf.Batches
	pf.Estimate = time.Duration(float64(pf.Batches) / req.Knobs.Rate * float64(time.Second))
	if b := rc.Budget(); pf.Requests > b.Remaining {
		pf.Missing = []string{fmt.Sprintf("Risk API budget: %d requests needed, %d left today", pf.Requests, b.Remaining)}
	}
	return p, pf, nil
}

// sendRisk performs one risk batch and classifies each device's outcome.
func (x *run) sendRisk(ctx context.Context, stage int, ids []string) (outcomes, reasons []string, requestIDs []string) {
	var results []jsc.BatchResult
	if x.p.Action.RiskLevel == "" {
		results = x.r.JSC.ClearOverride(ctx, ids)
	} else {
		results = x.r.JSC.SetRisk(ctx, ids, jsc.Level(x.p.Action.RiskLevel))
	}
	byID := map[string]jsc.BatchResult{}
	for _, res := range results {
		for _, id := range res.DeviceIDs {
			byID[id] = res
		}
		if res.RequestID != "" {
			requestIDs = append(requestIDs, res.RequestID)
		}
	}
	outcomes, reasons = make([]string, len(ids)), make([]string, len(ids))
	for k, id := range ids {
		res := byID[id]
		var rl *jsc.RateLimitError
		var be *jsc.BudgetError
		switch {
		case res.Err == nil:
			outcomes[k] = StateSent
		case errors.As(res.Err, &rl):
			outcomes[k] = StatePending // refused for load: nothing was done
			x.holdOff(stage, askedWait(rl.Asked, rl.RetryAfter))
		case errors.As(res.Err, &be):
			outcomes[k], reasons[k] = StateFailed, res.Err.Error()
			x.mu.Lock()
			if x.stop == "" {
				x.stop = "stopped: " + be.Error()
			}
			x.mu.Unlock()
		default:
			outcomes[k], reasons[k] = StateFailed, res.Err.Error()
		}
	}
	return outcomes, reasons, requestIDs
}

// auditRisk writes one entry per device, with the reason, as every risk
// change in jamfops does.
func (x *run) auditRisk(idx []int, outcomes, reasons, requestIDs []string) error {
	action := "risk reset"
	if x.p.Action.RiskLevel != "" {
		action = "risk set " + x.p.Action.RiskLevel
	}
	for k, i := range idx {
		if outcomes[k] == StatePending {
			continue
		}
		d := x.p.Targets[i].Device
		d.Kind = "jsc"
		o := "ok"
		if outcomes[k] != StateSent {
			o = outcomes[k]
		}
		t := ops.AuditTargetOf(d, o, reasons[k])
		t.Before, t.After = x.p.Targets[i].RiskBefore, x.p.Action.RiskLevel
		if t.After == "" {
			t.After = "reset"
		}
		e := ops.AuditEntry{Server: x.p.Server, Credential: x.r.JSC.AppID(), Action: action, Reason: x.p.Action.Reason,
			Params: map[string]any{"jobId": x.p.ID}, Targets: []ops.AuditTarget{t}, RequestIDs: requestIDs}
		if err := x.r.Audit.Append(e); err != nil {
			return err
		}
	}
	return nil
}
