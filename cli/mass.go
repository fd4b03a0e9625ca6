package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// massFlags are the knobs and targets of jamfops mass run.
type massFlags struct {
	conn                        connFlags
	group, kind, devicesFile    string
	command                     string
	knobs                       mass.Knobs
	window, stages              string
	dryRun, yes, save, autoCont bool
	jobsDir                     string
	params                      paramFlags
	stageOrder, canaryGroup     string
	update                      updateFlags // --command software-update
	rts                         rtsFlags    // ERASE_DEVICE --return-to-service
}

func (f *massFlags) register(c *cobra.Command, env *Env) {
	f.conn.register(c, env)
	f.knobs = mass.DefaultKnobs()
	fs := c.Flags()
	fs.StringVar(&f.group, "group", "", "target a group's members (ID or name)")
	fs.StringVar(&f.kind, "kind", "", "computer or mobile, for --group IDs and inventory IDs in --devices")
	fs.StringVar(&f.devicesFile, "devices", "", "target the devices listed in a file (serials or inventory IDs, one a line; # comments)")
	fs.StringVar(&f.command, "command", "", "blank-push, flush-pending, flush-failed, flush-both, software-update (with --version), or a command type: "+strings.Join(mass.BulkCommands(), ", "))
	fs.IntVar(&f.knobs.BatchSize, "batch", f.knobs.BatchSize, "devices per request (1 to 1000)")
	fs.Float64Var(&f.knobs.Rate, "rate", f.knobs.Rate, "ceiling of requests per second, more than 0 and at most 100 (the runner starts at 1 and climbs while the server keeps up)")
	fs.IntVar(&f.knobs.Concurrency, "concurrency", f.knobs.Concurrency, "most requests at once (1 to 5)")
	fs.DurationVar(&f.knobs.Pause, "pause", f.knobs.Pause, "wait between batches")
	fs.StringVar(&f.window, "window", "", "send only between local times, e.g. 17:00-07:00")
	fs.IntVar(&f.knobs.SkipOfflineDays, "skip-offline-days", f.knobs.SkipOfflineDays, "skip devices not seen for this many days (0: never)")
	fs.IntVar(&f.knobs.SkipPendingAtLeast, "skip-pending", 0, "skip devices with this many pending commands already (0: never)")
	fs.Var((*shareValue)(&f.knobs.MaxFailureRate), "max-failure", "stop when this share of sends fails: 0.2 or 20%")
	fs.IntVar(&f.knobs.BacklogLimit, "backlog-limit", 0, "pause while the targets hold more pending commands than this (0: off)")
	fs.StringVar(&f.stages, "stages", "1%,10%,100%", "rollout stages, cumulative shares or counts ending at 100% or all, e.g. 25,10%,100%")
	fs.BoolVar(&f.autoCont, "auto-continue", false, "go on to the next stage without a go-ahead when a stage stays healthy")
	fs.DurationVar(&f.knobs.StageWait, "stage-wait", f.knobs.StageWait, "how long to watch a stage's outcome")
	fs.BoolVar(&f.knobs.StageUntilResolved, "stage-until-resolved", false, "end a stage's watch once all its commands have answered (stage-wait is then the longest)")
	fs.StringVar(&f.stageOrder, "stage-order", "given", "which devices go first: given (the group's order) or random (seeded; the seed is kept in the plan)")
	fs.Int64Var(&f.knobs.Seed, "seed", 0, "seed of --stage-order random (default: a new one, shown in the preflight)")
	fs.StringVar(&f.canaryGroup, "canary-group", "", "a pilot group (name or ID) whose members go first, into the canary")
	fs.BoolVar(&f.knobs.AllowDuplicates, "allow-duplicates", false, "send also to devices that already hold the same command pending (skipped by default)")
	f.params.register(c)
	f.rts.register(fs)
	fs.BoolVar(&f.dryRun, "dry-run", false, "show the preflight and send nothing")
	fs.BoolVar(&f.save, "save", false, "save the plan to start later with 'jamfops mass start JOB'")
	fs.BoolVar(&f.yes, "yes", false, "do not ask for confirmation")
	fs.StringVar(&f.jobsDir, "jobs-dir", "", "where job journals live (default in the user data directory)")
	f.update.register(fs)
	_ = c.RegisterFlagCompletionFunc("group", completeGroups(env, &f.conn))
	_ = c.RegisterFlagCompletionFunc("kind", fixedCompletions("computer", "mobile"))
	_ = c.RegisterFlagCompletionFunc("command", fixedCompletions(append([]string{"blank-push", "flush-pending", "flush-failed", "flush-both", "software-update"}, mass.BulkCommands()...)...))
	_ = c.RegisterFlagCompletionFunc("stages", fixedCompletions("1%,10%,100%", "100%", "25,all"))
	_ = c.RegisterFlagCompletionFunc("stage-order", fixedCompletions(mass.OrderGiven, mass.OrderRandom))
	_ = c.RegisterFlagCompletionFunc("canary-group", completeGroups(env, &f.conn))
	_ = c.RegisterFlagCompletionFunc("obliteration", fixedCompletions("Default", "DoNotObliterate", "ObliterateWithWarning", "Always"))
}

