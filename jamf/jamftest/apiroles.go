package jamftest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// accessStore holds the API roles and API clients created through the API.
type accessStore struct {
	roles        []*apiRole
	integrations []*apiIntegration
	lastRole     int
	lastClient   int
}

type apiRole struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	Privileges  []string `json:"privileges"`
}

type apiIntegration struct {
	ID                         int      `json:"id"`
	AuthorizationScopes        []string `json:"authorizationScopes"`
	DisplayName                string   `json:"displayName"`
	Enabled                    bool     `json:"enabled"`
	AccessTokenLifetimeSeconds int      `json:"accessTokenLifetimeSeconds"`
	AppType                    string   `json:"appType"`
	ClientID                   string   `json:"clientId"`
	secret                     string
}

// AccessRecord is one API role or API client change in the admin log.
type AccessRecord struct {
	// At is the simulation time of the change.
	At time.Time
	// Kind is "role", "api client" or "client credentials".
	Kind string
	// ID is the role or API client ID.
	ID          string
	DisplayName string
	// Privileges are a role's privileges; Scopes an API client's roles.
	Privileges []string
	Scopes     []string
	// Sender is the API client ID or username that made the change.
	Sender string
}

// recordAccess logs an API role or client change.
func (l *AdminLog) recordAccess(r AccessRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.access = append(l.access, r)
}

// AccessChanges returns every API role and client change, in order.
func (l *AdminLog) AccessChanges() []AccessRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.access)
}

// KnownPrivileges returns every privilege name the server accepts in an API
// role, as GET /api/v1/api-role-privileges lists them: what jamfops may
// need plus a few it never uses.
func KnownPrivileges() []string {
	out := append(AllPrivileges(),
		"Read Accounts", "Update Accounts", "Read Policies", "Create Policies", "Update Policies",
		"Update Computers", "Delete Computers", "Update Mobile Devices", "Delete Mobile Devices",
		"Update Smart Computer Groups", "Update Static Computer Groups", "Send Computer Unmanage Command",
		"Send Command to Renew MDM Profile", "Update API Roles", "Delete API Roles", "Update API Integrations",
		"Delete API Integrations")
	slices.Sort(out)
	return slices.Compact(out)
}

func (s *Server) registerAPIRoleRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/api-role-privileges", s.handleRolePrivileges, "Read API Roles")
	s.handle(mux, "GET /api/v1/api-roles", s.handleListRoles, "Read API Roles")
	s.handle(mux, "POST /api/v1/api-roles", s.handleCreateRole, "Create API Roles")
	s.handle(mux, "GET /api/v1/api-integrations", s.handleListIntegrations, "Read API Integrations")
	s.handle(mux, "POST /api/v1/api-integrations", s.handleCreateIntegration, "Create API Integrations")
	s.handle(mux, "POST /api/v1/api-integrations/{id}/client-credentials", s.handleClientCredentials, "Create API Integrations")
}

func (s *Server) handleRolePrivileges(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"privileges": KnownPrivileges()})
}

func roleField(r apiRole, field string) (string, bool) {
	switch field {
	case "id":
		return r.ID, true
	case "displayName":
		return r.DisplayName, true
	}
	return "", false
}

func integrationField(i apiIntegration, field string) (string, bool) {
	switch field {
	case "id":
		return strconv.Itoa(i.ID), true
	case "displayName":
		return i.DisplayName, true
	}
	return "", false
}

