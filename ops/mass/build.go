package mass

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// Request is what the admin asked for, before it is frozen into a plan.
type Request struct {
	Server  string
	Label   string
	Action  Action
	Knobs   Knobs
	Devices []ops.Device
	Now     time.Time
	// Pilot lists the inventory IDs of the canary group's members
	// (Knobs.CanaryGroup): they fill the first stages before anyone else.
	Pilot []string
	// Parent is the job a follow-up job retries.
	Parent string
}

// ErrUsage marks a request that can never be sent as asked (a command
// that fits none of the devices, parameters the catalogue refuses): the
// CLI reports it as a usage error.
var ErrUsage = errors.New("not sendable as asked")

// usageError is an ErrUsage with its own message.
type usageError struct{ msg string }

func (e usageError) Error() string        { return e.msg }
func (e usageError) Is(target error) bool { return target == ErrUsage }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// Build resolves and freezes the target list, applying the skip rules, and
// returns the plan with its preflight numbers. Nothing is sent; the only
// requests are reads (the credential's privileges and, when the pending
// skip rule is on, the devices' queues).
func Build(ctx context.Context, c *jamf.Client, req Request) (*Plan, *Preflight, error) {
	if err := req.Knobs.Validate(); err != nil {
		return nil, nil, err
	}
	if len(req.Devices) == 0 {
		return nil, nil, errors.New("no target devices")
	}
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	if err := checkFields(req.Action, req.Devices); err != nil {
		return nil, nil, usagef("%v", err)
	}
	if req.Knobs.StageOrder == OrderRandom && req.Knobs.Seed == 0 {
		req.Knobs.Seed = newSeed()
	}
	platform := req.Devices[0].Kind
	seen := map[string]bool{}
	var devices []ops.Device
	for _, d := range req.Devices {
		if d.Kind != platform {
			return nil, nil, errors.New("a job targets computers or mobile devices, not both (their commands need different privileges)")
		}
		if !seen[d.ID] {
			seen[d.ID] = true
			devices = append(devices, d)
		}
	}
	pending := map[string]int{}
	if req.Knobs.SkipPendingAtLeast > 0 && req.Action.Kind == KindCommand {
		s, err := ops.AnalyseQueue(ctx, c, devices, req.Now, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("reading pending commands for the skip rule: %w", err)
		}
		for _, b := range s.Stuck {
			pending[b.Device.ID] = b.Pending
		}
	}
	misfits := 0
	for _, d := range devices {
		if misfit(req.Action, d) != "" {
			misfits++
		}
	}
	if misfits == len(devices) {
		return nil, nil, usagef("%s fits none of the %d devices: %s", req.Action, len(devices), misfit(req.Action, devices[0]))
	}
	dup := map[string]bool{}
	if req.Action.Kind == KindCommand && !req.Knobs.AllowDuplicates {
		var err error
		if dup, err = duplicates(ctx, c, req.Action.CommandType, devices); err != nil {
			return nil, nil, fmt.Errorf("reading pending commands to skip duplicates: %w", err)
		}
	}
	p := &Plan{ID: NewID(req.Now), Created: req.Now.UTC(), Server: req.Server, Label: req.Label, Action: req.Action, Knobs: req.Knobs,
		Platform: string(platform), Parent: req.Parent}
	pf := &Preflight{Total: len(devices), Skipped: map[string]int{}}
	for _, d := range devices {
		t := Target{Device: d}
		offlineFor := time.Duration(0)
		if d.LastCheckIn != nil {
			offlineFor = req.Now.Sub(*d.LastCheckIn)
		}
		if d.LastCheckIn == nil || offlineFor > ops.OfflineAfter {
			pf.Offline++
		} else {
			pf.Online++
		}
		switch {
		case misfit(req.Action, d) != "":
			t.Skip = misfit(req.Action, d)
		case d.ManagementID == "":
			t.Skip = "no management ID (not MDM-managed)"
		case req.Knobs.SkipOfflineDays > 0 && (d.LastCheckIn == nil || offlineFor > time.Duration(req.Knobs.SkipOfflineDays)*24*time.Hour):
			t.Skip = fmt.Sprintf("offline for more than %d days", req.Knobs.SkipOfflineDays)
		case req.Knobs.SkipPendingAtLeast > 0 && pending[d.ID] >= req.Knobs.SkipPendingAtLeast:
			t.Skip = fmt.Sprintf("already %d or more pending commands", req.Knobs.SkipPendingAtLeast)
		case dup[d.ID]:
			t.Skip = DuplicateReason(req.Action.CommandType)
			pf.Duplicates++
		}
		if t.Skip != "" {
			pf.Skipped[t.Skip]++
		} else {
			pf.Send++
		}
		p.Targets = append(p.Targets, t)
	}
	pilot := map[string]bool{}
	for _, id := range req.Pilot {
		pilot[id] = true
	}
	if req.Knobs.CanaryGroup != "" {
		if err := checkPilot(req.Knobs.CanaryGroup, len(req.Pilot), pilot, p.Targets); err != nil {
			return nil, nil, err
		}
	}
	var order []int
	p.Stages, order = assignStages(p.Targets, req.Knobs, pilot)
	pf.StageSizes = make([]int, p.Stages)
	for _, t := range p.Targets {
		if t.Skip == "" {
			pf.StageSizes[t.Stage]++
		}
	}
	for _, i := range order {
		if p.Targets[i].Stage == 0 {
			pf.FirstStage = append(pf.FirstStage, p.Targets[i].Device.Name)
		}
	}
	for _, n := range pf.StageSizes {
		pf.Batches += (n + req.Knobs.BatchSize - 1) / req.Knobs.BatchSize
	}
	pf.Requests = pf.Batches
	pf.Estimate = time.Duration(float64(pf.Batches)/req.Knobs.Rate*float64(time.Second)) + time.Duration(max(0, pf.Batches-1))*req.Knobs.Pause
	if p.Stages > 1 {
		pf.Estimate += time.Duration(p.Stages-1) * req.Knobs.StageWait
	}
	p.Privilege = []string{jamf.PrivViewMDMCommands}
	if req.Action.Kind == KindFlush {
		p.Privilege = []string{jamf.PrivFlushMDMCommands}
	}
	if req.Action.Kind == KindCommand {
		if spec, ok := LookupCommand(req.Action.CommandType); ok && spec.Privilege(DevicePlatform(devices[0])) != "" {
			p.Privilege = append(p.Privilege, spec.Privilege(DevicePlatform(devices[0])))
		} else if priv := jamf.CommandPrivilege(platform, req.Action.CommandType); priv != "" {
			p.Privilege = append(p.Privilege, priv)
		}
	}
	pf.Privileges = p.Privilege
	if privs, err := c.Auth.Privileges(ctx); err == nil {
		pf.Missing = privs.Missing(p.Privilege...)
	}
	return p, pf, nil
}
