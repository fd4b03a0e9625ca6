package ui

import (
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// The index's one-pass search finds exactly the rows a plain per-row
// search finds, in the sort order, both ways.
func TestRiskIndexFilterMatchesPlainSearch(t *testing.T) {
	t.Parallel()
	fleet := bigRiskFleet(3_000)
	x := buildRiskIndex(fleet, nil, func(ops.RiskDevice) bool { return true })
	for _, q := range []string{"mbp-0001", "0", "c02x002", "jsc-0029", "alice", "\n", "zzz"} {
		for _, desc := range []bool{false, true} {
			got := x.filter(1, desc, q, "", "")
			var want []int
			order := x.orders[1]
			for j := range order {
				i := order[j]
				if desc {
					i = order[len(order)-1-j]
				}
				d := fleet[i]
				text := d.Name() + " " + d.Serial() + " " + d.JSC.ID + " " + d.JSC.UserName
				if d.Jamf != nil {
					text += " " + d.Jamf.User + " " + d.Jamf.Model
				}
				if strings.Contains(strings.ToLower(text), q) {
					want = append(want, i)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%q desc=%v: %d rows, want %d", q, desc, len(got), len(want))
			}
			for k := range got {
				if got[k] != want[k] {
					t.Fatalf("%q desc=%v: row %d is %d, want %d", q, desc, k, got[k], want[k])
				}
			}
		}
	}
	// The risk order is riskiest first, by name within a level.
	o := x.orders[0]
	for k := 1; k < len(o); k++ {
		a, b := fleet[o[k-1]], fleet[o[k]]
		if a.JSC.Risk.Rank() < b.JSC.Risk.Rank() || (a.JSC.Risk == b.JSC.Risk && strings.ToLower(a.Name()) > strings.ToLower(b.Name())) {
			t.Fatalf("risk order broken at %d: %s %s before %s %s", k, a.JSC.Risk, a.Name(), b.JSC.Risk, b.Name())
		}
	}
	if x.counts[jsc.High]+x.counts[jsc.Medium]+x.counts[jsc.Low]+x.counts[jsc.Secure] != 3_000 {
		t.Fatalf("counts %v", x.counts)
	}
}
