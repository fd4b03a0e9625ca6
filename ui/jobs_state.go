package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// liveJob is a mass action running in this session. Only the root's Update
// changes it (on jobEventMsg); screens read it.
type liveJob struct {
	plan    *mass.Plan
	journal *mass.Journal
	runner  *mass.Runner
	events  chan mass.Event
	last    mass.Event
	notes   []string
	began   time.Time
	paused  bool
	ended   bool
	// cancelling is set when the admin confirmed a cancel, until the end.
	cancelling bool
	// active is the time spent sending (holds, watches, waits and pauses
	// excluded); sendingSince is when the current sending spell began
	// (zero while not sending); doneAtStart is what was done before it.
	active       time.Duration
	sendingSince time.Time
	doneInRun    int
}

// jobEventMsg carries one runner event to the root.
type jobEventMsg struct {
	id    string
	ev    mass.Event
	close bool
}

// jobStartedMsg registers a started job with the root.
type jobStartedMsg struct {
	id  string
	job *liveJob
	err error
}

// waitJob delivers the job's next event; the root re-arms it until the end.
func waitJob(id string, ch <-chan mass.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		return jobEventMsg{id: id, ev: ev, close: !ok}
	}
}

// startJob creates the journal and starts the runner.
func startJob(ctx context.Context, c *common, p *mass.Plan) tea.Cmd {
	deps := c.deps
	return func() tea.Msg {
		dir := deps.JobsDir
		if dir == "" {
			var err error
			if dir, err = mass.JobsDir(); err != nil {
				return jobStartedMsg{err: err}
			}
		}
		j, err := mass.CreateJournal(dir, p)
		if err != nil {
			return jobStartedMsg{id: p.ID, err: err}
		}
		_, st, err := mass.ReadJournal(j.Path())
		if err != nil {
			return jobStartedMsg{id: p.ID, err: err}
		}
		return jobStartedMsg{id: p.ID, job: launch(ctx, deps, j, p, st)}
	}
}

// launch runs a job's runner in the background; its events end when the
// run does.
func launch(ctx context.Context, deps Deps, j *mass.Journal, p *mass.Plan, st *mass.State) *liveJob {
	r := mass.NewRunner(deps.Jamf, j, deps.Audit)
	r.JSC = deps.JSC
	ch := make(chan mass.Event, 64)
	r.Events = ch
	job := &liveJob{plan: p, journal: j, runner: r, events: ch, began: time.Now()}
	go func() {
		_, _ = r.Run(ctx, p, st)
		j.Close()
		close(ch)
	}()
	return job
}

// resumeJob reopens an interrupted or held job from its journal.
func resumeJob(ctx context.Context, c *common, id, path string) tea.Cmd {
	deps := c.deps
	return func() tea.Msg {
		msg := resumeFrom(ctx, deps, path)
		msg.id = id
		return msg
	}
}

// resumeFrom opens a journal and launches its runner.
func resumeFrom(ctx context.Context, deps Deps, path string) jobStartedMsg {
	j, p, st, err := mass.OpenJournal(path)
	if err != nil {
		return jobStartedMsg{err: err}
	}
	if st.Ended != "" {
		j.Close()
		return jobStartedMsg{err: fmt.Errorf("job %s already ended: %s", p.ID, st.Ended)}
	}
	if err := notHere(deps, p); err != nil {
		j.Close()
		return jobStartedMsg{err: err}
	}
	return jobStartedMsg{job: launch(ctx, deps, j, p, st)}
}

// notHere says why a job cannot run on this console's server, or nil.
func notHere(deps Deps, p *mass.Plan) error {
	server := deps.jamfServer()
	if p.Action.Kind == mass.KindRisk {
		if deps.JSC == nil {
			return fmt.Errorf("job %s changes JSC risk, and JSC is not configured", p.ID)
		}
		server = deps.jscServer()
	}
	if strings.TrimSuffix(p.Server, "/") != strings.TrimSuffix(server, "/") {
		return fmt.Errorf("job %s was planned for %s, not this server (%s)", p.ID, ops.Clean(p.Server), server)
	}
	return nil
}

