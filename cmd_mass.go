package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/jamfops/jamfops/jamf"
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
}

func (f *massFlags) register(fs *flag.FlagSet) {
	f.conn.register(fs)
	f.knobs = mass.DefaultKnobs()
	fs.StringVar(&f.group, "group", "", "target a group's members (ID or name)")
	fs.StringVar(&f.kind, "kind", "", "computer or mobile, for --group IDs and inventory IDs in --devices")
	fs.StringVar(&f.devicesFile, "devices", "", "target the devices listed in a file (serials or inventory IDs, one a line)")
	fs.StringVar(&f.command, "command", "", "blank-push, flush-pending, flush-failed, flush-both, or a command type: "+strings.Join(mass.BulkCommands(), ", "))
	fs.IntVar(&f.knobs.BatchSize, "batch", f.knobs.BatchSize, "devices per request")
	fs.Float64Var(&f.knobs.Rate, "rate", f.knobs.Rate, "ceiling of requests per second (the runner starts at 1 and climbs while the server keeps up)")
	fs.IntVar(&f.knobs.Concurrency, "concurrency", f.knobs.Concurrency, "most requests at once (≤ 5)")
	fs.DurationVar(&f.knobs.Pause, "pause", f.knobs.Pause, "wait between batches")
	fs.StringVar(&f.window, "window", "", "send only between local times, e.g. 17:00-07:00")
	fs.IntVar(&f.knobs.SkipOfflineDays, "skip-offline-days", f.knobs.SkipOfflineDays, "skip devices not seen for this many days (0: never)")
	fs.IntVar(&f.knobs.SkipPendingAtLeast, "skip-pending", 0, "skip devices with this many pending commands already (0: never)")
	fs.Float64Var(&f.knobs.MaxFailureRate, "max-failure", f.knobs.MaxFailureRate, "stop when this share of sends fails")
	fs.IntVar(&f.knobs.BacklogLimit, "backlog-limit", 0, "pause while the targets hold more pending commands than this (0: off)")
	fs.StringVar(&f.stages, "stages", "1%,10%,100%", "rollout stages, cumulative shares or counts, e.g. 25,10%,100%")
	fs.BoolVar(&f.autoCont, "auto-continue", false, "go on to the next stage without a go-ahead when a stage stays healthy")
	fs.DurationVar(&f.knobs.StageWait, "stage-wait", f.knobs.StageWait, "how long to watch a stage's outcome")
	fs.BoolVar(&f.knobs.StageUntilResolved, "stage-until-resolved", false, "end a stage's watch once all its commands have answered (stage-wait is then the longest)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "show the preflight and send nothing")
	fs.BoolVar(&f.save, "save", false, "save the plan to start later with 'jamfops mass start JOB'")
	fs.BoolVar(&f.yes, "yes", false, "do not ask for confirmation")
	fs.StringVar(&f.jobsDir, "jobs-dir", "", "where job journals live (default in the user data directory)")
}

func parseStages(s string) ([]mass.Stage, error) {
	var out []mass.Stage
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if v, ok := strings.CutSuffix(part, "%"); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 || f > 100 {
				return nil, fmt.Errorf("stage %q: a share must be between 0%% and 100%%", part)
			}
			out = append(out, mass.Stage{Share: f / 100})
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("stage %q: use a share (10%%) or a count (25)", part)
		}
		out = append(out, mass.Stage{Count: n})
	}
	return out, nil
}

func jobsDir(dirs ...string) (string, error) {
	for _, d := range dirs {
		if d != "" {
			return d, nil
		}
	}
	return mass.JobsDir()
}

// runMass dispatches mass run, start and resume.
func runMass(ctx context.Context, args []string, env *cliEnv) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: usage: jamfops mass run|start JOB|resume JOB", errUsage)
	}
	switch args[0] {
	case "run":
		return runMassRun(ctx, args[1:], env)
	case "start", "resume":
		return runMassResume(ctx, args[1:], env)
	}
	return fmt.Errorf("%w: unknown mass command %q (run, start, resume)", errUsage, args[0])
}

