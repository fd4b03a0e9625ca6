package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// softwareUpdateCommand is the --command of a staged OS update.
const softwareUpdateCommand = "software-update"

// defaultUpdateStageWait is a software-update stage's watch when
// --stage-wait is not given: devices download and install for hours.
const defaultUpdateStageWait = 4 * time.Hour

// updateFlags are the flags of --command software-update.
type updateFlags struct {
	fs           *pflag.FlagSet
	version      string
	action       string
	maxDeferrals int
	installAt    string
	share        float64
	watchEvery   time.Duration
}

// updateFlagNames are the flags that only --command software-update takes.
func updateFlagNames() []string {
	return []string{"version", "update-action", "max-deferrals", "install-at", "stage-share", "watch-every"}
}

func (u *updateFlags) register(fs *pflag.FlagSet) {
	u.fs = fs
	u.share = 0.9
	fs.StringVar(&u.version, "version", "", "software-update: latest-minor, latest-major, latest-any or X.Y[.Z] (a version the server offers)")
	fs.StringVar(&u.action, "update-action", mass.DefaultUpdateAction,
		"software-update: download-install, download-install-allow-deferral, download-install-restart, download-install-schedule or download-only")
	fs.IntVar(&u.maxDeferrals, "max-deferrals", 0, "software-update: deferrals a user may take (with download-install-allow-deferral only)")
	fs.StringVar(&u.installAt, "install-at", "", "software-update: device-local date and time to install at, e.g. 2026-12-01T18:00 (with download-install-schedule only)")
	fs.Var((*shareValue)(&u.share), "stage-share", "software-update: share of a stage's devices that must reach the target before the next stage (0.9 or 90%)")
	fs.DurationVar(&u.watchEvery, "watch-every", time.Minute, "software-update: how often a stage's update statuses are read while it is watched")
}

// changed lists the update flags given on the command line.
func (u *updateFlags) changed() []string {
	var out []string
	for _, n := range updateFlagNames() {
		if u.fs != nil && u.fs.Changed(n) {
			out = append(out, "--"+n)
		}
	}
	return out
}

// parse checks the update flags (no I/O) and returns the job's request.
func (u *updateFlags) parse() (*mass.UpdateJob, error) {
	f := mass.SoftwareUpdateFlags{Version: u.version, UpdateAction: u.action, InstallAt: u.installAt}
	if u.fs != nil && u.fs.Changed("max-deferrals") {
		n := u.maxDeferrals
		f.MaxDeferrals = &n
	}
	su, err := mass.ParseSoftwareUpdate(f)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	switch {
	case !(u.share > 0 && u.share <= 1):
		return nil, usageErrorf("--stage-share must be more than 0 and at most 100%%")
	case u.watchEvery < time.Millisecond:
		return nil, usageErrorf("--watch-every must be at least 1ms")
	}
	return &mass.UpdateJob{Request: su, Share: u.share, Poll: u.watchEvery}, nil
}

// runMassUpdateIf runs `mass run --command software-update`; for another
// command it refuses the software-update flags. handled is false when the
// caller should go on with its own command.
func runMassUpdateIf(ctx context.Context, env *Env, f *massFlags) (handled bool, err error) {
	if !strings.EqualFold(strings.TrimSpace(f.command), softwareUpdateCommand) {
		if set := f.update.changed(); len(set) > 0 {
			return true, usageErrorf("%s only apply to --command software-update", strings.Join(set, ", "))
		}
		return false, nil
	}
	return true, runMassUpdate(ctx, env, f)
}

