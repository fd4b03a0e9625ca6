package ops

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/jamfops/jamfops/internal/applog"
	"github.com/jamfops/jamfops/internal/flock"
)

// AuditTarget is one device a write acted on, with its outcome.
type AuditTarget struct {
	Device  string `json:"device"`           // kind/ID ("computer/573", "mobile/12", "jsc/<id>")
	Name    string `json:"name,omitempty"`   // display name, when known
	Outcome string `json:"outcome"`          // ok, failed, unknown, unverified, skipped
	Detail  string `json:"detail,omitempty"` // error text or what changed
	// Kind (computer, mobile, jsc), ID and Serial name the device so that
	// people can find an action by what they read on the device.
	Kind   string `json:"kind,omitempty"`
	ID     string `json:"id,omitempty"`
	Serial string `json:"serial,omitempty"`
	// Before and After are the risk levels around a risk change.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// AuditEntry is one write jamfops made.
type AuditEntry struct {
	Time       time.Time `json:"time"`
	Server     string    `json:"server"`     // profile name or URL
	Credential string    `json:"credential"` // API client ID or username, never a secret
	Action     string    `json:"action"`     // e.g. "flush pending", "blank push", "risk reset"
	Reason     string    `json:"reason,omitempty"`
	// Params are the action's parameters (a command's fields, a flush's
	// status, a job's ID), as sent.
	Params     map[string]any `json:"params,omitempty"`
	Targets    []AuditTarget  `json:"targets"`
	RequestIDs []string       `json:"requestIds,omitempty"`
}

// Failed counts targets whose outcome was not ok.
func (e AuditEntry) Failed() int {
	n := 0
	for _, t := range e.Targets {
		if t.Outcome != "ok" {
			n++
		}
	}
	return n
}

// AuditLog appends writes to a JSON-lines file readable only by its owner.
// Each entry is synced to disk before Append returns, so a crash never
// loses a write that happened.
type AuditLog struct {
	path string
	mu   sync.Mutex
}

// DefaultAuditPath is jamfops's audit log in the user data directory
// ($XDG_DATA_HOME/jamfops or ~/.local/share/jamfops; on macOS
// ~/Library/Application Support/jamfops).
func DefaultAuditPath() (string, error) {
	dir, err := DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "audit.jsonl"), nil
}

// DataDir returns jamfops's per-user data directory.
func DataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "jamfops"), nil
	}
	if cfg, err := os.UserConfigDir(); err == nil && filepath.Base(cfg) == "Application Support" {
		return filepath.Join(cfg, "jamfops"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for the audit log: %w", err)
	}
	return filepath.Join(home, ".local", "share", "jamfops"), nil
}

// OpenAuditLog returns a log at path, creating its directory (mode 0700).
func OpenAuditLog(path string) (*AuditLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return &AuditLog{path: path}, nil
}

// Path returns the log's file name.
func (l *AuditLog) Path() string { return l.path }

// Append writes e (stamping the time if unset) as one whole line and syncs
// it to disk. It holds an OS lock on the file while it cuts a torn last
// line (a crash mid-append) and writes, so that the entry never merges with
// a torn one and two jamfops processes never cut each other's lines.
func (l *AuditLog) Append(e AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.append(line); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

func (l *AuditLog) append(line []byte) error {
	lf, err := os.OpenFile(l.path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := flock.Lock(lf); err != nil {
		return err
	}
	// Unlock explicitly rather than by closing: a child process forked
	// meanwhile shares the open file, and would keep the lock until it
	// execs.
	defer flock.Unlock(lf)
	f, err := applog.Open(l.path, os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.OS().Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Append(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Read returns every entry, newest first. Lines that do not parse, and a
// torn last line (a crash mid-append), are skipped and counted.
func (l *AuditLog) Read() ([]AuditEntry, int, error) {
	f, err := os.Open(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	return readAudit(f)
}

func readAudit(r io.Reader) ([]AuditEntry, int, error) {
	var out []AuditEntry
	bad := 0
	torn, err := applog.Scan(r, func(line []byte) error {
		if len(line) == 0 {
			return nil
		}
		var e AuditEntry
		if json.Unmarshal(line, &e) != nil {
			bad++
			return nil
		}
		out = append(out, e)
		return nil
	})
	if torn {
		bad++
	}
	slices.Reverse(out)
	if err != nil {
		return out, bad, fmt.Errorf("audit log: %w", err)
	}
	return out, bad, nil
}