func runMassRun(ctx context.Context, args []string, env *cliEnv) error {
	fs := flag.NewFlagSet("mass run", flag.ContinueOnError)
	var f massFlags
	f.register(fs)
	if rest, err := parseInterleaved(fs, args, env); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected %q", errUsage, rest[0])
	}
	action, err := mass.ParseAction(f.command)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if (f.group == "") == (f.devicesFile == "") {
		return fmt.Errorf("%w: give --group or --devices", errUsage)
	}
	if f.knobs.Stages, err = parseStages(f.stages); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if f.window != "" {
		start, end, ok := strings.Cut(f.window, "-")
		if !ok {
			return fmt.Errorf("%w: --window wants HH:MM-HH:MM", errUsage)
		}
		f.knobs.WindowStart, f.knobs.WindowEnd = strings.TrimSpace(start), strings.TrimSpace(end)
	}
	f.knobs.AutoContinue = f.autoCont
	if err := f.knobs.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return withClient(ctx, &f.conn, env, func(c *jamf.Client) error {
		devices, label, err := massTargets(ctx, c, &f)
		if err != nil {
			return err
		}
		plan, pf, err := mass.Build(ctx, c, mass.Request{Server: c.BaseURL(), Label: label, Action: action, Knobs: f.knobs, Devices: devices})
		if err != nil {
			return err
		}
		printPreflight(env, plan, pf)
		if f.dryRun {
			return writeJSON(env.stdout, preflightJSON(plan, pf))
		}
		if len(pf.Missing) > 0 {
			return fmt.Errorf("the credential lacks %s; nothing was sent", quoteNames(pf.Missing))
		}
		if pf.Send == 0 {
			return errors.New("every target is skipped; nothing to send")
		}
		if err := confirmMass(env, plan, pf, f.yes); err != nil {
			return err
		}
		dir, err := jobsDir(f.jobsDir, env.jobsDir)
		if err != nil {
			return err
		}
		j, err := mass.CreateJournal(dir, plan)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "Job %s (journal %s)\n", plan.ID, j.Path())
		if f.save {
			j.Close()
			fmt.Fprintf(env.stdout, "Saved. Start it with: jamfops mass start %s\n", plan.ID)
			return nil
		}
		_, st, err := mass.ReadJournal(j.Path())
		if err != nil {
			return err
		}
		return driveJob(ctx, env, c, j, plan, st, false)
	})
}

// massTargets resolves --group or --devices.
func massTargets(ctx context.Context, c *jamf.Client, f *massFlags) ([]ops.Device, string, error) {
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
	file, err := os.Open(f.devicesFile)
	if err != nil {
		return nil, "", err
	}
	defer file.Close()
	fleet, err := ops.JamfFleet(ctx, c)
	if err != nil {
		return nil, "", err
	}
	if kind == "" {
		kind = jamf.PlatformComputer
	}
	bySerial, byID := map[string]ops.Device{}, map[string]ops.Device{}
	for _, d := range fleet {
		bySerial[strings.ToUpper(d.Serial)] = d
		if d.Kind == kind {
			byID[d.ID] = d
		}
	}
	var out []ops.Device
	var missing []string
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		ref := strings.TrimSpace(strings.Split(sc.Text(), ",")[0])
		if ref == "" || strings.HasPrefix(ref, "#") {
			continue
		}
		if d, ok := bySerial[strings.ToUpper(ref)]; ok {
			out = append(out, d)
		} else if d, ok := byID[ref]; ok {
			out = append(out, d)
		} else {
			missing = append(missing, ref)
		}
	}
	if len(missing) > 0 {
		return nil, "", fmt.Errorf("%d lines of %s match no device (first: %q); fix the file and try again", len(missing), f.devicesFile, missing[0])
	}
	return out, "devices from " + filepath.Base(f.devicesFile), sc.Err()
}

func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, " and ")
}

func printPreflight(env *cliEnv, p *mass.Plan, pf *mass.Preflight) {
	fmt.Fprintf(env.stderr, "%s to %s: %d devices (%d online, %d offline); %d to send, %d skipped\n",
		p.Action, ops.Clean(p.Label), pf.Total, pf.Online, pf.Offline, pf.Send, pf.Total-pf.Send)
	for why, n := range pf.Skipped {
		fmt.Fprintf(env.stderr, "  skipped %d: %s\n", n, why)
	}
	fmt.Fprintf(env.stderr, "%d requests of up to %d devices, stages %v, at most %.1f requests/s and %d at once: about %s\n",
		pf.Requests, p.Knobs.BatchSize, pf.StageSizes, p.Knobs.Rate, p.Knobs.Concurrency, pf.Estimate.Round(time.Second))
	fmt.Fprintf(env.stderr, "Privileges needed: %s", strings.Join(pf.Privileges, ", "))
	if len(pf.Missing) > 0 {
		fmt.Fprintf(env.stderr, " (MISSING: %s)", strings.Join(pf.Missing, ", "))
	}
	fmt.Fprintln(env.stderr)
}

