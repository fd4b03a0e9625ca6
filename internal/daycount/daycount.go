// Package daycount keeps a count of requests per UTC day in a small file
// that every process of one user shares: each change happens under an
// exclusive OS lock on the file, so two jamfops processes spending the same
// API budget add up instead of each believing it has the whole day to
// itself.
package daycount

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/jamfops/jamfops/internal/flock"
)

// Counter is one shared per-day count, stored at Path.
type Counter struct {
	path string
}

// record is the file's content.
type record struct {
	// Day is the UTC day the count belongs to (YYYY-MM-DD).
	Day string `json:"day"`
	// Used is how many requests were counted that day.
	Used int `json:"used"`
}

// Open returns the counter stored at path, creating its directory (0700).
// The file itself is created on first use, mode 0600.
func Open(path string) (*Counter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return &Counter{path: path}, nil
}

// Path is the counter's file.
func (c *Counter) Path() string { return c.path }

// Add counts n more requests on now's UTC day if that keeps the day's total
// within limit, and returns the total after the call. With limit <= 0 there
// is no ceiling. When the request would pass the limit nothing is counted
// and ok is false.
func (c *Counter) Add(n, limit int, now time.Time) (used int, ok bool, err error) {
	err = c.update(now, func(r *record) bool {
		if limit > 0 && r.Used+n > limit {
			return false
		}
		r.Used += n
		return true
	}, &used, &ok)
	return used, ok, err
}

// Raise lifts the day's count to at least used (what a server reports it
// has counted), never lowering it, and returns the total after the call.
func (c *Counter) Raise(used int, now time.Time) (int, error) {
	var total int
	var changed bool
	err := c.update(now, func(r *record) bool {
		if used > r.Used {
			r.Used = used
			return true
		}
		return false
	}, &total, &changed)
	return total, err
}

// Used returns the day's count without changing it.
func (c *Counter) Used(now time.Time) (int, error) {
	var total int
	var changed bool
	err := c.update(now, func(*record) bool { return false }, &total, &changed)
	return total, err
}

// update reads the record under the lock, rolls it to now's day, lets
// change edit it, and writes it back when change says so.
func (c *Counter) update(now time.Time, change func(*record) bool, total *int, changed *bool) error {
	f, err := os.OpenFile(c.path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := flock.Lock(f); err != nil {
		return fmt.Errorf("lock %s: %w", c.path, err)
	}
	defer flock.Unlock(f)
	var r record
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &r); err != nil {
			// A damaged count (a crash mid-write on a file system without
			// atomic small writes) starts the day again rather than
			// blocking every request; the server's own 429 still holds.
			r = record{}
		}
	}
	day := now.UTC().Format(time.DateOnly)
	rolled := false
	if r.Day != day {
		r, rolled = record{Day: day}, true
	}
	*changed = change(&r)
	*total = r.Used
	if !*changed && !rolled {
		return nil
	}
	out, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(out, 0); err != nil {
		return err
	}
	if err := f.Truncate(int64(len(out))); err != nil {
		return err
	}
	return f.Sync()
}
