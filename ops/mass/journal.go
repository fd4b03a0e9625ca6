package mass

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

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
}

// Journal is a job's file: the frozen plan on the first line, then one
// record per event, each synced to disk before the runner goes on.
type Journal struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

// JobsDir is where job journals live (the user data directory).
func JobsDir() (string, error) {
	p, err := ops.DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(p, "jobs"), nil
}

// CreateJournal writes a new job's plan (mode 0600) and returns its journal.
func CreateJournal(dir string, p *Plan) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, p.ID+".jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the job journal: %w", err)
	}
	line, err := json.Marshal(p)
	if err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return &Journal{path: path, f: f}, nil
}

// OpenJournal reopens a job for resuming: it returns the plan and the state
// its records imply.
func OpenJournal(path string) (*Journal, *Plan, *State, error) {
	p, st, err := ReadJournal(path)
	if err != nil {
		return nil, nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, nil, err
	}
	return &Journal{path: path, f: f}, p, st, nil
}

// Path returns the journal's file name.
func (j *Journal) Path() string { return j.path }

// Close closes the file.
func (j *Journal) Close() error { return j.f.Close() }

func (j *Journal) write(r record) error {
	if r.At.IsZero() {
		r.At = time.Now().UTC()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("job journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
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
}

// Counts tallies target states.
func (s *State) Counts() map[string]int {
	out := map[string]int{}
	for _, t := range s.Targets {
		out[t]++
	}
	return out
}

// ReadJournal parses a journal. A torn last line (a crash mid-write) is
// ignored: its batch has an intent without a result, which resume verifies.
func ReadJournal(path string) (*Plan, *State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	if !sc.Scan() {
		return nil, nil, errors.New("empty job journal")
	}
	var p Plan
	if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
		return nil, nil, fmt.Errorf("job journal %s: unreadable plan: %w", path, err)
	}
	st := &State{Targets: make([]string, len(p.Targets)), Reasons: make([]string, len(p.Targets)), Held: -1, Passed: map[int]bool{}}
	for i, t := range p.Targets {
		if t.Skip != "" {
			st.Targets[i], st.Reasons[i] = StateSkipped, t.Skip
		}
	}
	for sc.Scan() {
		var r record
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		st.Batch = max(st.Batch, r.Batch)
		switch r.T {
		case "intent":
			for _, i := range r.IDs {
				if i >= 0 && i < len(st.Targets) && st.Targets[i] == StatePending {
					st.Targets[i] = StateUnknown
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
	return &p, st, sc.Err()
}

// JobInfo summarises a journal for listings.
type JobInfo struct {
	Path   string
	Plan   *Plan
	State  *State
	Status string
}

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
		status := st.Ended
		switch {
		case status != "":
		case st.Held >= 0:
			status = fmt.Sprintf("held after stage %d", st.Held+1)
		default:
			status = "interrupted"
		}
		out = append(out, JobInfo{Path: path, Plan: p, State: st, Status: status})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Plan.Created.After(out[j].Plan.Created) })
	return out, nil
}

// Prune deletes finished journals older than age; it returns how many.
func Prune(dir string, age time.Duration, now time.Time) (int, error) {
	jobs, err := ListJobs(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		if j.State.Ended != "" && now.Sub(j.Plan.Created) > age {
			if err := os.Remove(j.Path); err == nil {
				n++
			}
		}
	}
	return n, nil
}

// RecordGoAhead notes that the admin let a held job continue past stage.
func (j *Journal) RecordGoAhead(stage int) error { return j.write(record{T: "go", Stage: stage}) }
