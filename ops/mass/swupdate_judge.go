package mass

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jamf"
)

// Verdict is what a stage's outcome allows.
type Verdict string

// Verdicts of JudgeStage.
const (
	// VerdictContinue: the stage reached its target and the job may go on.
	VerdictContinue Verdict = "continue"
	// VerdictHold: stop and wait for a person (failures, the watch time
	// ran out, or auto-continue is off).
	VerdictHold Verdict = "hold"
	// VerdictWaiting: devices are still working; read again later.
	VerdictWaiting Verdict = "waiting"
)

// StageRules say when a stage passed.
type StageRules struct {
	// Action is the job's update action: with download-only a device is
	// done once the update is downloaded.
	Action jamf.UpdateAction
	// Share of the stage's devices that must reach the target (0 = all).
	Share float64
	// MaxFailureRate is the share of devices that may fail (0 = none).
	MaxFailureRate float64
	// AutoContinue lets a passed stage continue without a go-ahead.
	AutoContinue bool
}

// StageReadings are a stage's plans and statuses as read from the server.
type StageReadings struct {
	Devices  []jamf.PlanDevice
	Plans    []jamf.Plan
	Statuses []jamf.UpdateStatus
	// Baseline are plan UUIDs from before the job, ignored here.
	Baseline []string
	// Since is when the stage's plans were sent (server time): statuses
	// last updated before it belong to an earlier update and are ignored.
	Since    time.Time
	Requests int
}

// byObjectType groups devices' IDs by object type (computer, mobile
// device), the types in the order first seen.
func byObjectType(devices []jamf.PlanDevice) ([]jamf.UpdateObjectType, map[jamf.UpdateObjectType][]string) {
	byType := map[jamf.UpdateObjectType][]string{}
	var types []jamf.UpdateObjectType
	for _, d := range devices {
		if _, ok := byType[d.ObjectType]; !ok {
			types = append(types, d.ObjectType)
		}
		byType[d.ObjectType] = append(byType[d.ObjectType], d.DeviceID)
	}
	return types, byType
}

// ReadStage reads the plans and update statuses of a stage's devices:
// 2 × ⌈N ÷ 200⌉ requests per object type. since is when the stage's plans
// were sent, by the server's clock (zero keeps every status).
func ReadStage(ctx context.Context, c *jamf.Client, devices []jamf.PlanDevice, baseline []string, since time.Time) (*StageReadings, error) {
	out := &StageReadings{Devices: devices, Baseline: baseline, Since: since}
	types, byType := byObjectType(devices)
	su := c.SoftwareUpdates()
	for _, t := range types {
		plans, resp, err := su.PlansForDevices(ctx, t, byType[t])
		if resp != nil {
			out.Requests += resp.Requests
		}
		if err != nil {
			return nil, fmt.Errorf("reading the stage's plans: %w", err)
		}
		out.Plans = append(out.Plans, plans...)
		statuses, resp, err := su.UpdateStatusesForDevices(ctx, t, byType[t])
		if resp != nil {
			out.Requests += resp.Requests
		}
		if err != nil {
			return nil, fmt.Errorf("reading the stage's update statuses: %w", err)
		}
		out.Statuses = append(out.Statuses, statuses...)
	}
	return out, nil
}

// NoStatus is the Counts key of devices that have reported nothing yet.
const NoStatus = "NO_STATUS"

// StageJudgement is a stage's outcome.
type StageJudgement struct {
	Verdict Verdict
	// Healthy is true when the outcome allowed continuing (whether or not
	// auto-continue was on).
	Healthy                          bool
	Devices, Reached, Failed, Active int
	// Counts are devices per update status (NoStatus for none yet), for
	// the live view.
	Counts map[string]int
	// Failures are the failed devices ("COMPUTER/17") by reason.
	Failures map[string][]string
	// Note says why, in one line.
	Note string
}