// handleListRoles is GET /api/v1/api-roles (ApiRoleResult).
func (s *Server) handleListRoles(w http.ResponseWriter, r *http.Request) {
	lq, fault := parseListQuery(r, "id:asc", func(f string) bool { _, ok := roleField(apiRole{}, f); return ok })
	if fault != nil {
		fault.write(w)
		return
	}
	s.mu.Lock()
	all := make([]apiRole, len(s.access.roles))
	for i, role := range s.access.roles {
		all[i] = apiRole{ID: role.ID, DisplayName: role.DisplayName, Privileges: slices.Clone(role.Privileges)}
	}
	s.mu.Unlock()
	page, total := selectRecords(all, lq, roleField)
	if page == nil {
		page = []apiRole{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": total, "results": page})
}

// handleCreateRole is POST /api/v1/api-roles (ApiRoleRequest → 200 ApiRole).
func (s *Server) handleCreateRole(w http.ResponseWriter, r *http.Request) {
	var body struct {
		DisplayName *string   `json:"displayName"`
		Privileges  *[]string `json:"privileges"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeAPIError(w, http.StatusBadRequest, "INVALID_JSON", "The request body is not valid JSON", "")
		return
	}
	if body.DisplayName == nil || strings.TrimSpace(*body.DisplayName) == "" {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "displayName is required", "displayName")
		return
	}
	if body.Privileges == nil {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "privileges is required", "privileges")
		return
	}
	known := KnownPrivileges()
	for _, p := range *body.Privileges {
		if _, ok := slices.BinarySearch(known, p); !ok {
			writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "Privilege '"+p+"' does not exist", "privileges")
			return
		}
	}
	privs := slices.Clone(*body.Privileges)
	slices.Sort(privs)
	privs = slices.Compact(privs)
	s.mu.Lock()
	for _, role := range s.access.roles {
		if strings.EqualFold(role.DisplayName, *body.DisplayName) {
			s.mu.Unlock()
			writeAPIError(w, http.StatusBadRequest, "DUPLICATE_FIELD", "A role with this display name already exists", "displayName")
			return
		}
	}
	s.access.lastRole++
	role := &apiRole{ID: strconv.Itoa(s.access.lastRole), DisplayName: *body.DisplayName, Privileges: privs}
	s.access.roles = append(s.access.roles, role)
	now := s.clock.Now()
	s.mu.Unlock()
	s.log.recordAccess(AccessRecord{At: now, Kind: "role", ID: role.ID, DisplayName: role.DisplayName, Privileges: slices.Clone(privs), Sender: tokenFrom(r).identity})
	writeJSON(w, http.StatusOK, role)
}

// handleListIntegrations is GET /api/v1/api-integrations (ApiIntegrationSearchResult).
func (s *Server) handleListIntegrations(w http.ResponseWriter, r *http.Request) {
	lq, fault := parseListQuery(r, "id:asc", func(f string) bool { _, ok := integrationField(apiIntegration{}, f); return ok })
	if fault != nil {
		fault.write(w)
		return
	}
	s.mu.Lock()
	all := make([]apiIntegration, len(s.access.integrations))
	for i, in := range s.access.integrations {
		all[i] = *in
		all[i].AuthorizationScopes = slices.Clone(in.AuthorizationScopes)
	}
	s.mu.Unlock()
	page, total := selectRecords(all, lq, integrationField)
	if page == nil {
		page = []apiIntegration{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": total, "results": page})
}

// handleCreateIntegration is POST /api/v1/api-integrations
// (ApiIntegrationRequest → 201 ApiIntegrationResponse).
func (s *Server) handleCreateIntegration(w http.ResponseWriter, r *http.Request) {
	var body struct {
		AuthorizationScopes *[]string `json:"authorizationScopes"`
		DisplayName         *string   `json:"displayName"`
		Enabled             *bool     `json:"enabled"`
		Lifetime            *int      `json:"accessTokenLifetimeSeconds"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeAPIError(w, http.StatusBadRequest, "INVALID_JSON", "The request body is not valid JSON", "")
		return
	}
	if body.DisplayName == nil || strings.TrimSpace(*body.DisplayName) == "" {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "displayName is required", "displayName")
		return
	}
	if body.AuthorizationScopes == nil || len(*body.AuthorizationScopes) == 0 {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "authorizationScopes needs at least one API role", "authorizationScopes")
		return
	}
	life := int(defaultOAuthLife.Seconds())
	if body.Lifetime != nil {
		if *body.Lifetime <= 0 {
			writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "accessTokenLifetimeSeconds must be positive", "accessTokenLifetimeSeconds")
			return
		}
		life = *body.Lifetime
	}
	s.mu.Lock()
	for _, scope := range *body.AuthorizationScopes {
		if s.roleByName(scope) == nil {
			s.mu.Unlock()
			writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "API role '"+scope+"' does not exist", "authorizationScopes")
			return
		}
	}
	for _, in := range s.access.integrations {
		if strings.EqualFold(in.DisplayName, *body.DisplayName) {
			s.mu.Unlock()
			writeAPIError(w, http.StatusBadRequest, "DUPLICATE_FIELD", "An API client with this display name already exists", "displayName")
			return
		}
	}
	s.access.lastClient++
	in := &apiIntegration{ID: s.access.lastClient, AuthorizationScopes: slices.Clone(*body.AuthorizationScopes), DisplayName: *body.DisplayName,
		Enabled: body.Enabled != nil && *body.Enabled, AccessTokenLifetimeSeconds: life, AppType: "NONE", ClientID: newUUID()}
	s.access.integrations = append(s.access.integrations, in)
	answer := *in
	answer.AuthorizationScopes = slices.Clone(in.AuthorizationScopes)
	s.mu.Unlock()
	s.log.recordAccess(AccessRecord{At: s.clock.Now(), Kind: "api client", ID: strconv.Itoa(answer.ID), DisplayName: answer.DisplayName,
		Scopes: slices.Clone(answer.AuthorizationScopes), Sender: tokenFrom(r).identity})
	writeJSON(w, http.StatusCreated, answer)
}

