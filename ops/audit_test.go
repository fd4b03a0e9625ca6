package ops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAuditLogAppendRead(t *testing.T) {
	t.Parallel()
	log, err := OpenAuditLog(filepath.Join(t.TempDir(), "data", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if entries, _, err := log.Read(); err != nil || len(entries) != 0 {
		t.Fatalf("empty log: %v, %v", entries, err)
	}
	for _, action := range []string{"flush failed", "blank push"} {
		if err := log.Append(AuditEntry{Server: "demo", Credential: "client-id", Action: action,
			Targets: []AuditTarget{{Device: "computer/1", Outcome: "ok"}, {Device: "computer/2", Outcome: "failed", Detail: "HTTP 500"}}}); err != nil {
			t.Fatal(err)
		}
	}
	fi, _ := os.Stat(log.Path())
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	// A crash mid-write leaves a torn last line; it is skipped, not fatal.
	f, _ := os.OpenFile(log.Path(), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-11-23T10:00:00Z","action":"flu`)
	f.Close()
	entries, bad, err := log.Read()
	if err != nil || bad != 1 || len(entries) != 2 {
		t.Fatalf("read: %d entries, %d bad, %v", len(entries), bad, err)
	}
	if entries[0].Action != "blank push" || entries[0].Time.IsZero() || entries[0].Failed() != 1 {
		t.Fatalf("newest entry = %+v", entries[0])
	}
	data, _ := os.ReadFile(log.Path())
	if strings.Count(string(data), "\n") != 2 {
		t.Fatal("entries are not one per line")
	}
}

// TestAuditTornLineThenAppend: a crash mid-append leaves half an entry; the
// next entries must not merge with it.
func TestAuditTornLineThenAppend(t *testing.T) {
	t.Parallel()
	log, _ := OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err := log.Append(AuditEntry{Server: "demo", Action: "first", Targets: []AuditTarget{{Device: "computer/1", Outcome: "ok"}}}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(log.Path(), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-11-23T10:00:00Z","action":"torn`)
	f.Close()
	for _, a := range []string{"second", "third"} {
		if err := log.Append(AuditEntry{Server: "demo", Action: a, Targets: []AuditTarget{{Device: "computer/2", Outcome: "ok"}}}); err != nil {
			t.Fatal(err)
		}
	}
	entries, bad, err := log.Read()
	if err != nil || bad != 0 || len(entries) != 3 || entries[0].Action != "third" || entries[1].Action != "second" || entries[2].Action != "first" {
		t.Fatalf("read: %d entries (%+v), %d bad, %v", len(entries), entries, bad, err)
	}
}
