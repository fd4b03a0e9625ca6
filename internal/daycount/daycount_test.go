package daycount

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

var noon = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func TestCountsAddUpAcrossOpensAndRollOverAtMidnight(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "budget.json")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Open(path)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(2)
		go func() { defer wg.Done(); a.Add(1, 0, noon) }()
		go func() { defer wg.Done(); b.Add(1, 0, noon) }()
	}
	wg.Wait()
	if used, err := a.Used(noon); err != nil || used != 100 {
		t.Fatalf("used = %d, %v; want 100", used, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if used, ok, _ := a.Add(5, 102, noon); ok || used != 100 {
		t.Fatalf("past the limit: used %d ok %v", used, ok)
	}
	if used, _ := a.Raise(250, noon); used != 250 {
		t.Fatalf("raise to the server's count: %d", used)
	}
	if used, _ := a.Raise(10, noon); used != 250 {
		t.Fatalf("raise lowered the count: %d", used)
	}
	if used, _ := a.Used(noon.Add(12 * time.Hour)); used != 0 {
		t.Fatalf("next day starts at %d", used)
	}
	if err := os.WriteFile(path, []byte(`{"day":"2026-11-`), 0o600); err != nil {
		t.Fatal(err)
	}
	if used, ok, err := a.Add(1, 0, noon); err != nil || !ok || used != 1 {
		t.Fatalf("after a damaged file: %d %v %v", used, ok, err)
	}
}

// TestTwoProcessesShareTheCount runs real child processes that each add to
// one file; the totals must add up.
func TestTwoProcessesShareTheCount(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "budget.json")
	const perChild, children = 200, 3
	var cmds []*exec.Cmd
	for range children {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAdder$")
		cmd.Env = append(os.Environ(), "DAYCOUNT_HELPER_PATH="+path, "DAYCOUNT_HELPER_N="+strconv.Itoa(perChild))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := Open(path)
	if used, err := c.Used(noon); err != nil || used != perChild*children {
		t.Fatalf("used = %d, %v; want %d", used, err, perChild*children)
	}
}

// TestHelperAdder adds to the counter named in its environment.
func TestHelperAdder(t *testing.T) {
	path := os.Getenv("DAYCOUNT_HELPER_PATH")
	if path == "" {
		t.Skip("helper process only")
	}
	n, _ := strconv.Atoi(os.Getenv("DAYCOUNT_HELPER_N"))
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		if _, _, err := c.Add(1, 0, noon); err != nil {
			t.Fatal(err)
		}
	}
}
