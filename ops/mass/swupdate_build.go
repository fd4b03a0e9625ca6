package mass

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// UpdateJob is what a software-update job (KindSoftwareUpdate) carries in
// its frozen plan: the request every plan is created with, the plans the
// devices had before the job (so that a resume tells the job's plans
// apart), each target's object type, and how its stages are judged.
type UpdateJob struct {
	Request SoftwareUpdate `json:"request"`
	// Baseline are the plan UUIDs the devices had at planning time.
	Baseline []string `json:"baseline,omitempty"`
	// ObjectTypes are per target (Plan.Targets order).
	ObjectTypes []jamf.UpdateObjectType `json:"objectTypes"`
	// Share of a stage's devices that must reach the target before the
	// next stage may start (0 = all).
	Share float64 `json:"share,omitempty"`
	// Poll is how often a stage's update statuses are read while it is
	// watched (0 = the runner's Poll).
	Poll time.Duration `json:"poll,omitempty"`
}

// String describes the job for people.
func (u *UpdateJob) String() string {
	if u == nil {
		return "software update"
	}
	return u.Request.String()
}

// planDevice is target i as a plan names it.
func (u *UpdateJob) planDevice(p *Plan, i int) jamf.PlanDevice {
	t := jamf.ObjectComputer
	if i < len(u.ObjectTypes) {
		t = u.ObjectTypes[i]
	}
	return jamf.PlanDevice{DeviceID: p.Targets[i].Device.ID, ObjectType: t}
}

// platform is target i's inventory platform (from its object type).
func (u *UpdateJob) platform(i int) jamf.Platform {
	if i < len(u.ObjectTypes) && u.ObjectTypes[i] != jamf.ObjectComputer {
		return jamf.PlatformMobile
	}
	return jamf.PlatformComputer
}

// BuildSoftwareUpdate freezes a software-update job: req.Action must be
// KindSoftwareUpdate with its Update set (Request, Share, Poll); the
// devices may mix computers, mobile devices and Apple TVs. It reads the
// server's clock (for the offline rule), the computers' hardware, and runs
// PreflightSoftwareUpdate; then it assigns the stages and orders the
// targets so that within a stage the object types are contiguous (a plan
// request never mixes them). Nothing is created.
func BuildSoftwareUpdate(ctx context.Context, c *jamf.Client, req Request) (*Plan, *Preflight, *UpdatePreflight, error) {
	if req.Action.Kind != KindSoftwareUpdate || req.Action.Update == nil {
		return nil, nil, nil, errors.New("not a software-update request")
	}
	if err := req.Knobs.Validate(); err != nil {
		return nil, nil, nil, err
	}
	if s := req.Action.Update.Share; !(s >= 0 && s <= 1) {
		return nil, nil, nil, fmt.Errorf("stage share %v: must be between 0 and 1", s)
	}
	if len(req.Devices) == 0 {
		return nil, nil, nil, errors.New("no target devices")
	}
	if req.Knobs.StageOrder == OrderRandom && req.Knobs.Seed == 0 {
		req.Knobs.Seed = newSeed()
	}
	reads := 0
	if req.Now.IsZero() {
		// Offline spans are measured on the server's clock.
		_, resp, err := c.Auth.Version(ctx)
		if resp != nil {
			reads += resp.Requests
		}
		if err == nil && resp != nil && resp.Response != nil {
			if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
				req.Now = d
			}
		}
		if req.Now.IsZero() {
			req.Now = time.Now()
		}
	}
	devs := make([]UpdateDevice, len(req.Devices))
	for i, d := range req.Devices {
		devs[i] = NewUpdateDevice(d)
	}
	devs, n, err := WithHardware(ctx, c, devs)
	reads += n
	if err != nil {
		return nil, nil, nil, err
	}
	opts := UpdatePreflightOptions{Now: req.Now}
	if req.Knobs.SkipOfflineDays > 0 {
		opts.SkipOfflineAfter = time.Duration(req.Knobs.SkipOfflineDays) * 24 * time.Hour
	}
	upf, err := PreflightSoftwareUpdate(ctx, c, req.Action.Update.Request, devs, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	upf.Requests += reads
	job := *req.Action.Update
	job.Baseline = upf.Baseline
	action := req.Action
	action.Update = &job
	p := &Plan{ID: NewID(req.Now), Created: req.Now.UTC(), Server: req.Server, Label: req.Label, Action: action, Knobs: req.Knobs,
		Platform: string(req.Devices[0].Kind)}
	targets := make([]Target, len(upf.Targets))
	for i, t := range upf.Targets {
		targets[i] = Target{Device: t.Device.Device, Skip: t.Skip}
	}
	pilot := map[string]bool{}
	for _, id := range req.Pilot {
		pilot[id] = true
	}
	if req.Knobs.CanaryGroup != "" {
		if err := checkPilot(req.Knobs.CanaryGroup, len(req.Pilot), pilot, targets); err != nil {
			return nil, nil, nil, err
		}
	}
	p.Stages, _ = assignStages(targets, req.Knobs, pilot)
	// Within a stage, group the object types (in the preflight's order);
	// skipped targets go last.
	rank := map[jamf.UpdateObjectType]int{}
	for i, t := range upf.ObjectTypes {
		rank[t] = i
	}
	order := make([]int, len(targets))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ta, tb := targets[a], targets[b]
		if sa, sb := ta.Skip != "", tb.Skip != ""; sa != sb {
			if sa {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(ta.Stage, tb.Stage),
			cmp.Compare(rank[upf.Targets[a].Device.ObjectType], rank[upf.Targets[b].Device.ObjectType]))
	})
	job.ObjectTypes = make([]jamf.UpdateObjectType, len(order))
	p.Targets = make([]Target, len(order))
	for k, i := range order {
		p.Targets[k] = targets[i]
		job.ObjectTypes[k] = upf.Targets[i].Device.ObjectType
	}
	pf := &Preflight{Total: len(p.Targets), Send: upf.Send, Skipped: upf.Skipped, StageSizes: make([]int, p.Stages),
		Privileges: upf.Privileges, Missing: upf.Missing}
	perStage := make([]map[jamf.UpdateObjectType]int, p.Stages)
	for k, t := range p.Targets {
		if t.Device.LastCheckIn == nil || req.Now.Sub(*t.Device.LastCheckIn) > ops.OfflineAfter {
			pf.Offline++
		} else {
			pf.Online++
		}
		if t.Skip != "" {
			continue
		}
		pf.StageSizes[t.Stage]++
		if perStage[t.Stage] == nil {
			perStage[t.Stage] = map[jamf.UpdateObjectType]int{}
		}
		perStage[t.Stage][job.ObjectTypes[k]]++
	}
	for _, m := range perStage {
		for _, n := range m {
			pf.Batches += (n + req.Knobs.BatchSize - 1) / req.Knobs.BatchSize
		}
	}
	pf.Requests = pf.Batches
	pf.Estimate = time.Duration(float64(pf.Batches)/req.Knobs.Rate*float64(time.Second)) + time.Duration(max(0, pf.Batches-1))*req.Knobs.Pause
	if p.Stages > 1 {
		pf.Estimate += time.Duration(p.Stages-1) * req.Knobs.StageWait
	}
	p.Privilege = upf.Privileges
	return p, pf, upf, nil
}