// validate reads and checks every flag and the device file before any
// connection is made: a mistake is a usage error (exit 2) and nothing is
// sent or even asked of the server.
func (f *massFlags) validate(env *Env) (mass.Action, []deviceRef, error) {
	action, err := mass.ParseAction(f.command)
	if err != nil {
		return action, nil, usageErrorf("%v", err)
	}
	if action.Fields, err = f.params.fields(action); err != nil {
		return action, nil, err
	}
	if action.ReturnToService, err = f.rts.option(action); err != nil {
		return action, nil, err
	}
	refs, err := f.validateRun(env, nil)
	return action, refs, err
}

// validateRun checks what every kind of mass run takes, before any
// connection: the stage order, the targets' flags, the stages and window,
// the kind's own rule (kindRule, which may set its defaults first), the
// knobs, and the device file (exit status 2 on a mistake).
func (f *massFlags) validateRun(env *Env, kindRule func() error) ([]deviceRef, error) {
	if err := f.validateOrder(); err != nil {
		return nil, err
	}
	if (f.group == "") == (f.devicesFile == "") {
		return nil, usageErrorf("give --group or --devices (one of them)")
	}
	if _, err := parseKind(f.kind); err != nil {
		return nil, err
	}
	var err error
	if f.knobs.Stages, err = mass.ParseStages(f.stages); err != nil {
		return nil, usageErrorf("--stages: %v", err)
	}
	if f.knobs.WindowStart, f.knobs.WindowEnd, err = mass.ParseWindow(f.window); err != nil {
		return nil, usageErrorf("--window: %v", err)
	}
	f.knobs.AutoContinue = f.autoCont
	if kindRule != nil {
		if err := kindRule(); err != nil {
			return nil, err
		}
	}
	if err := f.knobs.Validate(); err != nil {
		return nil, usageErrorf("%v", err)
	}
	if f.devicesFile == "" {
		return nil, nil
	}
	refs, dups, err := readDeviceFile(f.devicesFile)
	if err != nil {
		return nil, usageErrorf("--devices: %v", err)
	}
	noteDuplicates(env, f.devicesFile, dups)
	return refs, nil
}

// targets resolves the run's devices (--group or the device file) and its
// canary group's members among them.
func (f *massFlags) targets(ctx context.Context, env *Env, c *jamf.Client, refs []deviceRef) (devices []ops.Device, label string, pilot []string, err error) {
	if devices, label, err = massTargets(ctx, env, c, f, refs); err != nil {
		return nil, "", nil, err
	}
	if f.knobs.CanaryGroup != "" {
		if pilot, f.knobs.CanaryGroup, err = mass.PilotMembers(ctx, c, f.knobs.CanaryGroup, devices); err != nil {
			return nil, "", nil, fmt.Errorf("--canary-group: %w", err)
		}
	}
	return devices, label, pilot, nil
}