func preflightJSON(p *mass.Plan, pf *mass.Preflight) map[string]any {
	return map[string]any{"action": p.Action.String(), "target": p.Label, "total": pf.Total, "online": pf.Online, "offline": pf.Offline,
		"send": pf.Send, "skipped": pf.Skipped, "requests": pf.Requests, "stages": pf.StageSizes, "estimateSeconds": int(pf.Estimate.Seconds()),
		"privileges": pf.Privileges, "missing": pf.Missing}
}

// confirmMass asks on a terminal; destructive commands need the count typed.
func confirmMass(env *cliEnv, p *mass.Plan, pf *mass.Preflight, yes bool) error {
	if yes {
		return nil
	}
	pr := newPrompter(env)
	if !pr.tty {
		return fmt.Errorf("%w: refusing to send without confirmation: pass --yes (no terminal to ask on)", errUsage)
	}
	want := "y"
	q := fmt.Sprintf("Send %s to %d devices of %s? Type y", p.Action, pf.Send, p.Label)
	if p.Action.Destructive() {
		want = strconv.Itoa(pf.Send)
		q = fmt.Sprintf("%s is destructive. Type the number of devices (%d) to send it", p.Action, pf.Send)
	}
	answer, _ := pr.ask(q, "")
	if strings.TrimSpace(answer) != want {
		return errors.New("cancelled: nothing was sent")
	}
	return nil
}

func runMassResume(ctx context.Context, args []string, env *cliEnv) error {
	fs := flag.NewFlagSet("mass resume", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	goAhead := fs.Bool("go", false, "continue past a stage the job is held after")
	dir := fs.String("jobs-dir", "", "where job journals live")
	rest, err := parseInterleaved(fs, args, env)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: name one job (jamfops jobs lists them)", errUsage)
	}
	d, err := jobsDir(*dir, env.jobsDir)
	if err != nil {
		return err
	}
	path := rest[0]
	if !strings.HasSuffix(path, ".jsonl") {
		path = filepath.Join(d, rest[0]+".jsonl")
	}
	j, plan, st, err := mass.OpenJournal(path)
	if err != nil {
		return fmt.Errorf("job %s: %w", rest[0], err)
	}
	defer j.Close()
	if st.Ended != "" {
		return fmt.Errorf("job %s already ended: %s", plan.ID, st.Ended)
	}
	return withClient(ctx, &conn, env, func(c *jamf.Client) error {
		if plan.Action.Kind == mass.KindRisk {
			return fmt.Errorf("job %s changes JSC risk: resume it from the console (:jobs, R)", plan.ID)
		}
		if strings.TrimSuffix(c.BaseURL(), "/") != strings.TrimSuffix(plan.Server, "/") {
			return fmt.Errorf("job %s was planned for %s, not %s", plan.ID, plan.Server, c.BaseURL())
		}
		return driveJob(ctx, env, c, j, plan, st, *goAhead)
	})
}