// validateUpdate checks every flag of a software-update job before any
// connection is made (exit status 2 on a mistake).
func (f *massFlags) validateUpdate(env *Env) (*mass.UpdateJob, []deviceRef, error) {
	job, err := f.update.parse()
	if err != nil {
		return nil, nil, err
	}
	refs, err := f.validateRun(env, func() error {
		if f.update.fs != nil && !f.update.fs.Changed("stage-wait") {
			f.knobs.StageWait = defaultUpdateStageWait
		}
		if f.knobs.SkipPendingAtLeast > 0 || f.knobs.BacklogLimit > 0 {
			return usageErrorf("--skip-pending and --backlog-limit count MDM commands: they do not apply to software-update plans")
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return job, refs, nil
}

// runMassUpdate plans a software-update job (preflight: offered versions,
// skips with reasons, the first stage's devices), then runs, saves or only
// shows it, like every mass action.
func runMassUpdate(ctx context.Context, env *Env, f *massFlags) error {
	job, refs, err := f.validateUpdate(env)
	if err != nil {
		return err
	}
	return withClient(ctx, &f.conn, env, func(c *jamf.Client) error {
		devices, label, pilot, err := f.targets(ctx, env, c, refs)
		if err != nil {
			return err
		}
		plan, pf, upf, err := mass.BuildSoftwareUpdate(ctx, c, mass.Request{Server: c.BaseURL(), Label: label,
			Action: mass.Action{Kind: mass.KindSoftwareUpdate, Update: job}, Knobs: f.knobs, Devices: devices, Pilot: pilot})
		if errors.Is(err, mass.ErrUsage) {
			return usageErrorf("%v", err)
		}
		if err != nil {
			return err
		}
		printPreflight(env, plan, pf)
		printUpdatePreflight(env, plan, upf)
		if f.dryRun {
			return writeJSON(env.Stdout, updatePreflightJSON(plan, pf, upf))
		}
		return startPlanned(ctx, env, f, c, plan, pf)
	})
}

// updateDevice is one device of the software-update preflight's lists.
type updateDevice struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Serial     string `json:"serial"`
	ObjectType string `json:"objectType"`
	OS         string `json:"os,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// firstStage and skippedDevices list the plan's devices for the preflight.
func updateLists(p *mass.Plan) (first, skipped []updateDevice) {
	for i, t := range p.Targets {
		d := updateDevice{ID: t.Device.ID, Name: ops.Clean(t.Device.Name), Serial: ops.Clean(t.Device.Serial),
			ObjectType: string(p.Action.Update.ObjectTypes[i]), OS: ops.Clean(t.Device.OS), Reason: t.Skip}
		switch {
		case t.Skip != "":
			skipped = append(skipped, d)
		case t.Stage == 0:
			first = append(first, d)
		}
	}
	return first, skipped
}

// printUpdatePreflight adds what a software-update job's preflight knows:
// the versions offered, the devices per object type, each skip with its
// devices, and who is in the first stage.
func printUpdatePreflight(env *Env, p *mass.Plan, upf *mass.UpdatePreflight) {
	fmt.Fprintf(env.Stderr, "Server offers macOS %s; iOS %s\n", listOrNone(upf.Offered.MacOS), listOrNone(upf.Offered.IOS))
	var types []string
	for _, t := range upf.ObjectTypes {
		types = append(types, fmt.Sprintf("%s %d", t, len(upf.ByObjectType[t])))
	}
	fmt.Fprintf(env.Stderr, "Plans by object type (one request never mixes them): %s\n", strings.Join(types, ", "))
	first, skipped := updateLists(p)
	byReason := map[string][]updateDevice{}
	var reasons []string
	for _, d := range skipped {
		if _, ok := byReason[d.Reason]; !ok {
			reasons = append(reasons, d.Reason)
		}
		byReason[d.Reason] = append(byReason[d.Reason], d)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(env.Stderr, "Skipped, %s (%d): %s\n", ops.Clean(r), len(byReason[r]), deviceNames(byReason[r], 10))
	}
	fmt.Fprintf(env.Stderr, "Stage 1 of %d (%d devices): %s\n", p.Stages, len(first), deviceNames(first, 20))
	fmt.Fprintf(env.Stderr, "Each stage but the last is watched for up to %s: it continues when %.0f%% of its devices reached the target and at most %.0f%% failed",
		p.Knobs.StageWait, 100*p.Action.Update.Share, 100*p.Knobs.MaxFailureRate)
	if !p.Knobs.AutoContinue {
		fmt.Fprint(env.Stderr, ", after a go-ahead")
	}
	fmt.Fprintln(env.Stderr)
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// deviceNames shows up to n devices as "name (serial)".
func deviceNames(ds []updateDevice, n int) string {
	parts := make([]string, 0, min(n, len(ds)))
	for _, d := range ds[:min(n, len(ds))] {
		s := d.Name
		if d.Serial != "" {
			s += " (" + d.Serial + ")"
		}
		if d.OS != "" {
			s += " " + d.OS
		}
		parts = append(parts, s)
	}
	out := strings.Join(parts, ", ")
	if len(ds) > n {
		out += fmt.Sprintf(" and %d more", len(ds)-n)
	}
	return out
}

func updatePreflightJSON(p *mass.Plan, pf *mass.Preflight, upf *mass.UpdatePreflight) map[string]any {
	out := preflightJSON(p, pf)
	first, skipped := updateLists(p)
	types := map[string]int{}
	for t, ds := range upf.ByObjectType {
		types[string(t)] = len(ds)
	}
	out["config"] = p.Action.Update.Request.Config()
	out["offered"] = upf.Offered
	out["objectTypes"] = types
	out["firstStage"] = first
	out["skippedDevices"] = skipped
	out["stageShare"] = p.Action.Update.Share
	out["preflightReads"] = upf.Requests
	return out
}
