package ops

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jamf"
)

// Persona IDs.
const (
	PersonaHelpDesk   = "help-desk"
	PersonaRisk       = "risk-operator"
	PersonaMassAction = "mass-action-operator"
)

// DefaultTokenLifetime is the access-token lifetime setup roles gives API
// clients: short, as hardening guidance asks; jamfops renews tokens itself.
const DefaultTokenLifetime = 10 * time.Minute

// Persona is a kind of jamfops user and the least-privilege API role and
// API client made for it, derived from the privilege table.
type Persona struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	// RoleName and ClientName are the display names of the API role and the
	// API client (integration) in Jamf Pro.
	RoleName   string `json:"roleName"`
	ClientName string `json:"clientName"`
	// Features are the table's feature IDs the persona needs.
	Features []string `json:"features"`
	// Privileges are the union of the features' privileges, sorted.
	Privileges []string `json:"privileges"`
	// AccessTokenLifetimeSeconds is the API client's token lifetime.
	AccessTokenLifetimeSeconds int `json:"accessTokenLifetimeSeconds"`
}

// RolesOptions shape a roles plan.
type RolesOptions struct {
	// Prefix starts every role and client name (default "jamfops").
	Prefix string
	// TokenLifetime is the API clients' token lifetime (default DefaultTokenLifetime).
	TokenLifetime time.Duration
	// Personas limits the plan to these persona IDs (default all three).
	Personas []string
}

// RolesPlan is what setup roles would create.
type RolesPlan struct {
	Personas []Persona `json:"personas"`
}

// personaFeatures is who needs what: help desk looks and wakes devices,
// the risk operator joins JSC devices to Jamf Pro, the mass-action operator
// plans and sends commands, blank pushes and flushes.
func personaFeatures(id string) (string, []string) {
	switch id {
	case PersonaHelpDesk:
		return "help desk: browse groups and devices, read command queues, blank push (read-only otherwise)",
			[]string{FeatureBrowse, FeatureQueue, FeatureBlankPush}
	case PersonaRisk:
		return "risk operator: read Jamf Pro devices and groups to set JSC risk (risk changes need the JSC Risk API credential)",
			[]string{FeatureBrowse, FeatureRisk}
	case PersonaMassAction:
		ids := []string{FeatureBrowse, FeatureQueue, FeatureBlankPush, FeatureFlush}
		for _, f := range Features() {
			if strings.HasPrefix(f.ID, "send:") {
				ids = append(ids, f.ID)
			}
		}
		return "mass-action operator: plan and send MDM commands, blank pushes and flushes to groups", ids
	}
	return "", nil
}

// PersonaIDs returns the three persona IDs.
func PersonaIDs() []string { return []string{PersonaHelpDesk, PersonaRisk, PersonaMassAction} }

// PlanRoles builds the roles plan from the privilege table.
func PlanRoles(opts RolesOptions) (RolesPlan, error) {
	prefix := opts.Prefix
	if prefix == "" {
		prefix = "jamfops"
	}
	life := opts.TokenLifetime
	if life <= 0 {
		life = DefaultTokenLifetime
	}
	if life < time.Minute {
		return RolesPlan{}, fmt.Errorf("token lifetime %s is under a minute", life)
	}
	ids := opts.Personas
	if len(ids) == 0 {
		ids = PersonaIDs()
	}
	var plan RolesPlan
	for _, id := range ids {
		desc, features := personaFeatures(id)
		if features == nil {
			return RolesPlan{}, fmt.Errorf("unknown persona %q (%s)", id, strings.Join(PersonaIDs(), ", "))
		}
		name := prefix + " " + strings.ReplaceAll(id, "-", " ")
		plan.Personas = append(plan.Personas, Persona{ID: id, Description: desc, RoleName: name, ClientName: name,
			Features: features, Privileges: privilegesOf(features), AccessTokenLifetimeSeconds: int(life / time.Second)})
	}
	return plan, nil
}

// Apply outcomes.
const (
	OutcomeCreated      = "created"
	OutcomeExists       = "exists"
	OutcomeNotGenerated = "not generated"
)

// PersonaResult is what Apply did for one persona.
type PersonaResult struct {
	Persona string `json:"persona"`
	Role    string `json:"role"`
	RoleID  string `json:"roleId,omitempty"`
	// RoleOutcome is "created" or "exists" (an existing role is never changed).
	RoleOutcome string `json:"roleOutcome"`
	// RoleMissing and RoleExtra compare an existing role with the plan.
	RoleMissing []string `json:"roleMissing,omitempty"`
	RoleExtra   []string `json:"roleExtra,omitempty"`
	Client      string   `json:"client"`
	// ClientOutcome is "created" or "exists".
	ClientOutcome string `json:"clientOutcome"`
	// IntegrationID is the API client's ID in Jamf Pro.
	IntegrationID int `json:"integrationId,omitempty"`
	// ClientID is the OAuth client ID, once credentials exist.
	ClientID string `json:"clientId,omitempty"`
	// Credentials is "created" (handed to the save function), "not generated"
	// (no save function, or the client already existed).
	Credentials string `json:"credentials"`
}

