package flock

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Not parallel: a test forking a child process meanwhile would share the
// open file until the child execs, and closing alone would not release
// the lock yet (which is why every lock holder here unlocks before it
// closes).
func TestTwoOpensInOneProcessExcludeEachOther(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	a, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.OpenFile(path, os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := TryLock(a); err != nil {
		t.Fatal(err)
	}
	if err := TryLock(b); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if err := a.Close(); err != nil { // closing releases the lock
		t.Fatal(err)
	}
	if err := TryLock(b); err != nil {
		t.Fatalf("after the holder closed: %v", err)
	}
	if err := Unlock(b); err != nil {
		t.Fatal(err)
	}
}

// TestHelperHolder holds the lock named in its environment until killed.
func TestHelperHolder(t *testing.T) {
	path := os.Getenv("FLOCK_HELPER_PATH")
	if path == "" {
		t.Skip("helper process for TestLockDiesWithItsProcess")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil || Lock(f) != nil {
		os.Exit(3)
	}
	os.Stdout.WriteString("locked\n")
	select {}
}

func TestLockDiesWithItsProcess(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHolder$")
	cmd.Env = append(os.Environ(), "FLOCK_HELPER_PATH="+path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("child: %q %v", line, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := TryLock(f); !errors.Is(err, ErrLocked) {
		t.Fatalf("while the child holds it: %v", err)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if err := TryLock(f); err != nil {
		t.Fatalf("after the child died: %v", err)
	}
}
