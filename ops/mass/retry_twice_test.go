package mass

import (
	"context"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestSecondFollowUpSkipsDevicesTheFirstFixed: a job's sends failed; its
// follow-up delivered the command and the devices acknowledged it. Following
// up the first job again must not send it to them a second time (the
// journal still says "failed", but the devices' command lists say done).
func TestSecondFollowUpSkipsDevicesTheFirstFixed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)[:5]
	var ts []Target
	for _, d := range devs {
		ts = append(ts, Target{Device: d})
	}
	parent := &Plan{ID: "20261129-020000-fedcba", Created: t0, Server: "test", Label: "old", Platform: "computer",
		Action: Action{Kind: KindCommand, CommandType: "DEVICE_INFORMATION"}, Knobs: fast(), Targets: ts, Stages: 1}
	j, err := CreateJournal(e.dir, parent)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	var outcomes, reasons []string
	for i := range ts {
		ids, outcomes, reasons = append(ids, i), append(outcomes, StateFailed), append(reasons, "503 Service Unavailable")
	}
	_ = j.write(record{T: "result", Batch: 1, IDs: ids, Outcomes: outcomes, Reasons: reasons})
	_ = j.write(record{T: "end", State: "done"})
	j.Close()
	ctx := context.Background()
	followUp := func() *FollowUp {
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
	f := followUp()
	if len(f.Devices) != 5 {
		t.Fatalf("first follow-up: %d devices", len(f.Devices))
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
	e.clock.Advance(2 * time.Hour) // the online devices check in and answer
	if again := followUp(); len(again.Devices) != 0 {
		t.Fatalf("a second follow-up targets %d devices the first one fixed: %v", len(again.Devices), again.Why)
	}
}
