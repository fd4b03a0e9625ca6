package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/ops/mass"
)

func newJobsCmd(env *Env) *cobra.Command {
	var dir string
	var prune time.Duration
	c := &cobra.Command{
		Use:   "jobs",
		Short: "List mass-action jobs, export one's results, or prune old ones",
		Example: `  jamfops jobs
  jamfops jobs --prune 720h
  jamfops jobs export 20261123-170000-a1b2c3 csv > results.csv`,
		RunE: func(c *cobra.Command, args []string) error {
			if prune < 0 {
				return usageErrorf("--prune must not be negative, got %s", prune)
			}
			return listJobs(env, dir, prune)
		},
	}
	c.PersistentFlags().StringVar(&dir, "jobs-dir", "", "where job journals live")
	c.Flags().DurationVar(&prune, "prune", 0, "delete finished jobs older than this (e.g. 720h)")
	export := &cobra.Command{
		Use:   "export JOB [json|csv]",
		Short: "Print a job's per-device results as JSON (default) or CSV",
		Example: `  jamfops jobs export 20261123-170000-a1b2c3
  jamfops jobs export 20261123-170000-a1b2c3 csv > results.csv`,
		Args: func(c *cobra.Command, args []string) error {
			if err := rangeArgs(1, 2, "a job and optionally a format, json or csv")(c, args); err != nil {
				return err
			}
			if len(args) == 2 && args[1] != "json" && args[1] != "csv" {
				return usageErrorf("unknown export format %q (json or csv)", args[1])
			}
			return nil
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 1 {
				return []cobra.Completion{"json", "csv"}, cobra.ShellCompDirectiveNoFileComp
			}
			return completeJobs(env, false)(c, args, toComplete)
		},
		RunE: func(c *cobra.Command, args []string) error {
			d, err := jobsDir(dir, env.JobsDir)
			if err != nil {
				return err
			}
			return exportJob(env, d, args[0], len(args) == 2 && args[1] == "csv")
		},
	}
	var yes bool
	discard := &cobra.Command{
		Use:   "discard JOB",
		Short: "Delete an unfinished job's journal without sending anything more",
		Long: `Deletes a job's journal (and its lock file) so it is no longer offered for
resuming. Nothing is sent. A job another jamfops process is running is
refused. Without the journal jamfops can no longer tell which devices the
job already reached, so a new job for the same devices may send them the
command again: type the job ID to confirm (or pass --yes in a script).`,
		Example: `  jamfops jobs discard 20261123-170000-a1b2c3
  jamfops jobs discard 20261123-170000-a1b2c3 --yes`,
		Args:              rangeArgs(1, 1, "one job (jamfops jobs lists them)"),
		ValidArgsFunction: completeJobs(env, false),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := jobsDir(dir, env.JobsDir)
			if err != nil {
				return err
			}
			return discardJob(env, d, args[0], yes)
		},
	}
	discard.Flags().BoolVar(&yes, "yes", false, "do not ask (for scripts)")
	c.AddCommand(export, discard)
	return c
}

// discardJob removes an unfinished job after the ID is typed back.
func discardJob(env *Env, dir, id string, yes bool) error {
	if strings.ContainsAny(id, `/\`) || strings.HasSuffix(id, ".jsonl") {
		return usageErrorf("name the job by its ID (jamfops jobs lists them)")
	}
	_, st, err := mass.ReadJournal(jobPath(dir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no job %s in %s ('jamfops jobs' lists them)", id, dir)
	}
	if err != nil {
		return fmt.Errorf("job %s: %w", id, err)
	}
	if !yes {
		pr := newPrompter(env)
		if !pr.tty {
			return usageErrorf("refusing to discard without confirmation: pass --yes (no terminal to ask on)")
		}
		what := "unfinished"
		if st.Ended != "" {
			what = "finished (" + st.Ended + ")"
		}
		answer, _ := pr.ask(fmt.Sprintf("Discard %s job %s? Type its ID", what, id), "")
		if strings.TrimSpace(answer) != id {
			return errors.New("cancelled: the job was kept")
		}
	}
	if err := mass.Discard(dir, id); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Discarded job %s: its journal is deleted; nothing was sent.\n", id)
	return nil
}

// listJobs lists job journals, after pruning old finished ones.
func listJobs(env *Env, dirFlag string, prune time.Duration) error {
	dir, err := jobsDir(dirFlag, env.JobsDir)
	if err != nil {
		return err
	}
	if prune > 0 {
		n, err := mass.Prune(dir, prune, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "Pruned %d finished jobs older than %s.\n", n, prune)
	}
	jobs, err := mass.ListJobs(dir)
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		fmt.Fprintln(env.Stdout, "No jobs yet ('jamfops mass run --dry-run …' shows what one would do).")
		return nil
	}
	t := newTable(env.Stdout, "JOB", "CREATED", "SERVER", "ACTION", "TARGET", "SENT", "FAILED", "SKIPPED", "LEFT", "STATE")
	for _, jb := range jobs {
		c := jb.State.Counts()
		t.row(jb.Plan.ID, jb.Plan.Created.Format("2006-01-02 15:04"), serverName(jb.Plan.Server), jb.Plan.Action.String(), jb.Plan.Label, strconv.Itoa(c[mass.StateSent]),
			strconv.Itoa(c[mass.StateFailed]), strconv.Itoa(c[mass.StateSkipped]), strconv.Itoa(c[mass.StatePending]+c[mass.StateUnknown]+c[mass.StateUnverified]), jb.Status)
	}
	return t.flush()
}

// serverName shortens a job's server URL to its host for the jobs table.
func serverName(server string) string {
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		return u.Host
	}
	return server
}

// jobPath is a job's journal: a path ending in .jsonl as given, else the
// job ID's journal in dir.
func jobPath(dir, job string) string {
	if strings.HasSuffix(job, ".jsonl") {
		return job
	}
	return filepath.Join(dir, job+".jsonl")
}

// exportJob writes a job's per-device results as JSON or CSV. A CSV is a
// file a human opens: every cell is cleaned of terminal controls. JSON
// keeps the data and escapes them.
func exportJob(env *Env, dir, id string, asCSV bool) error {
	p, st, err := mass.ReadJournal(jobPath(dir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no job %s in %s ('jamfops jobs' lists them)", id, dir)
	}
	if err != nil {
		return err
	}
	rows := mass.Results(p, st)
	if !asCSV {
		return writeJSON(env.Stdout, rows)
	}
	return mass.WriteResultsCSV(env.Stdout, rows)
}