// driveJob runs a job headless: a line per batch on stderr, a JSON summary
// on stdout, a non-zero exit when anything failed or the job did not end.
func driveJob(ctx context.Context, env *cliEnv, c *jamf.Client, j *mass.Journal, p *mass.Plan, st *mass.State, goAhead bool) error {
	path, err := ops.DefaultAuditPath()
	if env.auditPath != "" {
		path, err = env.auditPath, nil
	}
	if err != nil {
		return err
	}
	audit, err := ops.OpenAuditLog(path)
	if err != nil {
		return err
	}
	r := mass.NewRunner(c, j, audit)
	r.HoldReturns = !goAhead
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
	if f, ok := env.stderr.(*os.File); ok {
		tty = term.IsTerminal(f.Fd())
	}
	for e := range events {
		switch e.Kind {
		case mass.EvProgress:
			batch++
			if tty {
				// One line redrawn in place: a progress bar.
				done := e.Sent + e.Failed + e.Cancelled
				total := max(1, e.Total-e.Skipped)
				filled := 30 * done / total
				fmt.Fprintf(env.stderr, "\r[%s%s] %3d%% sent %d failed %d pending %d · %.2f req/s ",
					strings.Repeat("█", filled), strings.Repeat("░", 30-filled), 100*done/total, e.Sent, e.Failed, e.Pending, e.Rate)
				continue
			}
			fmt.Fprintf(env.stderr, "batch %d · stage %d/%d · sent %d failed %d pending %d of %d · %.2f req/s\n",
				batch, e.Stage+1, e.Stages, e.Sent, e.Failed, e.Pending, e.Total, e.Rate)
		case mass.EvWaiting, mass.EvHold:
			if tty {
				fmt.Fprintln(env.stderr)
			}
			fmt.Fprintf(env.stderr, "waiting: %s\n", e.Note)
		}
	}
	if tty {
		fmt.Fprintln(env.stderr)
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
	case status == "" && ctx.Err() != nil:
		status = "interrupted; continue with: jamfops mass resume " + p.ID
	}
	summary := map[string]any{"job": p.ID, "journal": j.Path(), "state": status, "total": len(p.Targets), "sent": c2[mass.StateSent],
		"failed": c2[mass.StateFailed], "skipped": c2[mass.StateSkipped], "cancelled": c2[mass.StateCancelled],
		"pending": c2[mass.StatePending] + c2[mass.StateUnknown]}
	if err := writeJSON(env.stdout, summary); err != nil {
		return err
	}
	switch {
	case runErr != nil && !errors.Is(runErr, mass.ErrHeld):
		return runErr
	case c2[mass.StateFailed] > 0:
		return fmt.Errorf("%d devices failed", c2[mass.StateFailed])
	case final.Ended != "done":
		return errors.New(status)
	}
	return nil
}

// runJobs lists job journals, exports one, or prunes old ones.
func runJobs(args []string, env *cliEnv) error {
	fs := flag.NewFlagSet("jobs", flag.ContinueOnError)
	dirFlag := fs.String("jobs-dir", "", "where job journals live")
	prune := fs.Duration("prune", 0, "delete finished jobs older than this (e.g. 720h)")
	rest, err := parseInterleaved(fs, args, env)
	if err != nil {
		return err
	}
	dir, err := jobsDir(*dirFlag, env.jobsDir)
	if err != nil {
		return err
	}
	if len(rest) >= 2 && rest[0] == "export" {
		return exportJob(env, dir, rest[1], len(rest) > 2 && rest[2] == "csv")
	}
	if *prune > 0 {
		n, err := mass.Prune(dir, *prune, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "Pruned %d finished jobs older than %s.\n", n, *prune)
	}
	jobs, err := mass.ListJobs(dir)
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		fmt.Fprintln(env.stdout, "No jobs yet ('jamfops mass run --dry-run …' shows what one would do).")
		return nil
	}
	t := newTable(env.stdout, "JOB", "CREATED", "ACTION", "TARGET", "SENT", "FAILED", "SKIPPED", "LEFT", "STATE")
	for _, jb := range jobs {
		c := jb.State.Counts()
		t.row(jb.Plan.ID, jb.Plan.Created.Format("2006-01-02 15:04"), jb.Plan.Action.String(), jb.Plan.Label, strconv.Itoa(c[mass.StateSent]),
			strconv.Itoa(c[mass.StateFailed]), strconv.Itoa(c[mass.StateSkipped]), strconv.Itoa(c[mass.StatePending]+c[mass.StateUnknown]), jb.Status)
	}
	return t.flush()
}

// exportJob writes a job's per-device results as JSON or CSV.
func exportJob(env *cliEnv, dir, id string, asCSV bool) error {
	p, st, err := mass.ReadJournal(filepath.Join(dir, id+".jsonl"))
	if err != nil {
		return err
	}
	type row struct {
		ID, Name, Serial, ManagementID, State, Reason string
	}
	rows := make([]row, len(p.Targets))
	for i, t := range p.Targets {
		s := st.Targets[i]
		if s == mass.StatePending {
			s = "pending"
		}
		rows[i] = row{t.Device.ID, t.Device.Name, t.Device.Serial, t.Device.ManagementID, s, st.Reasons[i]}
	}
	if !asCSV {
		return writeJSON(env.stdout, rows)
	}
	w := csv.NewWriter(env.stdout)
	_ = w.Write([]string{"id", "name", "serial", "managementId", "state", "reason"})
	for _, r := range rows {
		_ = w.Write([]string{r.ID, ops.Clean(r.Name), r.Serial, r.ManagementID, r.State, r.Reason})
	}
	w.Flush()
	return w.Error()
}
