package mass

import (
	"strings"
	"sync"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// TestOneFollowUpAtATime: two follow-ups of the same job, planned at once
// (two `mass retry` processes, or F in two consoles), would both send to
// the same devices: only the first journal is created; the second is
// refused while the first has not ended, and allowed once it has.
func TestOneFollowUpAtATime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plan := func(id, parent string) *Plan {
		return &Plan{ID: id, Created: t0, Server: "test", Label: "x", Action: Action{Kind: KindCommand, CommandType: "RESTART_DEVICE"},
			Knobs: fast(), Targets: []Target{{Device: ops.Device{ID: "1", Name: "a", ManagementID: "m1", Kind: jamf.PlatformComputer}}}, Stages: 1, Parent: parent}
	}
	parent, err := CreateJournal(dir, plan("20261129-030000-aaaaaa", ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.write(record{T: "end", State: "done"}); err != nil {
		t.Fatal(err)
	}
	parent.Close()
	// Two at once: exactly one wins.
	var wg sync.WaitGroup
	results := make([]error, 2)
	journals := make([]*Journal, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			journals[i], results[i] = CreateJournal(dir, plan("20261129-030100-bbbbb"+string(rune('0'+i)), "20261129-030000-aaaaaa"))
		}()
	}
	wg.Wait()
	var won *Journal
	refused := 0
	for i, err := range results {
		switch {
		case err == nil:
			won = journals[i]
		case strings.Contains(err.Error(), "follow"):
			refused++
		default:
			t.Fatalf("follow-up %d: %v", i, err)
		}
	}
	if won == nil || refused != 1 {
		t.Fatalf("two follow-ups at once: %v", results)
	}
	// While the first is unfinished (saved, held or interrupted): refused.
	won.Close()
	if _, err := CreateJournal(dir, plan("20261129-030200-cccccc", "20261129-030000-aaaaaa")); err == nil || !strings.Contains(err.Error(), "follow") {
		t.Fatalf("a follow-up beside an unfinished one: %v", err)
	}
	// Once it ended, a later follow-up is allowed.
	j, _, _, err := OpenJournal(won.Path())
	if err != nil {
		t.Fatal(err)
	}
	_ = j.write(record{T: "end", State: "done"})
	j.Close()
	later, err := CreateJournal(dir, plan("20261129-030300-dddddd", "20261129-030000-aaaaaa"))
	if err != nil {
		t.Fatalf("a follow-up after the first ended: %v", err)
	}
	later.Close()
}