// validateOrder reads --stage-order, --seed and --canary-group, which
// every kind of mass run takes.
func (f *massFlags) validateOrder() error {
	var err error
	if f.knobs.StageOrder, err = mass.ParseStageOrder(f.stageOrder); err != nil {
		return usageErrorf("--stage-order: %v", err)
	}
	if f.knobs.Seed < 0 || (f.knobs.Seed != 0 && f.knobs.StageOrder != mass.OrderRandom) {
		return usageErrorf("--seed is a positive number and goes with --stage-order random")
	}
	f.knobs.CanaryGroup = strings.TrimSpace(f.canaryGroup)
	return nil
}

func jobsDir(dirs ...string) (string, error) {
	for _, d := range dirs {
		if d != "" {
			return d, nil
		}
	}
	return mass.JobsDir()
}

func newMassCmd(ctx context.Context, env *Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "mass",
		Short: "Send an MDM command, blank push or flush to many devices, paced and resumable",
		Long: `Plans a mass action (the exact targets, frozen), shows its preflight, and
sends it in paced batches and stages, watching the server and the
failure rate. Every job has a journal: a crash or ctrl+c is resumed with
'jamfops mass resume JOB' without sending any device the same command
twice. A job that stops after a stage for a go-ahead exits with status 3.`,
		Example: `  jamfops mass run --group "Lab Macs" --command blank-push --dry-run
  jamfops mass run --devices serials.txt --command RESTART_DEVICE --window 17:00-07:00 --save
  jamfops mass start 20261123-170000-a1b2c3
  jamfops mass resume 20261123-170000-a1b2c3 --go
  jamfops mass retry 20261123-170000-a1b2c3 --failed`,
	}
	c.AddCommand(newMassRunCmd(ctx, env), newMassResumeCmd(ctx, env, "start"), newMassResumeCmd(ctx, env, "resume"), newMassRetryCmd(ctx, env))
	return c
}

func newMassRunCmd(ctx context.Context, env *Env) *cobra.Command {
	var f massFlags
	c := &cobra.Command{
		Use:   "run (--group ID|NAME | --devices FILE) --command TYPE|blank-push [knobs]",
		Short: "Plan a mass action, show its preflight, and run or save it",
		Long: `Plans a mass action and shows its preflight (targets, skips, requests,
privileges, estimated time). With --dry-run it stops there and prints the
preflight as JSON; with --save it writes the job to start later; else it
asks for confirmation (the count typed for destructive commands; --yes
skips it) and runs the job, a line per batch on stderr and a JSON summary
on stdout.

Stages are cumulative shares or counts of the devices to send to, growing
and ending at 100% (or "all"): 1%,10%,100% sends to 1 %, waits for a
go-ahead, then 10 %, then the rest. A device file lists one serial number
or inventory ID a line (a CSV's first column); blank lines and # comments
are skipped and a device named twice is sent to once.`,
		Example: `  jamfops mass run --group "Lab Macs" --command blank-push --dry-run
  jamfops mass run --group 12 --kind mobile --command DEVICE_INFORMATION --stages 25,10%,100% --yes
  jamfops mass run --devices serials.txt --command RESTART_DEVICE --window 17:00-07:00 --rate 2 --save
  jamfops mass run --group "All Managed Clients" --command flush-failed --stages all --max-failure 5%
  jamfops mass run --group "Lab Macs" --command software-update --version latest-minor --stages 5%,100% --auto-continue`,
		RunE: func(c *cobra.Command, args []string) error {
			return runMassRun(ctx, env, &f)
		},
	}
	f.register(c, env)
	return c
}

func runMassRun(ctx context.Context, env *Env, f *massFlags) error {
	if handled, err := runMassUpdateIf(ctx, env, f); handled {
		return err
	}
	action, refs, err := f.validate(env)
	if err != nil {
		return err
	}
	return withClient(ctx, &f.conn, env, func(c *jamf.Client) error {
		devices, label, pilot, err := f.targets(ctx, env, c, refs)
		if err != nil {
			return err
		}
		plan, pf, err := mass.Build(ctx, c, mass.Request{Server: c.BaseURL(), Label: label, Action: action, Knobs: f.knobs, Devices: devices, Pilot: pilot})
		if errors.Is(err, mass.ErrUsage) {
			return usageErrorf("%v", err)
		}
		if err != nil {
			return err
		}
		printPreflight(env, plan, pf)
		if f.dryRun {
			return writeJSON(env.Stdout, preflightJSON(plan, pf))
		}
		return startPlanned(ctx, env, f, c, plan, pf)
	})
}

