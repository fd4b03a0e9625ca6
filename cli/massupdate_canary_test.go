package cli

import (
	"context"
	"slices"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// TestSoftwareUpdateKeepsTheCanaryChoice: --canary-group and --stage-order
// random apply to software-update jobs too (they were read by no one: the
// canary of an OS update was the first devices by name whatever the admin
// chose), and --seed without random is a usage error there as well.
func TestSoftwareUpdateKeepsTheCanaryChoice(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := updateCLI(t, srv.URL)
	base := []string{"--group", "All Managed Clients", "--command", "software-update", "--version", "latest-any", "--stages", "3,all"}
	ids := func(out updateDryRun) []string {
		var list []string
		for _, d := range out.FirstStage {
			list = append(list, d.ID)
		}
		slices.Sort(list)
		return list
	}
	given := ids(dryRun(t, c, base...))
	a := ids(dryRun(t, c, append(base, "--stage-order", "random", "--seed", "11")...))
	b := ids(dryRun(t, c, append(base, "--stage-order", "random", "--seed", "11")...))
	if !slices.Equal(a, b) || slices.Equal(a, given) {
		t.Fatalf("seed 11 gave %v then %v; the given order %v", a, b, given)
	}
	// The pilot group's members fill the canary.
	jc, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	groups, _, err := jc.Groups.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ops.FindGroup(ops.Summarise(groups), "Executive Macs", jamf.PlatformComputer)
	if err != nil {
		t.Fatal(err)
	}
	members, err := ops.GroupMembers(context.Background(), jc, g)
	if err != nil {
		t.Fatal(err)
	}
	pilot := map[string]bool{}
	for _, d := range members {
		pilot[d.ID] = true
	}
	first := ids(dryRun(t, c, append(base, "--canary-group", "Executive Macs")...))
	if len(first) != 3 {
		t.Fatalf("first stage %v", first)
	}
	for _, id := range first {
		if !pilot[id] {
			t.Fatalf("first stage %v holds %s, not a member of Executive Macs", first, id)
		}
	}
	if r := c.run("", append(append([]string{"mass", "run"}, base...), "--seed", "5", "--dry-run")...); r.code != 2 {
		t.Fatalf("--seed without random: exit %d %s", r.code, r.stderr)
	}
}
