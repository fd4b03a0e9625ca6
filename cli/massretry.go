package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

func newMassRetryCmd(ctx context.Context, env *Env) *cobra.Command {
	var conn connFlags
	var o mass.FollowUpOptions
	var dryRun, yes, save bool
	var dir string
	c := &cobra.Command{
		Use:   "retry JOB [--failed] [--unanswered]",
		Short: "Follow up a finished job: send its command again to the devices that failed or never answered",
		Long: `Plans a new job, linked to JOB, for the devices whose command failed
(--failed) or never got an answer (--unanswered: still pending after the
watch, gone from the queue unanswered, or never sent because the job was
cancelled); both when neither is given. The devices' command lists are
read first, and devices that still hold the command pending are skipped
(it would only queue a duplicate). The new job keeps JOB's command,
parameters and knobs; it is confirmed and run like 'mass run'.`,
		Example: `  jamfops mass retry 20261123-170000-a1b2c3 --dry-run
  jamfops mass retry 20261123-170000-a1b2c3 --failed --yes
  jamfops mass retry 20261123-170000-a1b2c3 --unanswered --save`,
		Args: rangeArgs(1, 1, "one finished job (jamfops jobs lists them)"),
		RunE: func(c *cobra.Command, args []string) error {
			return runMassRetry(ctx, env, &conn, dir, args[0], o, dryRun, yes, save)
		},
	}
	conn.register(c, env)
	fl := c.Flags()
	fl.BoolVar(&o.Failed, "failed", false, "devices whose command failed")
	fl.BoolVar(&o.Unanswered, "unanswered", false, "devices whose command never got an answer")
	fl.BoolVar(&dryRun, "dry-run", false, "show the follow-up's preflight and send nothing")
	fl.BoolVar(&yes, "yes", false, "do not ask for confirmation")
	fl.BoolVar(&save, "save", false, "save the follow-up to start later with 'jamfops mass start JOB'")
	fl.StringVar(&dir, "jobs-dir", "", "where job journals live")
	c.ValidArgsFunction = completeJobs(env, false)
	return c
}

func runMassRetry(ctx context.Context, env *Env, conn *connFlags, dirFlag, job string, o mass.FollowUpOptions, dryRun, yes, save bool) error {
	d, err := jobsDir(dirFlag, env.JobsDir)
	if err != nil {
		return err
	}
	p, st, err := mass.ReadJournal(jobPath(d, job))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no job %s in %s ('jamfops jobs' lists them)", job, d)
	case err != nil:
		return fmt.Errorf("job %s: %w", job, err)
	case p.Action.Kind != mass.KindCommand:
		return usageErrorf("job %s sent %s: only command jobs can be followed up (it leaves no answer to check)", p.ID, p.Action)
	case st.Ended == "":
		// Running in another process: exit 1, as for resume.
		j, _, _, err := mass.OpenJournal(jobPath(d, job))
		var busy *mass.JobBusyError
		if errors.As(err, &busy) {
			return fmt.Errorf("%w: follow it up once it has ended", busy)
		}
		if err == nil {
			j.Close()
		}
		return usageErrorf("job %s has not ended: resume it first (jamfops mass resume %s)", p.ID, p.ID)
	}
	return withClient(ctx, conn, env, func(c *jamf.Client) error {
		if strings.TrimSuffix(c.BaseURL(), "/") != strings.TrimSuffix(p.Server, "/") {
			return fmt.Errorf("job %s was planned for %s, not %s", p.ID, ops.Clean(p.Server), c.BaseURL())
		}
		f, err := mass.FindFollowUp(ctx, c, p, st, o)
		if err != nil {
			return err
		}
		req, err := mass.FollowUpRequest(p, f, o, time.Now())
		if errors.Is(err, mass.ErrNothingToFollowUp) {
			fmt.Fprintf(env.Stderr, "Nothing to follow up: %v.\n", err)
			return writeJSON(env.Stdout, map[string]any{"job": p.ID, "failed": 0, "unanswered": 0, "gone": f.Gone, "send": 0})
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "Job %s: %d failed, %d unanswered.\n", p.ID, f.Failed, f.Unanswered)
		if f.Gone > 0 {
			fmt.Fprintf(env.Stderr, "Left out %d devices no longer in Jamf Pro (deleted since the job).\n", f.Gone)
		}
		plan, pf, err := mass.Build(ctx, c, req)
		if errors.Is(err, mass.ErrUsage) {
			return usageErrorf("%v", err)
		}
		if err != nil {
			return err
		}
		printPreflight(env, plan, pf)
		if dryRun {
			out := preflightJSON(plan, pf)
			out["failed"], out["unanswered"], out["gone"] = f.Failed, f.Unanswered, f.Gone
			var targets []map[string]string
			for _, t := range plan.Targets {
				targets = append(targets, map[string]string{"id": t.Device.ID, "name": t.Device.Name, "why": f.Why[t.Device.ID], "skip": t.Skip})
			}
			out["targets"] = targets
			return writeJSON(env.Stdout, out)
		}
		if len(pf.Missing) > 0 {
			return fmt.Errorf("the credential lacks %s; nothing was sent", quoteNames(pf.Missing))
		}
		if pf.Send == 0 {
			return errors.New("every device to follow up is skipped (most likely still holding the command pending); nothing to send")
		}
		if err := confirmMass(env, plan, pf, yes); err != nil {
			return err
		}
		j, err := mass.CreateJournal(d, plan)
		if err != nil {
			return err
		}
		defer j.Close()
		fmt.Fprintf(env.Stderr, "Job %s, following up %s (journal %s)\n", plan.ID, p.ID, j.Path())
		if save {
			fmt.Fprintf(env.Stdout, "Saved. Start it with: jamfops mass start %s\n", plan.ID)
			return nil
		}
		_, st2, err := mass.ReadJournal(j.Path())
		if err != nil {
			return err
		}
		return driveJob(ctx, env, clients{jamf: c}, j, plan, st2, false)
	})
}