// startPlanned is what every mass run does after its preflight: refuse
// without the privileges or with nothing to send, confirm, create the
// journal (which takes the job's lock), then save it for later or run it.
func startPlanned(ctx context.Context, env *Env, f *massFlags, c *jamf.Client, plan *mass.Plan, pf *mass.Preflight) error {
	if len(pf.Missing) > 0 {
		return fmt.Errorf("the credential lacks %s; nothing was sent", quoteNames(pf.Missing))
	}
	if pf.Send == 0 {
		return errors.New("every target is skipped; nothing to send")
	}
	if err := confirmMass(env, plan, pf, f.yes); err != nil {
		return err
	}
	dir, err := jobsDir(f.jobsDir, env.JobsDir)
	if err != nil {
		return err
	}
	j, err := mass.CreateJournal(dir, plan)
	if err != nil {
		return err
	}
	defer j.Close() // releases the job's lock
	fmt.Fprintf(env.Stderr, "Job %s (journal %s)\n", plan.ID, j.Path())
	if f.save {
		fmt.Fprintf(env.Stdout, "Saved. Start it with: jamfops mass start %s\n", plan.ID)
		return nil
	}
	_, st, err := mass.ReadJournal(j.Path())
	if err != nil {
		return err
	}
	return driveJob(ctx, env, clients{jamf: c}, j, plan, st, false)
}

// massTargets resolves --group, or the references read from --devices.
func massTargets(ctx context.Context, env *Env, c *jamf.Client, f *massFlags, refs []deviceRef) ([]ops.Device, string, error) {
	kind, err := parseKind(f.kind)
	if err != nil {
		return nil, "", err
	}
	if f.group != "" {
		groups, _, err := c.Groups.List(ctx, nil)
		if err != nil {
			return nil, "", err
		}
		g, err := ops.FindGroup(ops.Summarise(groups), f.group, kind)
		if err != nil {
			return nil, "", err
		}
		devs, err := ops.GroupMembers(ctx, c, g)
		return devs, "group " + g.Name, err
	}
	fleet, err := ops.JamfFleet(ctx, c)
	if err != nil {
		return nil, "", err
	}
	devs, dups, err := matchDeviceRefs(fleet, refs, kind, f.devicesFile)
	if err != nil {
		return nil, "", err
	}
	noteDuplicates(env, f.devicesFile, dups)
	return devs, "devices from " + filepath.Base(f.devicesFile), nil
}

func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, " and ")
}