// RolesResult is what Apply did.
type RolesResult struct {
	Personas []PersonaResult `json:"personas"`
}

// SaveCredentials receives a new API client's credentials, once: store the
// secret in the keychain, never in a file or log.
type SaveCredentials func(p Persona, creds jamf.ClientCredentials) error

// ApplyRoles creates the plan's API roles and clients through
// /api/v1/api-roles and /api/v1/api-integrations. It is idempotent: a role
// or client whose display name exists is reported and left alone. It first
// checks every planned privilege name against the server's own list and
// creates nothing when one is unknown. Credentials are generated only for
// clients it creates, and only when save is given.
func ApplyRoles(ctx context.Context, c *jamf.Client, plan RolesPlan, save SaveCredentials) (RolesResult, error) {
	svc := c.APIRoles()
	known, _, err := svc.RolePrivileges(ctx)
	if err != nil {
		return RolesResult{}, fmt.Errorf("reading the server's privilege names: %w", err)
	}
	var unknown []string
	for _, p := range plan.Personas {
		for _, name := range p.Privileges {
			if !slices.Contains(known, name) && !slices.Contains(unknown, name) {
				unknown = append(unknown, name)
			}
		}
	}
	if len(unknown) > 0 {
		return RolesResult{}, fmt.Errorf("this Jamf Pro server does not know the privileges %s; nothing was created", quoteList(unknown))
	}
	roles, _, err := svc.ListRoles(ctx, nil)
	if err != nil {
		return RolesResult{}, fmt.Errorf("listing API roles: %w", err)
	}
	clients, _, err := svc.ListIntegrations(ctx, nil)
	if err != nil {
		return RolesResult{}, fmt.Errorf("listing API clients: %w", err)
	}
	var res RolesResult
	for _, p := range plan.Personas {
		pr, err := applyPersona(ctx, svc, p, roles, clients, save)
		res.Personas = append(res.Personas, pr)
		if err != nil {
			return res, fmt.Errorf("%s: %w", p.ID, err)
		}
	}
	return res, nil
}

func applyPersona(ctx context.Context, svc *jamf.APIRolesService, p Persona, roles []jamf.APIRole, clients []jamf.APIIntegration, save SaveCredentials) (PersonaResult, error) {
	pr := PersonaResult{Persona: p.ID, Role: p.RoleName, Client: p.ClientName, Credentials: OutcomeNotGenerated}
	if i := slices.IndexFunc(roles, func(r jamf.APIRole) bool { return r.DisplayName == p.RoleName }); i >= 0 {
		pr.RoleOutcome, pr.RoleID = OutcomeExists, roles[i].ID
		pr.RoleMissing, pr.RoleExtra = diff(p.Privileges, roles[i].Privileges)
	} else {
		role, _, err := svc.CreateRole(ctx, jamf.APIRoleRequest{DisplayName: p.RoleName, Privileges: p.Privileges})
		if err != nil {
			return pr, fmt.Errorf("creating API role %q: %w", p.RoleName, err)
		}
		pr.RoleOutcome, pr.RoleID = OutcomeCreated, role.ID
	}
	if i := slices.IndexFunc(clients, func(in jamf.APIIntegration) bool { return in.DisplayName == p.ClientName }); i >= 0 {
		pr.ClientOutcome, pr.IntegrationID = OutcomeExists, clients[i].ID
		if clients[i].AppType == "CLIENT_CREDENTIALS" {
			pr.ClientID = clients[i].ClientID
		}
		return pr, nil
	}
	in, _, err := svc.CreateIntegration(ctx, jamf.APIIntegrationRequest{AuthorizationScopes: []string{p.RoleName}, DisplayName: p.ClientName,
		Enabled: true, AccessTokenLifetimeSeconds: p.AccessTokenLifetimeSeconds})
	if err != nil {
		return pr, fmt.Errorf("creating API client %q: %w", p.ClientName, err)
	}
	pr.ClientOutcome, pr.IntegrationID = OutcomeCreated, in.ID
	if save == nil {
		return pr, nil
	}
	creds, _, err := svc.CreateClientCredentials(ctx, strconv.Itoa(in.ID))
	if err != nil {
		return pr, fmt.Errorf("creating credentials for %q: %w", p.ClientName, err)
	}
	pr.ClientID = creds.ClientID
	if err := save(p, *creds); err != nil {
		return pr, fmt.Errorf("saving the credentials of %q (client ID %s; generate a new secret in Jamf Pro): %w", p.ClientName, creds.ClientID, err)
	}
	pr.Credentials = OutcomeCreated
	return pr, nil
}

// diff returns what want has that got lacks, and what got has beyond want.
func diff(want, got []string) (missing, extra []string) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, Clean(g))
		}
	}
	return missing, extra
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
