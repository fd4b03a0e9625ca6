package ops_test

import (
	"errors"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

func TestResolveDevice(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{Rename: map[int]string{4: "Lab Mac", 9: "Lab Mac", 12: "Lab Mac Mini"}}, "", "")
	ctx := t.Context()
	phones, _, err := c.MobileDevices.FirstPage(ctx, &jamf.ListOptions{PageSize: 5})
	if err != nil || len(phones) == 0 {
		t.Fatal(err)
	}
	phone := ops.FromMobileDevice(phones[2])
	list, _, err := c.Computers.List(ctx, nil, &jamf.ListOptions{Filter: jamf.Eq("id", "12")})
	if err != nil || len(list) != 1 {
		t.Fatal(err)
	}
	mac12 := ops.FromComputer(list[0])

	// A unique exact match wins, whatever else contains the text.
	for _, tt := range []struct {
		ref  string
		kind jamf.Platform
		want ops.Device
	}{
		{phone.Serial, "", phone},
		{phone.UDID, "", phone},
		{mac12.Serial, "", mac12},
		{"Lab Mac Mini", "", mac12}, // exact, though "Lab Mac" is a prefix of it
		{"12", "", mac12},           // a bare ID is a computer's
		{phone.ID, jamf.PlatformMobile, phone},
	} {
		r, err := ops.ResolveDevice(ctx, c, tt.ref, tt.kind)
		if err != nil || r.Kind != tt.want.Kind || r.ID != tt.want.ID {
			t.Errorf("ResolveDevice(%q, %q) = %s %s, %v; want %s %s", tt.ref, tt.kind, r.Kind, r.ID, err, tt.want.Kind, tt.want.ID)
		}
	}
	r, err := ops.ResolveDevice(ctx, c, "12", "")
	if err != nil || len(r.Also) != 1 || r.Also[0].Kind != jamf.PlatformMobile || r.Also[0].ID != "12" {
		t.Errorf("a bare ID should set mobile device 12 aside, got %+v", r.Also)
	}
	// A unique partial match (nothing exact) wins too.
	r, err = ops.ResolveDevice(ctx, c, "ab Mac Min", "")
	if err != nil || r.ID != "12" || r.Rank != ops.RankContains {
		t.Errorf("unique partial: %+v, %v", r, err)
	}
	// Two exact matches: ambiguous, both listed.
	_, err = ops.ResolveDevice(ctx, c, "lab mac", "")
	var me *ops.DeviceMatchError
	if !errors.As(err, &me) || len(me.Candidates) != 2 || me.Candidates[0].Rank != ops.RankExact {
		t.Fatalf("ambiguous exact: %v %+v", err, me)
	}
	// Several partial matches: ambiguous.
	_, err = ops.ResolveDevice(ctx, c, "Lab Ma", "")
	if !errors.As(err, &me) || len(me.Candidates) != 3 {
		t.Fatalf("ambiguous partial: %v %+v", err, me)
	}
	// None.
	_, err = ops.ResolveDevice(ctx, c, "NO-SUCH-THING-ZZ9", "")
	if !errors.As(err, &me) || len(me.Candidates) != 0 || err.Error() != `no device matches "NO-SUCH-THING-ZZ9"` {
		t.Fatalf("none: %v", err)
	}
}
