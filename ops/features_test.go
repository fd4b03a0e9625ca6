package ops_test

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// specPrivileges reads every x-required-privileges name of Jamf's OpenAPI spec.
func specPrivileges(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../jamf/jamftest/testdata/spec/jamf-pro-api.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, item := range doc.Paths {
		for _, raw := range item {
			var op struct {
				Privileges []string `json:"x-required-privileges"`
			}
			if json.Unmarshal(raw, &op) == nil {
				for _, p := range op.Privileges {
					out[p] = true
				}
			}
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d privilege names in the spec: not the spec?", len(out))
	}
	return out
}

func TestPrivilegeTableAgainstSpec(t *testing.T) {
	t.Parallel()
	spec := specPrivileges(t)
	known := jamftest.KnownPrivileges()
	var outside []string
	for _, p := range ops.Privileges() {
		if p.InSpec != spec[p.Name] {
			t.Errorf("%q: table says inSpec=%v, the spec's x-required-privileges say %v", p.Name, p.InSpec, spec[p.Name])
		}
		if !p.InSpec {
			outside = append(outside, p.Name)
		}
		if len(p.Features) == 0 {
			t.Errorf("%q belongs to no feature", p.Name)
		}
		if !slices.Contains(known, p.Name) {
			t.Errorf("%q is not a privilege the simulator knows", p.Name)
		}
	}
	t.Logf("%d privileges in the table, %d named only outside the spec: %q", len(ops.Privileges()), len(outside), outside)
}

func TestFeatureTableShape(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, f := range ops.Features() {
		if seen[f.ID] {
			t.Errorf("duplicate feature %s", f.ID)
		}
		seen[f.ID] = true
		if len(f.Privileges) == 0 || f.Name == "" {
			t.Errorf("feature %s has no name or privileges", f.ID)
		}
	}
	for _, platform := range []jamf.Platform{jamf.PlatformComputer, jamf.PlatformMobile} {
		for _, ct := range ops.BulkCommandTypes() {
			id := ops.CommandFeatureID(platform, ct)
			f, ok := ops.FeatureByID(id)
			if !ok {
				t.Errorf("%s %s: no feature", platform, ct)
				continue
			}
			want := []string{jamf.PrivViewMDMCommands}
			if p := jamf.CommandPrivilege(platform, ct); p != "" {
				want = append(want, p)
			}
			if !slices.Equal(f.Privileges, want) {
				t.Errorf("%s %s: feature %s needs %q, the client declares %q", platform, ct, id, f.Privileges, want)
			}
		}
	}
	// Every privilege's feature list agrees with the features.
	for _, p := range ops.Privileges() {
		for _, id := range p.Features {
			f, _ := ops.FeatureByID(id)
			if !slices.Contains(f.Privileges, p.Name) {
				t.Errorf("%q lists feature %s, which does not need it", p.Name, id)
			}
		}
	}
}

// clientWith starts a server with an API client "c" holding exactly privs,
// a client "v" holding only View MDM command information, and the admin.
func clientWith(t *testing.T, privs []string) (*jamftest.Server, *jamf.Client) {
	t.Helper()
	clients := []jamftest.APIClient{{ID: "c", Secret: "s", Privileges: privs}, {ID: "v", Secret: "s", Privileges: []string{jamf.PrivViewMDMCommands}},
		{ID: jamftest.DemoClientID, Secret: jamftest.DemoClientSecret, Privileges: jamftest.AllPrivileges()}}
	return setup(t, jamftest.Options{Computers: 40, MobileDevices: 20, Clients: clients}, "c", "s")
}

func isForbidden(err error) bool {
	var er *jamf.ErrorResponse
	return errors.As(err, &er) && er.Response.StatusCode == 403
}

// TestFeaturePrivilegesSuffice proves, against the simulator (whose routes
// check the spec's privileges), that a credential holding exactly a
// feature's privileges can do what the feature does, and that a command
// feature's own privilege is really needed.
func TestFeaturePrivilegesSuffice(t *testing.T) {
	t.Parallel()
	for _, f := range ops.Features() {
		t.Run(f.ID, func(t *testing.T) {
			t.Parallel()
			srv, c := clientWith(t, f.Privileges)
			ctx := t.Context()
			mobile := strings.HasPrefix(f.ID, "send:mobile:")
			var devices []ops.Device
			if f.ID != ops.FeatureSetupRoles {
				// The device list comes from an admin: the feature may not include reading.
				admin, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
				if err != nil {
					t.Fatal(err)
				}
				fleet, err := ops.JamfFleet(ctx, admin)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range fleet {
					if (d.Kind == jamf.PlatformMobile) == mobile && d.ManagementID != "" && len(devices) < 3 {
						devices = append(devices, d)
					}
				}
			}
			ids := func() []string {
				var out []string
				for _, d := range devices {
					out = append(out, d.ManagementID)
				}
				return out
			}
			switch {
			case f.ID == ops.FeatureBrowse || f.ID == ops.FeatureRisk:
				groups, _, err := c.Groups.List(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				sums := ops.Summarise(groups)
				kinds := map[string]bool{}
				for _, g := range sums {
					key := string(g.Kind) + "/" + map[bool]string{true: "smart", false: "static"}[g.Smart]
					if kinds[key] {
						continue
					}
					kinds[key] = true
					if _, err := ops.GroupMembers(ctx, c, g); err != nil {
						t.Fatalf("members of %s group %s: %v", key, g.Name, err)
					}
				}
				if len(kinds) < 4 {
					t.Fatalf("only %d kinds of group were readable: %v", len(kinds), kinds)
				}
				if _, err := ops.JamfFleet(ctx, c); err != nil {
					t.Fatal(err)
				}
			case f.ID == ops.FeatureQueue:
				for _, d := range devices {
					if _, src, err := ops.DeviceCommands(ctx, c, d); err != nil || !src.API || !src.Classic {
						t.Fatalf("commands of %s: %v %+v", d.Name, err, src)
					}
				}
			case f.ID == ops.FeatureBlankPush:
				if _, _, err := c.MDM.BlankPush(ctx, ids()); err != nil {
					t.Fatal(err)
				}
			case f.ID == ops.FeatureFlush:
				target, id := jamf.FlushComputers, devices[0].ID
				if _, err := c.MDM.Flush(ctx, target, []string{id}, jamf.FlushPendingAndFailed); err != nil {
					t.Fatal(err)
				}
			case strings.HasPrefix(f.ID, "send:"):
				platform := jamf.PlatformComputer
				if mobile {
					platform = jamf.PlatformMobile
				}
				ct := f.Commands[0]
				cmd := jamf.CommandData{CommandType: ct}
				if ct == "ENABLE_LOST_MODE" { // the server requires a message or a phone
					cmd.Fields = map[string]any{"lostModeMessage": "Please call IT"}
				}
				if _, _, err := c.MDM.SendCommand(ctx, platform, cmd, ids()); err != nil {
					t.Fatalf("send %s: %v", ct, err)
				}
				if len(f.Privileges) > 1 {
					v, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials("v", "s"))
					if err != nil {
						t.Fatal(err)
					}
					if _, _, err := v.MDM.SendCommand(ctx, platform, cmd, ids()); !isForbidden(err) {
						t.Fatalf("send %s without %q: %v, want 403", ct, f.Privileges[1], err)
					}
				}
			case f.ID == ops.FeatureSetupRoles:
				plan, err := ops.PlanRoles(ops.RolesOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ops.ApplyRoles(ctx, c, plan, nil); err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatalf("no check for feature %s", f.ID)
			}
		})
	}
}
