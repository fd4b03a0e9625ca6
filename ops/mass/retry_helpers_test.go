package mass

import (
	"context"
	"testing"
	"time"

	"github.com/jamfops/jamfops/ops"
)

// journalled writes a DEVICE_INFORMATION job to targets, created at
// created, with the given records after its plan, and returns its journal's
// path (the journal closed).
func journalled(t *testing.T, e env, id string, created time.Time, targets []Target, records ...record) string {
	t.Helper()
	p := &Plan{ID: id, Created: created, Server: "test", Label: "old", Platform: "computer",
		Action: Action{Kind: KindCommand, CommandType: "DEVICE_INFORMATION"}, Knobs: fast(), Targets: targets, Stages: 1}
	j, err := CreateJournal(e.dir, p)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for _, r := range records {
		if err := j.write(r); err != nil {
			t.Fatal(err)
		}
	}
	return j.Path()
}

// allFailed is the result record of a batch whose n sends all failed.
func allFailed(n int) record {
	r := record{T: "result", Batch: 1}
	for i := range n {
		r.IDs, r.Outcomes, r.Reasons = append(r.IDs, i), append(r.Outcomes, StateFailed), append(r.Reasons, "503 Service Unavailable")
	}
	return r
}

// targetsOf makes a plan's targets of devices.
func targetsOf(devs []ops.Device) []Target {
	ts := make([]Target, len(devs))
	for i, d := range devs {
		ts[i] = Target{Device: d}
	}
	return ts
}

// followUpOf reads the job at path and finds its follow-up.
func followUpOf(t *testing.T, e env, path string) *FollowUp {
	t.Helper()
	p, st, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := FindFollowUp(context.Background(), e.c, p, st, FollowUpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// runFollowUp plans the follow-up f of the job at path (duplicates allowed,
// as the tests count sends), runs it to its end and returns its state.
func runFollowUp(t *testing.T, e env, path string, f *FollowUp) *State {
	t.Helper()
	ctx := context.Background()
	p, _, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	req, err := FollowUpRequest(p, f, FollowUpOptions{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	req.Knobs.AllowDuplicates = true
	plan, _, err := Build(ctx, e.c, req)
	if err != nil {
		t.Fatal(err)
	}
	j, err := CreateJournal(e.dir, plan)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	_, st, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	final, err := NewRunner(e.c, j, e.audit).Run(ctx, plan, st)
	if err != nil {
		t.Fatal(err)
	}
	return final
}
