package ops_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

func TestSearchDevicesFindsBothKindsByEveryField(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{}, "", "")
	ctx := t.Context()
	macs, _, err := c.Computers.FirstPage(ctx, nil, &jamf.ListOptions{PageSize: 50, Filter: jamf.Ne("userAndLocation.username", "")})
	if err != nil || len(macs) < 20 {
		t.Fatalf("computers: %v (%d)", err, len(macs))
	}
	phones, _, err := c.MobileDevices.FirstPage(ctx, &jamf.ListOptions{PageSize: 50, Filter: jamf.Ne("username", "")})
	if err != nil || len(phones) < 5 {
		t.Fatalf("mobile devices: %v (%d)", err, len(phones))
	}
	mac, phone := ops.FromComputer(macs[17]), phones[3]
	tests := []struct {
		name, text string
		kind       jamf.Platform
		id         string
		field      string
	}{
		{"computer serial", mac.Serial, jamf.PlatformComputer, mac.ID, "serial"},
		{"computer serial, lower case", strings.ToLower(mac.Serial), jamf.PlatformComputer, mac.ID, "serial"},
		{"computer name", mac.Name, jamf.PlatformComputer, mac.ID, "name"},
		{"computer UDID", mac.UDID, jamf.PlatformComputer, mac.ID, "udid"},
		{"computer management ID", mac.ManagementID, jamf.PlatformComputer, mac.ID, "management ID"},
		{"computer email", macs[17].UserAndLocation.Email, jamf.PlatformComputer, mac.ID, "email"},
		{"computer asset tag", macs[17].General.AssetTag, jamf.PlatformComputer, mac.ID, "asset tag"},
		{"mobile serial", phone.SerialNumber, jamf.PlatformMobile, phone.MobileDeviceID, "serial"},
		{"mobile email", phone.EmailAddress, jamf.PlatformMobile, phone.MobileDeviceID, "email"},
		{"mobile UDID", phone.UDID, jamf.PlatformMobile, phone.MobileDeviceID, "udid"},
	}
	for _, tt := range tests {
		if tt.text == "" {
			t.Fatalf("%s: the fleet has no value to search for", tt.name)
		}
		before := srv.Log().TotalRequests()
		res, err := ops.SearchDevices(ctx, c, tt.text, ops.SearchOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(res.Matches) == 0 {
			t.Fatalf("%s: %q found nothing", tt.name, tt.text)
		}
		top := res.Matches[0]
		if top.Kind != tt.kind || top.ID != tt.id || top.Rank != ops.RankExact || top.Field != tt.field {
			t.Errorf("%s: top match = %s %s %q (%s, %s), want %s %s on %s", tt.name, top.Kind, top.ID, top.Name, top.Rank, top.Field, tt.kind, tt.id, tt.field)
		}
		if n := srv.Log().TotalRequests() - before; n > 4 || res.Requests > 4 {
			t.Errorf("%s: %d requests reached the server (search counted %d), want at most 4", tt.name, n, res.Requests)
		}
	}
}

func TestSearchDevicesRanksAndCaps(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{}, "", "")
	ctx := t.Context()

	res, err := ops.SearchDevices(ctx, c, "macbook", ops.SearchOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 10 || !res.More {
		t.Fatalf("broad search: %d matches, more=%v; want 10 and more", len(res.Matches), res.More)
	}
	all, err := ops.SearchDevices(ctx, c, "macbook", ops.SearchOptions{Limit: 500})
	if err != nil || all.More {
		t.Fatalf("search with room for all: %v, more=%v", err, all.More)
	}
	if res.AtLeast != len(all.Matches) || all.AtLeast != len(all.Matches) {
		t.Fatalf("AtLeast = %d (capped) and %d (all), want %d", res.AtLeast, all.AtLeast, len(all.Matches))
	}
	for _, m := range res.Matches {
		if !strings.Contains(strings.ToLower(m.Name), "macbook") || m.Rank == ops.RankExact {
			t.Errorf("broad match %q ranked %s on %q", m.Name, m.Rank, m.Field)
		}
	}

	// A user name: their devices match exactly; others whose name only
	// contains it come after.
	macs, _, err := c.Computers.FirstPage(ctx, nil, &jamf.ListOptions{PageSize: 5, Filter: jamf.Ne("userAndLocation.username", "")})
	if err != nil {
		t.Fatal(err)
	}
	user := macs[0].UserAndLocation.Username
	res, err = ops.SearchDevices(ctx, c, user, ops.SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) == 0 || res.Matches[0].User != user || res.Matches[0].Rank != ops.RankExact {
		t.Fatalf("user %q: %+v", user, res.Matches)
	}
	for i := 1; i < len(res.Matches); i++ {
		if res.Matches[i].Rank < res.Matches[i-1].Rank {
			t.Fatalf("matches out of rank order at %d: %v after %v", i, res.Matches[i].Rank, res.Matches[i-1].Rank)
		}
	}

	res, err = ops.SearchDevices(ctx, c, "no-such-device-zz9", ops.SearchOptions{})
	if err != nil || len(res.Matches) != 0 || res.More {
		t.Fatalf("nothing should match: %v %+v", err, res)
	}
	if _, err := ops.SearchDevices(ctx, c, "   ", ops.SearchOptions{}); err == nil {
		t.Fatal("an empty search was accepted")
	}

	res, err = ops.SearchDevices(ctx, c, "ipad", ops.SearchOptions{Kind: jamf.PlatformComputer})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Matches {
		if m.Kind != jamf.PlatformComputer {
			t.Fatalf("--kind computer returned %s %q", m.Kind, m.Name)
		}
	}
}

func TestJamftestRefusesUnknownFilterFields(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{}, "", "")
	_, _, err := c.MobileDevices.FirstPage(t.Context(), &jamf.ListOptions{Filter: jamf.Eq("general.name", "x")})
	var er *jamf.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode() != 400 {
		t.Fatalf("mobile filter on a computer field: %v", err)
	}
	_, _, err = c.Computers.FirstPage(t.Context(), nil, &jamf.ListOptions{Filter: jamf.Eq("displayName", "x")})
	if !errors.As(err, &er) || er.StatusCode() != 400 {
		t.Fatalf("computer filter on a mobile field: %v", err)
	}
}