func printPreflight(env *Env, p *mass.Plan, pf *mass.Preflight) {
	fmt.Fprintf(env.Stderr, "%s to %s: %d devices (%d online, %d offline); %d to send, %d skipped\n",
		p.Action, ops.Clean(p.Label), pf.Total, pf.Online, pf.Offline, pf.Send, pf.Total-pf.Send)
	if p.Parent != "" {
		fmt.Fprintf(env.Stderr, "Follows up job %s.\n", p.Parent)
	}
	if s := paramsText(p.Action); s != "" {
		fmt.Fprintf(env.Stderr, "Parameters: %s\n", ops.Clean(s))
	}
	for _, line := range pf.SkipSummary() {
		fmt.Fprintf(env.Stderr, "  skipped %s\n", ops.Clean(line))
	}
	if p.Action.Kind == mass.KindCommand {
		if p.Knobs.AllowDuplicates {
			fmt.Fprintf(env.Stderr, "Duplicates allowed: devices already holding %s pending get it again.\n", p.Action.CommandType)
		} else {
			fmt.Fprintf(env.Stderr, "Devices already holding %s pending are skipped (%d); --allow-duplicates sends to them too.\n", p.Action.CommandType, pf.Duplicates)
		}
	}
	fmt.Fprintf(env.Stderr, "%d requests of up to %d devices, stages %s, at most %.1f requests/s and %d at once: %s\n",
		pf.Requests, p.Knobs.BatchSize, mass.StagesText(pf.StageSizes), p.Knobs.Rate, p.Knobs.Concurrency, mass.EstimateText(p, pf))
	if len(pf.FirstStage) > 0 && p.Stages > 1 {
		order := "in the given order"
		switch {
		case p.Knobs.CanaryGroup != "":
			order = "members of " + ops.Clean(p.Knobs.CanaryGroup) + " first"
		case p.Knobs.StageOrder == mass.OrderRandom:
			order = fmt.Sprintf("random, seed %d", p.Knobs.Seed)
		}
		names := pf.FirstStage
		more := ""
		if len(names) > 10 {
			names, more = names[:10], fmt.Sprintf(" and %d more", len(pf.FirstStage)-10)
		}
		clean := make([]string, len(names))
		for i, n := range names {
			clean[i] = ops.Clean(n)
		}
		fmt.Fprintf(env.Stderr, "First stage (%s): %s%s\n", order, strings.Join(clean, ", "), more)
	}
	fmt.Fprintf(env.Stderr, "Privileges needed: %s", strings.Join(pf.Privileges, ", "))
	if len(pf.Missing) > 0 {
		fmt.Fprintf(env.Stderr, " (MISSING: %s)", strings.Join(pf.Missing, ", "))
	}
	fmt.Fprintln(env.Stderr)
}

func preflightJSON(p *mass.Plan, pf *mass.Preflight) map[string]any {
	var params map[string]any
	if p.Action.Fields != nil {
		params = ops.RedactFields(p.Action.Fields)
	}
	out := map[string]any{"action": p.Action.String(), "target": p.Label, "total": pf.Total, "online": pf.Online, "offline": pf.Offline,
		"send": pf.Send, "skipped": pf.Skipped, "requests": pf.Requests, "stages": pf.StageSizes, "estimateSeconds": int(pf.Estimate.Seconds()),
		"privileges": pf.Privileges, "missing": pf.Missing, "parameters": params, "firstStage": pf.FirstStage,
		"duplicatesSkipped": pf.Duplicates, "stageOrder": p.Knobs.StageOrder, "seed": p.Knobs.Seed, "canaryGroup": p.Knobs.CanaryGroup,
		"parent": p.Parent}
	if p.Action.ReturnToService != nil {
		out["returnToService"] = p.Action.ReturnToService
	}
	return out
}

// confirmMass asks on a terminal; destructive commands need the count typed.
func confirmMass(env *Env, p *mass.Plan, pf *mass.Preflight, yes bool) error {
	if yes {
		return nil
	}
	pr := newPrompter(env)
	if !pr.tty {
		return usageErrorf("refusing to send without confirmation: pass --yes (no terminal to ask on)")
	}
	want := "y"
	what := p.Action.String()
	if s := paramsText(p.Action); s != "" {
		what += " (" + ops.Clean(s) + ")"
	}
	q := fmt.Sprintf("Send %s to %d devices of %s? Type y", what, pf.Send, ops.Clean(p.Label))
	if p.Action.Destructive() {
		want = strconv.Itoa(pf.Send)
		q = fmt.Sprintf("%s is destructive. Type the number of devices (%d) to send it", what, pf.Send)
	}
	answer, _ := pr.ask(q, "")
	if strings.TrimSpace(answer) != want {
		return errors.New("cancelled: nothing was sent")
	}
	return nil
}

