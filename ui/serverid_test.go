package ui

import (
	"testing"

	"github.com/jamfops/jamfops/jamf"
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
