package mass

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/applog"
	"github.com/jamfops/jamfops/ops"
)

// Target states in a journal.
const (
	StatePending   = ""
	StateSent      = "sent"
	StateFailed    = "failed"
	StateSkipped   = "skipped"
	StateCancelled = "cancelled"
	StateUnknown   = "unknown" // an intent with no result: verify before resending
	// StateUnverified is final for a run: the target's fate could not be
	// established (the verification read failed, or the action leaves no
	// trace to check, as a blank push or a flush: see Action.Verifiable).
	// A job with unverified targets is not done; resuming it verifies
	// commands again (blank pushes and flushes stay unverified).
	StateUnverified = "unverified"
)

// record is one journal line after the plan.
type record struct {
	T     string    `json:"t"` // intent, result, hold, go, end
	At    time.Time `json:"at"`
	Batch int       `json:"b,omitempty"`
	IDs   []int     `json:"ids,omitempty"` // target indexes
	// Outcomes are per target in IDs order: sent, failed, cancelled.
	Outcomes []string `json:"outcomes,omitempty"`
	Reasons  []string `json:"reasons,omitempty"`
	Stage    int      `json:"stage,omitempty"`
	State    string   `json:"state,omitempty"`
	// Server is the server's time when an intent was written (from its
	// Date header), so that verification never depends on the local clock.
	Server time.Time `json:"srv,omitzero"`
	// Req are, per target in IDs order, what the server answered for it
	// (a command's UUID, a JSC request ID; "" when unknown).
	Req []string `json:"req,omitempty"`
}

// Journal is a job's file: the frozen plan on the first line, then one
// record per event, each synced to disk before the runner goes on. An open
// Journal holds the job's OS lock: one runner per job, across processes.
type Journal struct {
	path string
	log  *applog.File
	lock *jobLock
	// beforeWrite, when set (tests), runs before each record is written;
	// an error stops the write as a crash would.
	beforeWrite func(r record, line []byte) error
}

// JobsDir is where job journals live (the user data directory).
func JobsDir() (string, error) {
	p, err := ops.DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(p, "jobs"), nil
}

// CreateJournal writes a new job's plan (mode 0600) and returns its journal,
// holding the job's lock until Close.
func CreateJournal(dir string, p *Plan) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if p.Parent != "" {
		// One follow-up of a job at a time: two would send to the same
		// devices. The parent's lock makes the check and the creation one
		// step across processes.
		release, err := claimFollowUp(dir, p.Parent)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	path := filepath.Join(dir, p.ID+".jsonl")
	lock, err := lockJob(path, p.ID)
	if err != nil {
		return nil, err
	}
	f, err := applog.Open(path, os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("creating the job journal: %w", err)
	}
	line, err := json.Marshal(p)
	if err == nil {
		err = f.Append(line)
	}
	if err != nil {
		f.Close()
		lock.release()
		return nil, err
	}
	return &Journal{path: path, log: f, lock: lock}, nil
}

// OpenJournal reopens a job for resuming: it takes the job's lock (or
// returns *JobBusyError when another runner holds it), cuts a torn last
// record, and returns the plan and the state its records imply.
func OpenJournal(path string) (*Journal, *Plan, *State, error) {
	id := strings.TrimSuffix(filepath.Base(path), ".jsonl")
	if _, err := os.Stat(path); err != nil {
		return nil, nil, nil, err
	}
	lock, err := lockJob(path, id)
	if err != nil {
		return nil, nil, nil, err
	}
	p, st, err := ReadJournal(path)
	if err != nil {
		lock.release()
		return nil, nil, nil, err
	}
	f, err := applog.Open(path, 0, 0o600)
	if err != nil {
		lock.release()
		return nil, nil, nil, err
	}
	return &Journal{path: path, log: f, lock: lock}, p, st, nil
}

// Path returns the journal's file name.
func (j *Journal) Path() string { return j.path }

// Close closes the file and releases the job's lock.
func (j *Journal) Close() error {
	err := j.log.Close()
	if lerr := j.lock.release(); err == nil {
		err = lerr
	}
	return err
}

