package ops_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// TestGroupMembersPagesTheInventoryForLargeGroups opens a smart group that
// covers the whole fleet and a small one, and checks both the members and
// the number of requests that reached the server.
func TestGroupMembersPagesTheInventoryForLargeGroups(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 9000, MobileDevices: 4500}, "", "")
	ctx := t.Context()
	list, _, err := c.Groups.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	groups := ops.Summarise(list)
	find := func(name string) ops.GroupSummary {
		g, err := ops.FindGroup(groups, name, "")
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	for _, tt := range []struct {
		group   string
		maxReqs func(n int) int
	}{
		{"All Managed Clients", func(n int) int { return (n+1999)/2000 + 2 }},
		{"Engineering Macs", func(n int) int { return (n+199)/200 + 2 }},
		{"Executive Macs", func(n int) int { return 2 }},
	} {
		g := find(tt.group)
		before := srv.Log().TotalRequests() - srv.Log().Requests("POST /api/v1/oauth/token")
		got, err := ops.GroupMembers(ctx, c, g)
		if err != nil {
			t.Fatal(err)
		}
		reqs := srv.Log().TotalRequests() - srv.Log().Requests("POST /api/v1/oauth/token") - before
		if len(got) != g.MemberCount {
			t.Fatalf("%s: %d members, the group says %d", tt.group, len(got), g.MemberCount)
		}
		if max := tt.maxReqs(len(got)); reqs > max {
			t.Errorf("%s: %d members in %d requests, want at most %d", tt.group, len(got), reqs, max)
		}
		ids, _, err := c.Groups.ComputerMemberIDs(ctx, g.ID, g.Smart)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for _, d := range got {
			gotIDs = append(gotIDs, d.ID)
			if d.Serial == "" || d.Name == "" {
				t.Fatalf("%s: member without inventory: %+v", tt.group, d)
			}
		}
		sort.Strings(ids)
		sort.Strings(gotIDs)
		if strings.Join(ids, ",") != strings.Join(gotIDs, ",") {
			t.Fatalf("%s: members differ from the group's membership", tt.group)
		}
		for i := 1; i < len(got); i++ {
			if strings.ToLower(got[i].Name) < strings.ToLower(got[i-1].Name) {
				t.Fatalf("%s: not sorted by name at %d", tt.group, i)
			}
		}
	}
	mobile, err := ops.GroupMembers(ctx, c, func() ops.GroupSummary {
		for _, g := range groups {
			if g.Kind == jamf.PlatformMobile && g.MemberCount > 2000 {
				return g
			}
		}
		t.Fatal("no mobile group over 2,000 members")
		return ops.GroupSummary{}
	}())
	if err != nil || len(mobile) <= 2000 {
		t.Fatalf("mobile members: %v (%d)", err, len(mobile))
	}
}
