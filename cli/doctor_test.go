package cli

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

func TestDoctorCommand(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})

	r := runWith(t, srv, nil, "doctor")
	if r.code != 0 || !strings.Contains(r.stdout, "11.30") {
		t.Fatalf("admin: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	r = runWith(t, srv, map[string]string{"JAMF_CLIENT_ID": jamftest.HelpDeskClientID, "JAMF_CLIENT_SECRET": jamftest.HelpDeskSecret}, "doctor", "--json")
	if r.code != 0 {
		t.Fatalf("help desk: %d %s", r.code, r.stderr)
	}
	var rep struct {
		Privileges struct {
			Missing []string `json:"missing"`
		} `json:"privileges"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, r.stdout)
	}
	if !slices.Contains(rep.Privileges.Missing, "Flush MDM Commands") {
		t.Fatalf("help desk: missing privileges %v lack Flush MDM Commands", rep.Privileges.Missing)
	}

	const wrong = "not-the-secret-x9"
	r = runWith(t, srv, map[string]string{"JAMF_CLIENT_SECRET": wrong}, "doctor")
	if r.code != 1 {
		t.Fatalf("wrong secret: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, wrong) {
		t.Fatal("doctor printed the secret")
	}
}

func TestSetupRolesCommand(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}

	r := c.run("", "setup", "roles", "--json")
	if r.code != 0 {
		t.Fatalf("plan: %d %s", r.code, r.stderr)
	}
	var plan ops.RolesPlan
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || len(plan.Personas) != 3 {
		t.Fatalf("plan JSON: %v\n%s", err, r.stdout)
	}
	var listed []string
	for _, p := range plan.Personas {
		listed = append(listed, p.Privileges...)
	}
	sort.Strings(listed)
	listed = slices.Compact(listed)
	// Every privilege of the table but those only setup roles itself needs.
	var want []string
	for _, u := range ops.Privileges() {
		if !slices.Equal(u.Features, []string{ops.FeatureSetupRoles}) {
			want = append(want, u.Name)
		}
	}
	sort.Strings(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("the plan's privileges differ from the table's:\nplan  %v\ntable %v", listed, want)
	}
	if len(srv.APIRoles()) != 0 {
		t.Fatal("printing the plan created roles")
	}

	r = c.run("", "setup", "roles", "--apply")
	if r.code != 2 || len(srv.APIRoles()) != 0 {
		t.Fatalf("--apply without a terminal or --yes: %d %q", r.code, r.stderr)
	}
	r = c.run("", "setup", "roles", "--apply", "--yes", "--persona", "help-desk")
	if r.code != 0 {
		t.Fatalf("apply: %d %s", r.code, r.stderr)
	}
	roles, clients := srv.APIRoles(), srv.APIClients()
	if len(roles) != 1 || len(clients) != 1 || !clients[0].HasSecret {
		t.Fatalf("created %d roles and %d clients: %+v %+v", len(roles), len(clients), roles, clients)
	}
	if !slices.Equal(roles[0].Privileges, plan.Personas[0].Privileges) {
		t.Fatalf("role privileges %v, want %v", roles[0].Privileges, plan.Personas[0].Privileges)
	}
	secret := c.secrets.m["jamfops-help-desk:jamf"]
	if secret == "" || strings.Contains(r.stdout+r.stderr, secret) {
		t.Fatal("the new client's secret is not in the keychain, or was printed")
	}
	// The new profile works, with only its own privileges.
	delete(c.env, "JAMF_URL")
	delete(c.env, "JAMF_CLIENT_ID")
	delete(c.env, "JAMF_CLIENT_SECRET")
	r = c.run("", "doctor", "--profile", "jamfops-help-desk", "--json")
	var newRep struct {
		Privileges struct {
			Known  bool     `json:"known"`
			Unused []string `json:"unused"`
		} `json:"privileges"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &newRep) != nil || !newRep.Privileges.Known || len(newRep.Privileges.Unused) != 0 {
		t.Fatalf("doctor on the new profile: %d %+v\n%s\n%s", r.code, newRep, r.stdout, r.stderr)
	}
	// A second apply creates nothing more.
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	if r = c.run("", "setup", "roles", "--apply", "--yes", "--persona", "help-desk"); r.code != 0 || len(srv.APIRoles()) != 1 || len(srv.APIClients()) != 1 {
		t.Fatalf("second apply: %d %s, %d roles", r.code, r.stderr, len(srv.APIRoles()))
	}
}
