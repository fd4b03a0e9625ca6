package mass

import (
	"context"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestFollowUpOfACancelledJobWithAFastClock: the laptop's clock is ten
// minutes ahead of the server's. A job was cancelled after its first
// batch; its follow-up reached the devices it never sent to, and they
// acknowledged. Following up the job again must see those commands (dated
// by the server, before the job's local creation time) and not target the
// devices a second time.
func TestFollowUpOfACancelledJobWithAFastClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)[:5]
	var ts []Target
	for _, d := range devs {
		ts = append(ts, Target{Device: d})
	}
	parent := &Plan{ID: "20261129-021000-abcabc", Created: t0.Add(10 * time.Minute), Server: "test", Label: "old", Platform: "computer",
		Action: Action{Kind: KindCommand, CommandType: "DEVICE_INFORMATION"}, Knobs: fast(), Targets: ts, Stages: 1}
	j, err := CreateJournal(e.dir, parent)
	if err != nil {
		t.Fatal(err)
	}
	// The first device was sent to (the server dated the intent t0), the
	// others were never reached.
	_ = j.write(record{T: "intent", Batch: 1, IDs: []int{0}, Server: t0})
	_ = j.write(record{T: "result", Batch: 1, IDs: []int{0}, Outcomes: []string{StateFailed}, Reasons: []string{"503"}})
	_ = j.write(record{T: "result", IDs: []int{1, 2, 3, 4}, Outcomes: []string{StateCancelled, StateCancelled, StateCancelled, StateCancelled},
		Reasons: []string{"cancelled", "cancelled", "cancelled", "cancelled"}})
	_ = j.write(record{T: "end", State: "cancelled"})
	j.Close()
	ctx := context.Background()
	find := func() *FollowUp {
		p, st, err := ReadJournal(j.Path())
		if err != nil {
			t.Fatal(err)
		}
		f, err := FindFollowUp(ctx, e.c, p, st, FollowUpOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := find()
	if len(f.Devices) != 5 {
		t.Fatalf("first follow-up: %d devices %v", len(f.Devices), f.Why)
	}
	p, _, _ := ReadJournal(j.Path())
	req, err := FollowUpRequest(p, f, FollowUpOptions{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	req.Knobs.AllowDuplicates = true
	plan, _, err := Build(ctx, e.c, req)
	if err != nil {
		t.Fatal(err)
	}
	j2, err := CreateJournal(e.dir, plan)
	if err != nil {
		t.Fatal(err)
	}
	_, st2, _ := ReadJournal(j2.Path())
	if _, err := NewRunner(e.c, j2, e.audit).Run(ctx, plan, st2); err != nil {
		t.Fatal(err)
	}
	j2.Close()
	e.clock.Advance(2 * time.Hour)
	if again := find(); len(again.Devices) != 0 {
		t.Fatalf("the second follow-up targets %d devices the first one reached: %v", len(again.Devices), again.Why)
	}
}
