package ops_test

import (
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
)

// riskTenant starts a Jamf Pro fleet and a JSC tenant that enrols every
// device but the tenth, as the demo does.
func riskTenant(t *testing.T, computers, mobiles int) (*jamf.Client, *jsctest.Server, *jsc.Client, []jamftest.Identity) {
	t.Helper()
	srv, _ := setup(t, jamftest.Options{Computers: computers, MobileDevices: mobiles}, "", "")
	jc, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	var devs []jsctest.ExternalDevice
	ids := srv.Identities()
	for i, id := range ids {
		if i%10 == 9 {
			continue
		}
		devs = append(devs, jsctest.ExternalDevice{UDID: id.UDID, Name: id.Name, User: id.User, Email: id.Email, OSType: "MAC_OS"})
	}
	rs := jsctest.NewServer(jsctest.Options{Seed: 3, Devices: devs, Unmanaged: 5})
	t.Cleanup(rs.Close)
	rc, err := jsc.NewClient(rs.URL, jsctest.DemoAppID, jsctest.DemoAppSecret)
	if err != nil {
		t.Fatal(err)
	}
	return jc, rs, rc, ids
}

func TestLookupRiskReadsOnlyTheNamedDevices(t *testing.T) {
	t.Parallel()
	jc, rs, rc, ids := riskTenant(t, 3000, 1500)
	ctx := t.Context()
	target := ids[120]
	got, err := ops.LookupRisk(ctx, rc, jc, []string{target.Serial})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Jamf == nil || got[0].Jamf.Serial != target.Serial || !strings.EqualFold(got[0].JSC.ExternalID, target.UDID) {
		t.Fatalf("lookup by serial: %+v", got)
	}
	if n := len(rs.Log().Requests()); n > 2 {
		t.Fatalf("one device cost %d Risk API requests (login included), want at most 2", n)
	}

	// By JSC ID alone, with no Jamf Pro connection.
	byID, err := ops.LookupRisk(ctx, rc, nil, []string{got[0].JSC.ID})
	if err != nil || len(byID) != 1 || byID[0].JSC.ID != got[0].JSC.ID {
		t.Fatalf("lookup by JSC ID: %v %+v", err, byID)
	}

	// A device Jamf Pro knows but JSC does not, and one nobody knows.
	_, err = ops.LookupRisk(ctx, rc, jc, []string{ids[9].Serial, "NOSUCHSERIAL"})
	if err == nil || !strings.Contains(err.Error(), "not enrolled in JSC") || !strings.Contains(err.Error(), "NOSUCHSERIAL") {
		t.Fatalf("problems not reported together: %v", err)
	}

	// Read back after a change: one request per device.
	before := len(rs.Log().Requests())
	if res := rc.SetRisk(ctx, []string{got[0].JSC.ID}, jsc.Medium); len(res) != 1 || res[0].Err != nil {
		t.Fatalf("set: %+v", res)
	}
	back, ok, err := ops.ReadBackRisk(ctx, rc, got)
	if err != nil || !ok[0] || back[0].JSC.Risk != jsc.Medium {
		t.Fatalf("read back: %v %v %+v", err, ok, back)
	}
	if n := len(rs.Log().Requests()) - before; n != 2 {
		t.Fatalf("set and read back of one device cost %d requests, want 2", n)
	}
}

// A group's members are looked up by UDID, one request each; members JSC
// does not know are counted, not fatal.
func TestLookupRiskByUDID(t *testing.T) {
	t.Parallel()
	_, rs, rc, ids := riskTenant(t, 30, 0)
	var members []ops.Device
	for _, id := range ids[:12] { // the tenth (index 9) is not enrolled
		members = append(members, ops.Device{ID: "x", Name: id.Name, Serial: id.Serial, UDID: id.UDID})
	}
	before := len(rs.Log().Requests())
	got, missing, err := ops.LookupRiskByUDID(t.Context(), rc, members)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 11 || missing != 1 {
		t.Fatalf("%d found, %d missing", len(got), missing)
	}
	for _, d := range got {
		if d.Jamf == nil || !strings.EqualFold(d.Jamf.UDID, d.JSC.ExternalID) {
			t.Fatalf("joined wrongly: %+v", d)
		}
	}
	if n := len(rs.Log().Requests()) - before; n != 12+1 {
		t.Fatalf("%d requests for 12 members, want 12 and a login", n)
	}
}
