package jamf_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

func TestAPIRolesCreateListAndLogIn(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 20, MobileDevices: 10})
	ctx := t.Context()
	roles := c.APIRoles()

	known, _, err := roles.RolePrivileges(ctx)
	if err != nil || !slices.Contains(known, jamf.PrivFlushMDMCommands) {
		t.Fatalf("role privileges: %v, %d names", err, len(known))
	}
	role, _, err := roles.CreateRole(ctx, jamf.APIRoleRequest{DisplayName: "readers", Privileges: []string{jamf.PrivReadComputers, jamf.PrivReadSmartComputerGrps}})
	if err != nil {
		t.Fatal(err)
	}
	if role.ID == "" || role.DisplayName != "readers" || len(role.Privileges) != 2 {
		t.Fatalf("created role = %+v", role)
	}
	if _, _, err := roles.CreateRole(ctx, jamf.APIRoleRequest{DisplayName: "other", Privileges: []string{}}); err != nil {
		t.Fatal(err)
	}
	found, _, err := roles.ListRoles(ctx, &jamf.ListOptions{Filter: jamf.Eq("displayName", "readers")})
	if err != nil || len(found) != 1 || found[0].ID != role.ID {
		t.Fatalf("filtered role list = %+v, %v", found, err)
	}
	all, _, err := roles.ListRoles(ctx, &jamf.ListOptions{PageSize: 1})
	if err != nil || len(all) != 2 {
		t.Fatalf("paged role list = %+v, %v", all, err)
	}

	in, _, err := roles.CreateIntegration(ctx, jamf.APIIntegrationRequest{AuthorizationScopes: []string{"readers"}, DisplayName: "reader client", Enabled: true, AccessTokenLifetimeSeconds: 120})
	if err != nil {
		t.Fatal(err)
	}
	if in.AppType != "NONE" || in.AccessTokenLifetimeSeconds != 120 || !in.Enabled {
		t.Fatalf("created client = %+v", in)
	}
	creds, _, err := roles.CreateClientCredentials(ctx, fmt.Sprint(in.ID))
	if err != nil {
		t.Fatal(err)
	}
	if creds.ClientID != in.ClientID || creds.ClientSecret == "" {
		t.Fatalf("credentials = %v", creds)
	}
	if s := fmt.Sprintf("%v %+v %#v", creds, creds, creds); strings.Contains(s, creds.ClientSecret) {
		t.Fatalf("formatting credentials printed the secret: %s", s)
	}
	listed, _, err := roles.ListIntegrations(ctx, nil)
	if err != nil || len(listed) != 1 || listed[0].AppType != "CLIENT_CREDENTIALS" {
		t.Fatalf("client list = %+v, %v", listed, err)
	}

	// The new client logs in with exactly its role's privileges and lifetime.
	nc, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(creds.ClientID, creds.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := nc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Lifetime != 120*time.Second || tok.Kind != "API client" || tok.Identity != creds.ClientID {
		t.Fatalf("token = %+v", tok)
	}
	privs, err := nc.Auth.Privileges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := privs.Names(); !slices.Equal(got, []string{jamf.PrivReadComputers, jamf.PrivReadSmartComputerGrps}) {
		t.Fatalf("new client's privileges = %q", got)
	}
	if _, _, err := nc.MDM.ListCommands(ctx, &jamf.ListOptions{Filter: jamf.Eq("status", "Pending")}); err == nil {
		t.Fatal("a client without View MDM command information could list commands")
	}

	// Regenerating the secret retires the old one.
	if _, _, err := roles.CreateClientCredentials(ctx, fmt.Sprint(in.ID)); err != nil {
		t.Fatal(err)
	}
	old, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(creds.ClientID, creds.ClientSecret))
	var ae *jamf.AuthError
	if _, err := old.Token(ctx); !errors.As(err, &ae) {
		t.Fatalf("old secret after regeneration: %v", err)
	}

	changes := srv.Log().AccessChanges()
	var kinds []string
	for _, ch := range changes {
		kinds = append(kinds, ch.Kind+":"+ch.DisplayName+":"+ch.Sender)
	}
	want := []string{"role:readers:" + jamftest.DemoClientID, "role:other:" + jamftest.DemoClientID, "api client:reader client:" + jamftest.DemoClientID,
		"client credentials:reader client:" + jamftest.DemoClientID, "client credentials:reader client:" + jamftest.DemoClientID}
	if !slices.Equal(kinds, want) {
		t.Fatalf("admin log = %q, want %q", kinds, want)
	}
}

func TestAPIRolesNeedPrivileges(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, jamftest.Options{Computers: 5, MobileDevices: 5})
	hd, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.HelpDeskClientID, jamftest.HelpDeskSecret))
	_, _, err := hd.APIRoles().CreateRole(t.Context(), jamf.APIRoleRequest{DisplayName: "x", Privileges: []string{jamf.PrivReadComputers}})
	var er *jamf.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 403 || !slices.Contains(er.Privileges, jamf.PrivCreateAPIRoles) {
		t.Fatalf("help desk creating a role: %v", err)
	}
	if len(srv.APIRoles()) != 0 {
		t.Fatal("a refused request created a role")
	}
}

func TestDisabledAPIClientCannotLogIn(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 5, MobileDevices: 5})
	ctx := t.Context()
	if _, _, err := c.APIRoles().CreateRole(ctx, jamf.APIRoleRequest{DisplayName: "r", Privileges: []string{jamf.PrivReadComputers}}); err != nil {
		t.Fatal(err)
	}
	in, _, err := c.APIRoles().CreateIntegration(ctx, jamf.APIIntegrationRequest{AuthorizationScopes: []string{"r"}, DisplayName: "off"})
	if err != nil {
		t.Fatal(err)
	}
	creds, _, err := c.APIRoles().CreateClientCredentials(ctx, fmt.Sprint(in.ID))
	if err != nil {
		t.Fatal(err)
	}
	nc, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(creds.ClientID, creds.ClientSecret))
	var ae *jamf.AuthError
	if _, err := nc.Token(ctx); !errors.As(err, &ae) {
		t.Fatalf("a disabled API client logged in: %v", err)
	}
}
