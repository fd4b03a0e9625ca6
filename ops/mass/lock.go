package mass

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/flock"
)

// JobBusyError reports that another runner holds a job: another process
// (or another open of the journal in this one) is sending it right now.
type JobBusyError struct {
	ID string
	// PID is the holder's process ID (0 when it could not be read).
	PID int
}

// Error implements error.
func (e *JobBusyError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("job %s is running (pid %d)", e.ID, e.PID)
	}
	return fmt.Sprintf("job %s is running in another process", e.ID)
}

// lockPath is the job's lock file beside its journal: it holds the OS lock
// and, while held, the holder's pid.
func lockPath(journal string) string { return strings.TrimSuffix(journal, ".jsonl") + ".lock" }

// jobLock is an exclusive, non-blocking OS lock on one job, released by
// the OS if the process dies.
type jobLock struct{ f *os.File }

// lockJob takes the job's lock or returns *JobBusyError. A reader that
// probes the lock (ListJobs) holds it for an instant, so a refusal is only
// final after a few tries.
func lockJob(journal, id string) (*jobLock, error) {
	path := lockPath(journal)
	var busy error
	for try := 0; try < 5; try++ {
		if try > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return nil, fmt.Errorf("locking job %s: %w", id, err)
		}
		err = flock.TryLock(f)
		if errors.Is(err, flock.ErrLocked) {
			busy = &JobBusyError{ID: id, PID: readPID(f)}
			f.Close()
			continue
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking job %s: %w", id, err)
		}
		// A discard may have removed the file between open and lock: the
		// lock only counts on the file the path names now.
		if fi, err1 := f.Stat(); err1 != nil || !sameFile(fi, path) {
			_ = flock.Unlock(f)
			f.Close()
			continue
		}
		if err := f.Truncate(0); err == nil {
			_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())), 0)
		}
		return &jobLock{f: f}, nil
	}
	if busy == nil {
		busy = &JobBusyError{ID: id}
	}
	return nil, busy
}

func sameFile(fi os.FileInfo, path string) bool {
	cur, err := os.Stat(path)
	return err == nil && os.SameFile(fi, cur)
}

func readPID(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	return pid
}

// release clears the pid and lets the lock go.
func (l *jobLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	_ = flock.Unlock(l.f)
	err := l.f.Close()
	l.f = nil
	return err
}

// holder reports whether a runner holds the job, and its pid (0 when not
// held or unknown).
func holder(journal string) (bool, int) {
	f, err := os.OpenFile(lockPath(journal), os.O_RDWR, 0)
	if err != nil {
		return false, 0
	}
	defer f.Close()
	switch err := flock.TryLock(f); {
	case err == nil:
		_ = flock.Unlock(f)
		return false, 0
	case errors.Is(err, flock.ErrLocked):
		return true, readPID(f)
	}
	return false, 0
}