// unfinishedJobs tells the user, at start, of jobs a crash or a hold left.
func unfinishedJobs(dir string) tea.Cmd {
	return func() tea.Msg {
		if dir == "" {
			var err error
			if dir, err = mass.JobsDir(); err != nil {
				return nil
			}
		}
		jobs, err := mass.ListJobs(dir)
		if err != nil {
			return nil
		}
		n := 0
		for _, j := range jobs {
			if j.Unfinished() { // not ended, and no process is running it
				n++
			}
		}
		if n == 0 {
			return nil
		}
		return statusMsg{text: fmt.Sprintf("%d mass-action job(s) did not finish (interrupted or held): :jobs, then R to resume.", n)}
	}
}

// applyJobEvent updates a job from an event and says whether to keep listening.
func (j *liveJob) apply(ev mass.Event, closed bool) bool {
	if closed {
		j.ended = true
		return false
	}
	now := time.Now()
	switch {
	case ev.Kind == mass.EvProgress && !j.paused:
		if !j.sendingSince.IsZero() {
			j.active += now.Sub(j.sendingSince)
		}
		j.sendingSince = now
		if done := ev.Sent + ev.Failed; done > j.last.Sent+j.last.Failed {
			j.doneInRun += done - (j.last.Sent + j.last.Failed)
		}
	default:
		j.sendingSince = time.Time{} // a hold, a watch or a wait: the clock stops
	}
	j.last = ev
	switch ev.Kind {
	case mass.EvWaiting, mass.EvHold, mass.EvDone:
		if ev.Note != "" && (len(j.notes) == 0 || j.notes[len(j.notes)-1] != ev.Note) {
			j.notes = append(j.notes, time.Now().Format("15:04:05")+" "+ev.Note)
			if len(j.notes) > 50 {
				j.notes = j.notes[len(j.notes)-50:]
			}
		}
	}
	if ev.Kind == mass.EvDone {
		j.ended = true
	}
	return true
}

// eta estimates the sending time left from the pace of the sending so
// far: time held for a go-ahead, watching a stage, outside the window or
// paused is not counted, and neither are the waits still to come.
func (j *liveJob) eta() time.Duration {
	if j.doneInRun == 0 || j.last.Pending == 0 || j.active <= 0 {
		return 0
	}
	per := j.active / time.Duration(j.doneInRun)
	return per * time.Duration(j.last.Pending)
}

// etaText says how long sending has left, or why there is no estimate
// now: held, watching, waiting, paused, cancelling or ended.
func (j *liveJob) etaText() string {
	e := j.last
	switch {
	case j.ended:
		return "ended"
	case j.cancelling:
		return "cancelling"
	case j.paused:
		return "paused"
	case e.Kind == mass.EvHold:
		return "held, waiting for go-ahead"
	case e.Kind == mass.EvWaiting:
		return "not sending: " + ops.Clean(e.Note)
	}
	if d := j.eta(); d > 0 {
		return "sending ETA " + d.Round(time.Second).String()
	}
	return "sending ETA —"
}

// serverHost shortens a job's server URL to its host for the jobs list.
func serverHost(server string) string {
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		return u.Host
	}
	return ops.Clean(server)
}

// exportResults writes a job's results next to its journal as
// ID-results.json and ID-results.csv (mass.Results' one schema) and
// returns the path without extension.
func exportResults(dir, id string, rows []mass.ResultRow) (string, error) {
	base := filepath.Join(dir, id+"-results")
	data, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return "", err
	}
	// Bidi overrides and C1 controls as \uXXXX, like every JSON output.
	if err := os.WriteFile(base+".json", ops.EscapeJSON(data), 0o600); err != nil {
		return "", err
	}
	f, err := os.OpenFile(base+".csv", os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	if err := mass.WriteResultsCSV(f, rows); err != nil {
		f.Close()
		return "", err
	}
	return base, f.Close()
}
