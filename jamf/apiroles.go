package jamf

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// Privileges of the API Roles and Clients endpoints (Jamf Pro API spec,
// x-required-privileges).
const (
	PrivReadAPIRoles          = "Read API Roles"
	PrivCreateAPIRoles        = "Create API Roles"
	PrivReadAPIIntegrations   = "Read API Integrations"
	PrivCreateAPIIntegrations = "Create API Integrations"
)

// APIRolesService manages API roles and API clients (which the Jamf Pro API
// calls API integrations).
type APIRolesService service

// APIRoles returns the service for API roles and clients.
func (c *Client) APIRoles() *APIRolesService { return (*APIRolesService)(&c.common) }

// APIRole is a role: a named set of privileges (schema ApiRole).
type APIRole struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	Privileges  []string `json:"privileges"`
}

// APIRoleRequest creates a role (schema ApiRoleRequest; both fields required).
type APIRoleRequest struct {
	DisplayName string   `json:"displayName"`
	Privileges  []string `json:"privileges"`
}

// APIIntegrationRequest creates an API client (schema ApiIntegrationRequest).
// AuthorizationScopes are role display names.
type APIIntegrationRequest struct {
	AuthorizationScopes        []string `json:"authorizationScopes"`
	DisplayName                string   `json:"displayName"`
	Enabled                    bool     `json:"enabled"`
	AccessTokenLifetimeSeconds int      `json:"accessTokenLifetimeSeconds,omitempty"`
}

// APIIntegration is an API client (schema ApiIntegrationResponse).
type APIIntegration struct {
	ID                         int      `json:"id"`
	AuthorizationScopes        []string `json:"authorizationScopes"`
	DisplayName                string   `json:"displayName"`
	Enabled                    bool     `json:"enabled"`
	AccessTokenLifetimeSeconds int      `json:"accessTokenLifetimeSeconds"`
	// AppType is CLIENT_CREDENTIALS once credentials exist, NONE before.
	AppType  string `json:"appType"`
	ClientID string `json:"clientId"`
}

// ClientCredentials are an API client's ID and secret (schema
// OAuthClientCredentials). The secret is shown once by Jamf Pro; keep it out
// of logs and files.
type ClientCredentials struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// String hides the secret, so a stray %v cannot print it.
func (c ClientCredentials) String() string { return "client " + c.ClientID + " (secret hidden)" }

// GoString hides the secret from %#v too.
func (c ClientCredentials) GoString() string { return c.String() }

// RolePrivileges lists every privilege name the server knows
// (GET /api/v1/api-role-privileges). Names change between Jamf Pro versions.
func (s *APIRolesService) RolePrivileges(ctx context.Context) ([]string, *Response, error) {
	var body struct {
		Privileges []string `json:"privileges"`
	}
	resp, err := s.client.do(ctx, &request{method: http.MethodGet, path: "api/v1/api-role-privileges", privileges: []string{PrivReadAPIRoles}}, &body)
	if err != nil {
		return nil, resp, err
	}
	return body.Privileges, resp, nil
}

// ListRoles returns every API role (GET /api/v1/api-roles, all pages).
// Filter fields: id, displayName.
func (s *APIRolesService) ListRoles(ctx context.Context, opts *ListOptions) ([]APIRole, *Response, error) {
	return listAll[APIRole](ctx, s.client, "api/v1/api-roles", nil, opts, PrivReadAPIRoles)
}

// CreateRole creates an API role (POST /api/v1/api-roles).
func (s *APIRolesService) CreateRole(ctx context.Context, role APIRoleRequest) (*APIRole, *Response, error) {
	if role.DisplayName == "" {
		return nil, nil, errors.New("jamf: CreateRole: a role needs a display name")
	}
	if role.Privileges == nil {
		role.Privileges = []string{}
	}
	r, err := jsonRequest(http.MethodPost, "api/v1/api-roles", role, PrivCreateAPIRoles)
	if err != nil {
		return nil, nil, err
	}
	var out APIRole
	resp, err := s.client.do(ctx, r, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// ListIntegrations returns every API client (GET /api/v1/api-integrations,
// all pages). Filter fields: id, displayName.
func (s *APIRolesService) ListIntegrations(ctx context.Context, opts *ListOptions) ([]APIIntegration, *Response, error) {
	return listAll[APIIntegration](ctx, s.client, "api/v1/api-integrations", nil, opts, PrivReadAPIIntegrations)
}

// CreateIntegration creates an API client bound to roles by display name
// (POST /api/v1/api-integrations). It has no credentials until
// CreateClientCredentials.
func (s *APIRolesService) CreateIntegration(ctx context.Context, in APIIntegrationRequest) (*APIIntegration, *Response, error) {
	if in.DisplayName == "" || len(in.AuthorizationScopes) == 0 {
		return nil, nil, errors.New("jamf: CreateIntegration: an API client needs a display name and at least one role")
	}
	r, err := jsonRequest(http.MethodPost, "api/v1/api-integrations", in, PrivCreateAPIIntegrations)
	if err != nil {
		return nil, nil, err
	}
	var out APIIntegration
	resp, err := s.client.do(ctx, r, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// CreateClientCredentials generates (or regenerates, invalidating the old
// secret) the client ID and secret of an API client
// (POST /api/v1/api-integrations/{id}/client-credentials).
func (s *APIRolesService) CreateClientCredentials(ctx context.Context, integrationID string) (*ClientCredentials, *Response, error) {
	if integrationID == "" {
		return nil, nil, errors.New("jamf: CreateClientCredentials: no API client ID")
	}
	r := &request{method: http.MethodPost, path: "api/v1/api-integrations/" + url.PathEscape(integrationID) + "/client-credentials",
		privileges: []string{PrivCreateAPIIntegrations}}
	var out ClientCredentials
	resp, err := s.client.do(ctx, r, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}
