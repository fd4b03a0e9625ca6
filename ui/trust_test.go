package ui

import (
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// TestDemoJobsKeepAStableServerIdentity: a job planned in one demo run (one
// port) resumes in the next (another port) because plans name the demo by
// its identity, not its URL; real servers are still told apart by URL.
func TestDemoJobsKeepAStableServerIdentity(t *testing.T) {
	t.Parallel()
	first, err := jamf.NewClient("http://127.0.0.1:41001")
	if err != nil {
		t.Fatal(err)
	}
	second, err := jamf.NewClient("http://127.0.0.1:52002")
	if err != nil {
		t.Fatal(err)
	}
	const id = "jamfops-demo:seed=1,computers=0,mobile=0"
	plan := &mass.Plan{ID: "j1", Server: Deps{Jamf: first, ServerID: id}.jamfServer(), Action: mass.Action{Kind: mass.KindBlankPush}}
	if err := notHere(Deps{Jamf: second, ServerID: id}, plan); err != nil {
		t.Fatalf("the next demo refuses the job: %v", err)
	}
	if err := notHere(Deps{Jamf: second, ServerID: "jamfops-demo:seed=2,computers=0,mobile=0"}, plan); err == nil {
		t.Fatal("a demo of another fleet accepted the job")
	}
	real := &mass.Plan{ID: "j2", Server: Deps{Jamf: first}.jamfServer(), Action: mass.Action{Kind: mass.KindBlankPush}}
	if err := notHere(Deps{Jamf: second}, real); err == nil {
		t.Fatal("a job of one server was accepted by another")
	}
}

// TestStartNoticeSkipsJobsAnotherProcessRuns: the start-up notice counts
// interrupted jobs, not jobs some runner holds right now.
func TestStartNoticeSkipsJobsAnotherProcessRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plan := func(id string) *mass.Plan {
		return &mass.Plan{ID: id, Server: "http://127.0.0.1:1", Action: mass.Action{Kind: mass.KindBlankPush},
			Targets: []mass.Target{{}}, Stages: 1}
	}
	a, err := mass.CreateJournal(dir, plan("a-interrupted"))
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	held, err := mass.CreateJournal(dir, plan("b-running"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	msg := unfinishedJobs(dir)()
	st, ok := msg.(statusMsg)
	if !ok || !strings.HasPrefix(st.text, "1 mass-action job(s) did not finish") {
		t.Fatalf("notice = %#v, want one unfinished job", msg)
	}
}

// TestAuditFilterFindsASerial: `/` in the audit log finds an action by the
// serial number printed on the device.
func TestAuditFilterFindsASerial(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	for _, e := range []ops.AuditEntry{
		{Action: "blank push", Credential: "c", Targets: []ops.AuditTarget{{Device: "computer/7", Kind: "computer", ID: "7", Name: "ENG-MBP-0007", Serial: "C02SERIAL7", Outcome: "ok"}}},
		{Action: "flush pending", Credential: "c", Targets: []ops.AuditTarget{{Device: "mobile/9", Kind: "mobile", ID: "9", Name: "Lobby iPad", Serial: "DMPSERIAL9", Outcome: "ok"}}},
	} {
		if err := f.deps.Audit.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	m := start(t, f.deps, 120, 40)
	m = press(t, m, "@")
	m = drive(t, m, nil)
	m = press(t, m, "/")
	m = typeText(t, m, "dmpserial9")
	a, ok := topOf(m).(auditModel)
	if !ok {
		t.Fatalf("@ opened %T", topOf(m))
	}
	if len(a.view) != 1 || a.entries[a.view[0]].Action != "flush pending" {
		t.Fatalf("filter by serial shows %d entries", len(a.view))
	}
}
