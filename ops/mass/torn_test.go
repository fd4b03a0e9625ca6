package mass

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// errCrash stands for the process dying at a journal write.
var errCrash = errors.New("simulated crash")

// TestTornJournalLineThenCrashAndResume: a crash mid-write left half a
// record; the resumed run sends a batch and dies before recording its
// result; the next resume must find the batch's intent (not merged into
// the torn line) and verify it instead of sending it again.
func TestTornJournalLineThenCrashAndResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)[:30]
	a, _ := ParseAction("RESTART_DEVICE")
	k := fast()
	k.BatchSize, k.Concurrency = 5, 1
	p, _, err := Build(context.Background(), e.c, Request{Action: a, Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := CreateJournal(e.dir, p)
	j.Close()
	f, _ := os.OpenFile(j.Path(), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"t":"result","at":"2026-11-23T09:00:00Z","b":7,"ids":[0,1`)
	f.Close()

	j, p, st, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	j.beforeWrite = func(r record, _ []byte) error {
		if r.T == "result" {
			return errCrash
		}
		return nil
	}
	if _, err := NewRunner(e.c, j, e.audit).Run(context.Background(), p, st); !errors.Is(err, errCrash) {
		t.Fatalf("first run: %v", err)
	}
	j.Close()
	if n := len(e.srv.Log().Commands()); n != 5 {
		t.Fatalf("%d commands before the crash, want one batch of 5", n)
	}

	j, p, st, err = OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if n := st.Counts()[StateUnknown]; n != 5 {
		t.Fatalf("%d targets unknown after the crash, want the 5 of the batch", n)
	}
	final, err := NewRunner(e.c, j, e.audit).Run(context.Background(), p, st)
	j.Close()
	if err != nil || final.Ended != "done" {
		t.Fatalf("resume: %v, ended %q", err, final.Ended)
	}
	for _, d := range devs {
		if n := e.srv.Log().CommandCount(d.ManagementID, "RESTART_DEVICE"); n != 1 {
			t.Fatalf("device %s got the restart %d times", d.ID, n)
		}
	}
}