// JudgeStage says whether a stage may continue: it holds as soon as more
// than MaxFailureRate of its devices failed (listing them by reason), even
// with auto-continue; it continues (with auto-continue) once Share of them
// reached the target; otherwise it waits, or holds when watchOver (the watch
// time ran out). A device reached the target when its plan completed or it
// reports INSTALLED (downloaded and idle for download-only); it failed when
// it reports a failure state or its plan failed.
func JudgeStage(r *StageReadings, rules StageRules, watchOver bool) StageJudgement {
	known := map[string]bool{}
	for _, id := range r.Baseline {
		known[id] = true
	}
	plans := map[string]jamf.Plan{}
	for _, p := range r.Plans {
		key := planKey(p.Device.ObjectType, p.Device.DeviceID)
		if known[p.PlanUUID] {
			continue
		}
		// A rejected second plan must not hide the device's first one.
		if prev, ok := plans[key]; ok && !(prev.Status.State == "PlanFailed" && slices.Contains(prev.Status.ErrorReasons, "EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS")) {
			continue
		}
		plans[key] = p
	}
	statuses := map[string]jamf.UpdateStatus{}
	for _, s := range r.Statuses {
		if !r.Since.IsZero() && !s.Updated.IsZero() && s.Updated.Before(r.Since) {
			continue // an earlier update's status
		}
		key := planKey(s.Device.ObjectType, s.Device.DeviceID)
		if prev, ok := statuses[key]; !ok || s.Updated.After(prev.Updated.Time) {
			statuses[key] = s
		}
	}
	j := StageJudgement{Devices: len(r.Devices), Counts: map[string]int{}, Failures: map[string][]string{}}
	for _, d := range r.Devices {
		key := planKey(d.ObjectType, d.DeviceID)
		st, hasStatus := statuses[key]
		plan, hasPlan := plans[key]
		if hasStatus {
			j.Counts[string(st.Status)]++
		} else {
			j.Counts[NoStatus]++
		}
		switch {
		case hasStatus && st.Status.Failed():
			j.Failed++
			reason := jamf.UpdateFailureReason(string(st.Status))
			j.Failures[reason] = append(j.Failures[reason], key)
		case hasPlan && plan.Status.State == "PlanFailed":
			j.Failed++
			code := ""
			if len(plan.Status.ErrorReasons) > 0 {
				code = plan.Status.ErrorReasons[0]
			}
			reason := jamf.UpdateFailureReason(code)
			j.Failures[reason] = append(j.Failures[reason], key)
		case hasPlan && plan.Status.State == "PlanCompleted",
			hasStatus && st.Status == jamf.UpdateInstalled,
			hasStatus && rules.Action == jamf.ActionDownloadOnly && st.Downloaded && st.Status == jamf.UpdateIdle:
			j.Reached++
		default:
			j.Active++
		}
	}
	if j.Devices == 0 {
		j.Verdict, j.Healthy, j.Note = VerdictContinue, true, "the stage has no devices"
		if !rules.AutoContinue {
			j.Verdict = VerdictHold
		}
		return j
	}
	share := rules.Share
	if share <= 0 || share > 1 {
		share = 1
	}
	failRate := float64(j.Failed) / float64(j.Devices)
	switch {
	case failRate > rules.MaxFailureRate:
		j.Verdict = VerdictHold
		j.Note = fmt.Sprintf("%d of %d devices failed (%s); holding", j.Failed, j.Devices, j.failureText())
	case float64(j.Reached) >= share*float64(j.Devices)-1e-9:
		j.Healthy = true
		j.Verdict = VerdictContinue
		j.Note = fmt.Sprintf("%d of %d devices reached the target", j.Reached, j.Devices)
		if !rules.AutoContinue {
			j.Verdict = VerdictHold
			j.Note += "; waiting for a go-ahead"
		}
	case watchOver:
		j.Verdict = VerdictHold
		j.Note = fmt.Sprintf("only %d of %d devices reached the target within the watch time (%d still working)", j.Reached, j.Devices, j.Active)
	default:
		j.Verdict = VerdictWaiting
		j.Note = fmt.Sprintf("%d of %d devices reached the target, %d working, %d failed", j.Reached, j.Devices, j.Active, j.Failed)
	}
	return j
}

// failureText lists the failure reasons with their counts, most first.
func (j StageJudgement) failureText() string {
	reasons := make([]string, 0, len(j.Failures))
	for r := range j.Failures {
		reasons = append(reasons, r)
	}
	slices.SortFunc(reasons, func(a, b string) int {
		if d := len(j.Failures[b]) - len(j.Failures[a]); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s: %d", r, len(j.Failures[r]))
	}
	return strings.Join(parts, ", ")
}
