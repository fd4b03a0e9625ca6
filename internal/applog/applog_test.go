package applog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func lines(t *testing.T, path string) ([]string, bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	torn, err := Scan(f, func(l []byte) error { out = append(out, string(l)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out, torn
}

func TestOpenCutsATornTailSoTheNextRecordStandsAlone(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log.jsonl")
	if err := os.WriteFile(path, []byte("{\"a\":1}\n{\"b\":2}\n{\"c\":"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, torn := lines(t, path); len(got) != 2 || !torn {
		t.Fatalf("before: %q torn=%v", got, torn)
	}
	l, err := Open(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]byte(`{"d":4}`)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	got, torn := lines(t, path)
	if strings.Join(got, "|") != `{"a":1}|{"b":2}|{"d":4}` || torn {
		t.Fatalf("after: %q torn=%v", got, torn)
	}
}

func TestTornFirstLineAndNoNewlineAtAll(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log.jsonl")
	os.WriteFile(path, []byte(`{"half`), 0o600)
	l, err := Open(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	l.Append([]byte(`{"x":1}`))
	l.Close()
	if got, _ := lines(t, path); len(got) != 1 || got[0] != `{"x":1}` {
		t.Fatalf("got %q", got)
	}
}

func TestLongTornTailIsCutWhole(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log.jsonl")
	long := bytes.Repeat([]byte("x"), 200<<10) // longer than one read chunk
	os.WriteFile(path, append([]byte("first\n"), long...), 0o600)
	l, err := Open(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	l.Append([]byte("second"))
	l.Close()
	if got, torn := lines(t, path); strings.Join(got, "|") != "first|second" || torn {
		t.Fatalf("got %d lines, torn=%v", len(got), torn)
	}
}

// TestFullDiskMidRecord makes one write put half a record on disk and fail
// with ENOSPC, as a full disk does: the half record is cut back at once, the
// next append in the same process and the next open both start clean.
func TestFullDiskMidRecord(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log.jsonl")
	l, err := Open(path, os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	l.write = func(b []byte, off int64) (int, error) {
		n, _ := l.f.WriteAt(b[:len(b)/2], off)
		return n, &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
	}
	if err := l.Append([]byte(`{"n":2,"pad":"xxxxxxxxxxxxxxxx"}`)); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("append on a full disk: %v", err)
	}
	l.write = l.f.WriteAt // space is back
	if err := l.Append([]byte(`{"n":3}`)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if got, torn := lines(t, path); strings.Join(got, "|") != `{"n":1}|{"n":3}` || torn {
		t.Fatalf("same process: %q torn=%v", got, torn)
	}

	// A process killed between a partial write and its cut-back leaves a
	// torn tail: the next open recovers.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"n":4,"pa`)
	f.Close()
	l, err = Open(path, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]byte(`{"n":5}`)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if got, torn := lines(t, path); strings.Join(got, "|") != `{"n":1}|{"n":3}|{"n":5}` || torn {
		t.Fatalf("after reopen: %q torn=%v", got, torn)
	}
}

func TestRecordWithNewlineRefused(t *testing.T) {
	t.Parallel()
	l, err := Open(filepath.Join(t.TempDir(), "log"), os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Append([]byte("a\nb")); err == nil {
		t.Fatal("a record with a newline was written")
	}
}