func (j *Journal) write(r record) error {
	if r.At.IsZero() {
		r.At = time.Now().UTC()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if j.beforeWrite != nil {
		if err := j.beforeWrite(r, line); err != nil {
			return fmt.Errorf("job journal: %w", err)
		}
	}
	if err := j.log.Append(line); err != nil {
		return fmt.Errorf("job journal: %w", err)
	}
	return nil
}

// State is what a journal says about each target.
type State struct {
	Targets []string // per target: StatePending, StateSent, …
	Reasons []string
	// Held is the stage the job waits after for a go-ahead (-1 when none).
	Held int
	// Passed lists stages the admin let the job continue after.
	Passed map[int]bool
	Ended  string // done, cancelled, stopped: … ("" while running)
	Batch  int    // the highest batch number used
	// Anchor is, per target, the server's time when its last intent was
	// written (zero when the journal did not record it).
	Anchor []time.Time
	// Batches, Times and RequestIDs are, per target, the batch that last
	// carried it, when its outcome was recorded and what the server
	// answered for it (for exports).
	Batches    []int
	Times      []time.Time
	RequestIDs []string
}

// Unverified counts targets whose fate could not be established.
func (s *State) Unverified() int { return s.Counts()[StateUnverified] }

// Counts tallies target states.
func (s *State) Counts() map[string]int {
	out := map[string]int{}
	for _, t := range s.Targets {
		out[t]++
	}
	return out
}

// ReadJournal parses a journal. A torn last line (a crash mid-write) is
// ignored: a record exists once its newline is on disk. A batch whose
// intent is on disk and whose result is not is left unknown, which resume
// verifies.
func ReadJournal(path string) (*Plan, *State, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var p *Plan
	var st *State
	_, err = applog.Scan(bytes.NewReader(data), func(line []byte) error {
		if p == nil {
			p = new(Plan)
			if err := json.Unmarshal(line, p); err != nil {
				return fmt.Errorf("job journal %s: unreadable plan: %w", path, err)
			}
			st = newState(p)
			return nil
		}
		var r record
		if json.Unmarshal(line, &r) == nil {
			st.apply(r)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if p == nil {
		return nil, nil, errors.New("empty job journal")
	}
	return p, st, nil
}

func newState(p *Plan) *State {
	st := &State{Targets: make([]string, len(p.Targets)), Reasons: make([]string, len(p.Targets)), Held: -1, Passed: map[int]bool{},
		Anchor: make([]time.Time, len(p.Targets)), Batches: make([]int, len(p.Targets)), Times: make([]time.Time, len(p.Targets)),
		RequestIDs: make([]string, len(p.Targets))}
	for i, t := range p.Targets {
		if t.Skip != "" {
			st.Targets[i], st.Reasons[i] = StateSkipped, t.Skip
		}
	}
	return st
}

// apply folds one record into the state.
func (st *State) apply(r record) {
	st.Batch = max(st.Batch, r.Batch)
	switch r.T {
	case "intent":
		for _, i := range r.IDs {
			if i >= 0 && i < len(st.Targets) && st.Targets[i] == StatePending {
				st.Targets[i] = StateUnknown
				st.Anchor[i] = r.Server
			}
		}
	case "result":
		for k, i := range r.IDs {
			if i < 0 || i >= len(st.Targets) || k >= len(r.Outcomes) {
				continue
			}
			st.Targets[i] = r.Outcomes[k]
			if k < len(r.Reasons) {
				st.Reasons[i] = r.Reasons[k]
			}
			if len(st.Times) == len(st.Targets) {
				st.Times[i] = r.At
				if r.Batch != 0 {
					st.Batches[i] = r.Batch
				}
				if k < len(r.Req) && r.Req[k] != "" {
					st.RequestIDs[i] = r.Req[k]
				}
			}
		}
	case "hold":
		st.Held = r.Stage
	case "go":
		st.Passed[r.Stage] = true
		if st.Held == r.Stage {
			st.Held = -1
		}
	case "end":
		st.Ended = r.State
	}
}

// JobInfo summarises a journal for listings.
type JobInfo struct {
	Path  string
	Plan  *Plan
	State *State
	// Status is the end state, or "running (pid N)", "held after stage
	// N", "unverified (N devices)" or "interrupted".
	Status string
	// Running is true while a runner (in any process) holds the job;
	// RunningPID is its pid (0 when not running or unknown). Only jobs
	// nobody holds are unfinished business for the user.
	Running    bool
	RunningPID int
}

// Unfinished reports whether the job waits for the user: not ended and
// held by no runner.
func (j JobInfo) Unfinished() bool { return j.State.Ended == "" && !j.Running }

// ListJobs reads every journal in dir, newest first.
func ListJobs(dir string) ([]JobInfo, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []JobInfo
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".jsonl") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		p, st, err := ReadJournal(path)
		if err != nil {
			continue
		}
		info := JobInfo{Path: path, Plan: p, State: st}
		info.Running, info.RunningPID = holder(path)
		info.Status = st.Ended
		switch {
		case info.Status != "":
		case info.Running && info.RunningPID > 0:
			info.Status = fmt.Sprintf("running (pid %d)", info.RunningPID)
		case info.Running:
			info.Status = "running"
		case st.Held >= 0:
			info.Status = fmt.Sprintf("held after stage %d", st.Held+1)
		case st.Unverified() > 0:
			info.Status = fmt.Sprintf("unverified (%d devices)", st.Unverified())
		default:
			info.Status = "interrupted"
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Plan.Created.After(out[j].Plan.Created) })
	return out, nil
}

// Prune deletes finished journals older than age; it returns how many.
// A job a runner holds is left alone.
func Prune(dir string, age time.Duration, now time.Time) (int, error) {
	jobs, err := ListJobs(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		if j.State.Ended != "" && now.Sub(j.Plan.Created) > age {
			if err := Discard(dir, j.Plan.ID); err == nil {
				n++
			}
		}
	}
	return n, nil
}

// Discard deletes a job (its journal and lock file) so that it is no
// longer listed or resumable. It refuses with *JobBusyError a job that a
// runner holds, and returns an error matching os.ErrNotExist for an
// unknown job. The audit log keeps what the job did.
func Discard(dir, id string) error {
	if id == "" || strings.ContainsAny(id, `/\`) || id == "." || id == ".." {
		return fmt.Errorf("job %q: not a job ID", id)
	}
	path := filepath.Join(dir, id+".jsonl")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("job %s: %w", id, err)
	}
	lock, err := lockJob(path, id)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil {
		lock.release()
		return fmt.Errorf("discarding job %s: %w", id, err)
	}
	// Remove the lock file while holding it: a runner that opened it
	// meanwhile finds, once it gets the lock, that the path names another
	// file (or none) and the journal is gone.
	_ = os.Remove(lockPath(path))
	return lock.release()
}

// RecordGoAhead notes that the admin let a held job continue past stage.
func (j *Journal) RecordGoAhead(stage int) error { return j.write(record{T: "go", Stage: stage}) }