func newMassResumeCmd(ctx context.Context, env *Env, verb string) *cobra.Command {
	var conn connFlags
	var goAhead bool
	var dir string
	c := &cobra.Command{
		Use:   verb + " JOB",
		Short: "Resume an interrupted or held job",
		Long: `Resumes a job from its journal: devices whose send was interrupted are
checked against the server before anything is sent again. A job held
after a stage stops again there (exit status 3) unless --go is given.`,
		Example: `  jamfops mass resume 20261123-170000-a1b2c3
  jamfops mass resume 20261123-170000-a1b2c3 --go
  jamfops jobs                 lists the jobs and their state`,
		Args: rangeArgs(1, 1, "one job (jamfops jobs lists them)"),
		RunE: func(c *cobra.Command, args []string) error {
			return runMassResume(ctx, env, &conn, dir, args[0], goAhead)
		},
	}
	if verb == "start" {
		c.Short = "Start a job saved with 'mass run --save'"
		c.Long = `Starts a job saved with 'jamfops mass run --save'. It stops after each stage
for a go-ahead (exit status 3) unless --go is given or the plan has
--auto-continue.`
		c.Example = `  jamfops mass start 20261123-170000-a1b2c3
  jamfops mass start 20261123-170000-a1b2c3 --go`
	}
	conn.register(c, env)
	c.Flags().BoolVar(&goAhead, "go", false, "continue past a stage the job is held after")
	c.Flags().StringVar(&dir, "jobs-dir", "", "where job journals live")
	c.ValidArgsFunction = completeJobs(env, true)
	return c
}

func runMassResume(ctx context.Context, env *Env, conn *connFlags, dirFlag, job string, goAhead bool) error {
	d, err := jobsDir(dirFlag, env.JobsDir)
	if err != nil {
		return err
	}
	j, plan, st, err := mass.OpenJournal(jobPath(d, job))
	var busy *mass.JobBusyError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no job %s in %s ('jamfops jobs' lists them)", job, d)
	case errors.As(err, &busy):
		return err
	case err != nil:
		return fmt.Errorf("job %s: %w", job, err)
	}
	defer j.Close()
	if st.Ended != "" {
		return fmt.Errorf("job %s already ended: %s", plan.ID, st.Ended)
	}
	if plan.NeedsJSC() {
		rc, err := jscClient(env, conn.profile, "", "")
		if err != nil {
			return err
		}
		if rc == nil {
			return fmt.Errorf("job %s changes JSC risk: set JSC_APP_ID and JSC_APP_SECRET (or use a profile with a JSC application)", plan.ID)
		}
		if strings.TrimSuffix(rc.BaseURL(), "/") != strings.TrimSuffix(plan.Server, "/") {
			return fmt.Errorf("job %s was planned for %s, not %s", plan.ID, ops.Clean(plan.Server), rc.BaseURL())
		}
		return driveJob(ctx, env, clients{jsc: rc}, j, plan, st, goAhead)
	}
	return withClient(ctx, conn, env, func(c *jamf.Client) error {
		if strings.TrimSuffix(c.BaseURL(), "/") != strings.TrimSuffix(plan.Server, "/") {
			return fmt.Errorf("job %s was planned for %s, not %s", plan.ID, ops.Clean(plan.Server), c.BaseURL())
		}
		return driveJob(ctx, env, clients{jamf: c}, j, plan, st, goAhead)
	})
}

// clients are the servers a job talks to: Jamf Pro for commands, blank
// pushes and flushes; JSC for risk changes.
type clients struct {
	jamf *jamf.Client
	jsc  *jsc.Client
}

