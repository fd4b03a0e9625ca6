package ops_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// tablePrivileges recomputes, from the table alone, what features need.
func tablePrivileges(features []string) []string {
	var out []string
	for _, f := range ops.Features() {
		if slices.Contains(features, f.ID) {
			out = append(out, f.Privileges...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestRolesPlanJSONListsTablePrivileges(t *testing.T) {
	t.Parallel()
	plan, err := ops.PlanRoles(ops.RolesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := plan.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Personas []struct {
			ID, RoleName, ClientName string
			Features                 []string
			Privileges               []string
			Lifetime                 int `json:"accessTokenLifetimeSeconds"`
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Personas) != 3 {
		t.Fatalf("%d personas", len(got.Personas))
	}
	byID := map[string][]string{}
	var all []string
	for _, p := range got.Personas {
		if want := tablePrivileges(p.Features); !slices.Equal(p.Privileges, want) {
			t.Errorf("%s lists %q, the table gives %q", p.ID, p.Privileges, want)
		}
		if p.Lifetime != int(ops.DefaultTokenLifetime.Seconds()) || p.RoleName == "" || p.ClientName == "" {
			t.Errorf("%s: %+v", p.ID, p)
		}
		byID[p.ID] = p.Privileges
		all = append(all, p.Privileges...)
	}
	// Help desk: the read privileges and the one blank push needs, nothing that writes.
	helpDesk := []string{jamf.PrivReadComputers, jamf.PrivReadMobileDevices, jamf.PrivReadSmartComputerGrps, jamf.PrivReadSmartMobileGrps,
		jamf.PrivReadStaticComputerGrps, jamf.PrivReadStaticMobileGrps, jamf.PrivViewMDMCommands}
	slices.Sort(helpDesk)
	if !slices.Equal(byID[ops.PersonaHelpDesk], helpDesk) {
		t.Errorf("help desk = %q", byID[ops.PersonaHelpDesk])
	}
	if slices.Contains(byID[ops.PersonaRisk], jamf.PrivViewMDMCommands) || slices.Contains(byID[ops.PersonaRisk], jamf.PrivFlushMDMCommands) {
		t.Errorf("risk operator holds MDM privileges: %q", byID[ops.PersonaRisk])
	}
	// The mass-action operator holds every send privilege of the table and flush.
	for _, f := range ops.Features() {
		if strings.HasPrefix(f.ID, "send:") || f.ID == ops.FeatureFlush {
			for _, p := range f.Privileges {
				if !slices.Contains(byID[ops.PersonaMassAction], p) {
					t.Errorf("mass-action operator lacks %q (%s)", p, f.ID)
				}
			}
		}
	}
	// The personas together use exactly the table minus setup roles.
	slices.Sort(all)
	all = slices.Compact(all)
	var want []string
	for _, p := range ops.Privileges() {
		if !slices.Equal(p.Features, []string{ops.FeatureSetupRoles}) {
			want = append(want, p.Name)
		}
	}
	if !slices.Equal(all, want) {
		t.Errorf("personas use %q, the table (without setup roles) holds %q", all, want)
	}

	var text bytes.Buffer
	if err := plan.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"jamfops help desk", "jamfops risk operator", "jamfops mass action operator", "token lifetime 10m0s", jamf.PrivFlushMDMCommands} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("plan text lacks %q", want)
		}
	}
	if _, err := ops.PlanRoles(ops.RolesOptions{Personas: []string{"janitor"}}); err == nil {
		t.Error("an unknown persona was planned")
	}
}

func TestApplyRolesCreatesThemOnce(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 20, MobileDevices: 10}, "", "")
	ctx := t.Context()
	plan, err := ops.PlanRoles(ops.RolesOptions{TokenLifetime: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	saved := map[string]jamf.ClientCredentials{}
	save := func(p ops.Persona, creds jamf.ClientCredentials) error { saved[p.ID] = creds; return nil }
	res, err := ops.ApplyRoles(ctx, c, plan, save)
	if err != nil {
		t.Fatal(err)
	}
	// Read back from the server.
	roles := srv.APIRoles()
	clients := srv.APIClients()
	if len(roles) != 3 || len(clients) != 3 || len(saved) != 3 {
		t.Fatalf("%d roles, %d clients, %d credentials", len(roles), len(clients), len(saved))
	}
	for i, p := range plan.Personas {
		if roles[i].DisplayName != p.RoleName || !slices.Equal(roles[i].Privileges, p.Privileges) {
			t.Errorf("role %d = %+v, want %s %q", i, roles[i], p.RoleName, p.Privileges)
		}
		cl := clients[i]
		if cl.DisplayName != p.ClientName || !slices.Equal(cl.Roles, []string{p.RoleName}) || !cl.Enabled || cl.TokenLifetime != 15*time.Minute || !cl.HasSecret {
			t.Errorf("client %d = %+v", i, cl)
		}
		r := res.Personas[i]
		if r.RoleOutcome != ops.OutcomeCreated || r.ClientOutcome != ops.OutcomeCreated || r.Credentials != ops.OutcomeCreated || r.ClientID != cl.ClientID || saved[p.ID].ClientID != cl.ClientID {
			t.Errorf("result %d = %+v", i, r)
		}
	}
	logged := len(srv.Log().AccessChanges())
	if logged != 9 {
		t.Errorf("admin log has %d access changes, want 9 (3 roles, 3 clients, 3 credentials)", logged)
	}
	var out bytes.Buffer
	if err := res.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if err := res.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	for _, creds := range saved {
		if strings.Contains(out.String(), creds.ClientSecret) {
			t.Fatal("the result output holds a client secret")
		}
	}

	// The help-desk client works and holds exactly what doctor expects of it.
	hd, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(saved[ops.PersonaHelpDesk].ClientID, saved[ops.PersonaHelpDesk].ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	r := ops.RunDoctor(ctx, ops.DoctorInput{Jamf: hd})
	if r.Failed || r.Credential.LifetimeSeconds != 900 || len(r.Privileges.Unused) != 0 {
		t.Fatalf("doctor for the new help-desk client: %+v %+v", r.Credential, r.Privileges.Check)
	}
	for _, id := range []string{ops.FeatureBrowse, ops.FeatureQueue, ops.FeatureBlankPush} {
		if f := featureStatus(r, id); f.Status != ops.StatusOK {
			t.Errorf("help desk %s: %+v", id, f)
		}
	}
	if f := featureStatus(r, ops.FeatureFlush); f.Status != ops.StatusWarn {
		t.Errorf("help desk may flush: %+v", f)
	}

	// Again: everything exists, nothing is created, no new secret.
	again, err := ops.ApplyRoles(ctx, c, plan, func(ops.Persona, jamf.ClientCredentials) error {
		t.Error("credentials were regenerated for an existing client")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again.Personas {
		if r.RoleOutcome != ops.OutcomeExists || r.ClientOutcome != ops.OutcomeExists || r.Credentials != ops.OutcomeNotGenerated || len(r.RoleMissing)+len(r.RoleExtra) != 0 || r.ClientID == "" {
			t.Errorf("second apply: %+v", r)
		}
	}
	if n := len(srv.Log().AccessChanges()); n != logged || len(srv.APIRoles()) != 3 || len(srv.APIClients()) != 3 {
		t.Errorf("second apply changed the server: %d changes", n-logged)
	}
}

func TestApplyRolesReportsADifferentExistingRole(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 5, MobileDevices: 5}, "", "")
	ctx := t.Context()
	if _, _, err := c.APIRoles().CreateRole(ctx, jamf.APIRoleRequest{DisplayName: "jamfops help desk", Privileges: []string{jamf.PrivReadComputers, "Read Policies"}}); err != nil {
		t.Fatal(err)
	}
	plan, _ := ops.PlanRoles(ops.RolesOptions{Personas: []string{ops.PersonaHelpDesk}})
	res, err := ops.ApplyRoles(ctx, c, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Personas[0]
	if r.RoleOutcome != ops.OutcomeExists || !slices.Equal(r.RoleExtra, []string{"Read Policies"}) || len(r.RoleMissing) != 6 {
		t.Fatalf("existing role: %+v", r)
	}
	if r.ClientOutcome != ops.OutcomeCreated || r.Credentials != ops.OutcomeNotGenerated || srv.APIClients()[0].HasSecret {
		t.Fatalf("client without a save function: %+v", r)
	}
	if roles := srv.APIRoles(); len(roles) != 1 || len(roles[0].Privileges) != 2 {
		t.Fatalf("the existing role was changed: %+v", roles)
	}
	var text bytes.Buffer
	_ = res.WriteText(&text)
	if !strings.Contains(text.String(), "also grants: Read Policies") {
		t.Errorf("text does not name the extra privilege:\n%s", text.String())
	}
}

func TestApplyRolesRefusesPrivilegesTheServerLacks(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 5, MobileDevices: 5}, "", "")
	plan, _ := ops.PlanRoles(ops.RolesOptions{})
	plan.Personas[2].Privileges = append(plan.Personas[2].Privileges, "Send Computer Teleport Command")
	if _, err := ops.ApplyRoles(t.Context(), c, plan, nil); err == nil || !strings.Contains(err.Error(), "Teleport") {
		t.Fatalf("unknown privilege: %v", err)
	}
	if len(srv.APIRoles()) != 0 || len(srv.APIClients()) != 0 {
		t.Fatal("something was created although a privilege was unknown")
	}
}