// handleClientCredentials is POST /api/v1/api-integrations/{id}/client-credentials:
// a new secret (the old one stops working).
func (s *Server) handleClientCredentials(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	var in *apiIntegration
	for _, cand := range s.access.integrations {
		if err == nil && cand.ID == id {
			in = cand
		}
	}
	if in == nil {
		s.mu.Unlock()
		writeAPIError(w, http.StatusNotFound, "NOT_FOUND", "API client not found", "id")
		return
	}
	in.secret = randomHex(24)
	in.AppType = "CLIENT_CREDENTIALS"
	clientID, secret, name := in.ClientID, in.secret, in.DisplayName
	s.mu.Unlock()
	s.log.recordAccess(AccessRecord{At: s.clock.Now(), Kind: "client credentials", ID: strconv.Itoa(id), DisplayName: name, Sender: tokenFrom(r).identity})
	writeJSON(w, http.StatusOK, map[string]string{"clientId": clientID, "clientSecret": secret})
}

// roleByName finds a role by display name; the caller holds s.mu.
func (s *Server) roleByName(name string) *apiRole {
	for _, role := range s.access.roles {
		if role.DisplayName == name {
			return role
		}
	}
	return nil
}

// apiClients returns the configured API clients and the enabled ones created
// through the API that have credentials, with their roles' privileges.
func (s *Server) apiClients() []APIClient {
	out := slices.Clone(s.opts.Clients)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.access.integrations {
		if !in.Enabled || in.secret == "" {
			continue
		}
		var privs []string
		for _, scope := range in.AuthorizationScopes {
			if role := s.roleByName(scope); role != nil {
				privs = append(privs, role.Privileges...)
			}
		}
		out = append(out, APIClient{ID: in.ClientID, Secret: in.secret, Privileges: privs,
			TokenLifetime: time.Duration(in.AccessTokenLifetimeSeconds) * time.Second})
	}
	return out
}

// APIRoleInfo is an API role the server holds.
type APIRoleInfo struct {
	ID, DisplayName string
	Privileges      []string
}

// APIClientInfo is an API client created through the API (the secret is
// never exposed).
type APIClientInfo struct {
	ID            int
	DisplayName   string
	Roles         []string
	Enabled       bool
	TokenLifetime time.Duration
	ClientID      string
	HasSecret     bool
}

// APIRoles returns the API roles created through the API.
func (s *Server) APIRoles() []APIRoleInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]APIRoleInfo, len(s.access.roles))
	for i, r := range s.access.roles {
		out[i] = APIRoleInfo{ID: r.ID, DisplayName: r.DisplayName, Privileges: slices.Clone(r.Privileges)}
	}
	return out
}

// APIClients returns the API clients created through the API.
func (s *Server) APIClients() []APIClientInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]APIClientInfo, len(s.access.integrations))
	for i, in := range s.access.integrations {
		out[i] = APIClientInfo{ID: in.ID, DisplayName: in.DisplayName, Roles: slices.Clone(in.AuthorizationScopes), Enabled: in.Enabled,
			TokenLifetime: time.Duration(in.AccessTokenLifetimeSeconds) * time.Second, ClientID: in.ClientID, HasSecret: in.secret != ""}
	}
	return out
}

// newUUID makes a random lower-case UUID-shaped client ID.
func newUUID() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