// driveJob runs a job headless: a line per batch on stderr, a JSON summary
// on stdout, a non-zero exit when anything failed or the job did not end.
func driveJob(ctx context.Context, env *Env, cs clients, j *mass.Journal, p *mass.Plan, st *mass.State, goAhead bool) error {
	path, err := ops.DefaultAuditPath()
	if env.AuditPath != "" {
		path, err = env.AuditPath, nil
	}
	if err != nil {
		return err
	}
	audit, err := ops.OpenAuditLog(path)
	if err != nil {
		return err
	}
	r := mass.NewRunner(cs.jamf, j, audit)
	r.JSC = cs.jsc
	// A headless run never blocks at a hold: --go passes the stage it is
	// held after, and the run returns (exit status 3) at the next one.
	r.HoldReturns = true
	if goAhead && st.Held >= 0 {
		if err := j.RecordGoAhead(st.Held); err != nil {
			return err
		}
		st.Passed[st.Held] = true
		st.Held = -1
	}
	events := make(chan mass.Event, 64)
	r.Events = events
	done := make(chan error, 1)
	var final *mass.State
	go func() {
		var err error
		final, err = r.Run(ctx, p, st)
		close(events)
		done <- err
	}()
	batch := 0
	tty := false
	if f, ok := env.Stderr.(*os.File); ok {
		tty = term.IsTerminal(f.Fd())
	}
	for e := range events {
		switch e.Kind {
		case mass.EvProgress:
			batch++
			if tty {
				// One line redrawn in place: a progress bar.
				// Only final answers count: a cancelled job's bar stops
				// where the sending stopped (as the console's does).
				done := min(e.Sent+e.Failed, max(0, e.Total-e.Skipped))
				total := max(1, e.Total-e.Skipped)
				filled := 30 * done / total
				fmt.Fprintf(env.Stderr, "\r[%s%s] %3d%% sent %d failed %d to send %d · %.2f req/s ",
					strings.Repeat("█", filled), strings.Repeat("░", 30-filled), 100*done/total, e.Sent, e.Failed, e.Pending, e.Rate)
				continue
			}
			fmt.Fprintf(env.Stderr, "batch %d · stage %d/%d · sent %d failed %d to send %d of %d · %.2f req/s\n",
				batch, e.Stage+1, e.Stages, e.Sent, e.Failed, e.Pending, e.Total, e.Rate)
		case mass.EvWaiting, mass.EvHold:
			if tty {
				fmt.Fprintln(env.Stderr)
			}
			fmt.Fprintf(env.Stderr, "waiting: %s\n", safeText(env, e.Note))
		}
	}
	if tty {
		fmt.Fprintln(env.Stderr)
	}
	runErr := <-done
	if final == nil {
		final = st
	}
	c2 := final.Counts()
	status := final.Ended
	switch {
	case errors.Is(runErr, mass.ErrHeld):
		status = fmt.Sprintf("held after stage %d; continue with: jamfops mass resume %s --go", final.Held+1, p.ID)
	case errors.Is(runErr, mass.ErrUnverified):
		status = fmt.Sprintf("%d devices unverified; check them again with: jamfops mass resume %s", final.Unverified(), p.ID)
	case status == "" && ctx.Err() != nil:
		status = "interrupted; continue with: jamfops mass resume " + p.ID
	}
	summary := map[string]any{"job": p.ID, "journal": j.Path(), "state": status, "total": len(p.Targets), "sent": c2[mass.StateSent],
		"failed": c2[mass.StateFailed], "skipped": c2[mass.StateSkipped], "cancelled": c2[mass.StateCancelled],
		"pending": c2[mass.StatePending] + c2[mass.StateUnknown], "unverified": c2[mass.StateUnverified]}
	if err := writeJSON(env.Stdout, summary); err != nil {
		return err
	}
	switch {
	case errors.Is(runErr, mass.ErrUnverified):
		return errors.New(status)
	case runErr != nil && !errors.Is(runErr, mass.ErrHeld):
		return runErr
	case final.Ended == "" && !errors.Is(runErr, mass.ErrHeld) && ctx.Err() != nil:
		// ctrl+c: exit status 130, whatever failed before it.
		fmt.Fprintf(env.Stderr, "Job %s %s\n", p.ID, status)
		return fmt.Errorf("job %s %s: %w", p.ID, status, context.Canceled)
	case c2[mass.StateFailed] > 0:
		return fmt.Errorf("%d devices failed", c2[mass.StateFailed])
	case errors.Is(runErr, mass.ErrHeld):
		return heldError(status)
	case final.Ended != "done":
		return errors.New(status)
	}
	return nil
}

// heldError is a job stopped after a stage for a go-ahead: exit status 3.
type heldError string

func (e heldError) Error() string { return string(e) }
func (e heldError) Unwrap() error { return mass.ErrHeld }
