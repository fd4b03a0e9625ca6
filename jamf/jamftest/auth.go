package jamftest

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// token is an issued bearer token.
type token struct {
	value      string
	identity   string // client ID or username
	user       bool
	privileges map[string]bool
	issued     time.Time
	expires    time.Time
	revoked    bool
}

// AllPrivileges returns every privilege jamfops may need: a full admin.
func AllPrivileges() []string {
	return append(ReadOnlyPrivileges(),
		"Flush MDM Commands", "Send MDM command information in Jamf Pro API",
		"Send Computer Remote Lock Command", "Send Computer Remote Wipe Command", "Send Computer Restart Command",
		"Send Computer Shut Down Command", "Send Computer Remote Desktop Command", "Send Computer Unlock User Account Command",
		"Send Computer Delete User Account Command", "Send Device Information Command", "Send Declarative Management Command",
		"Send Set Recovery Lock Command", "Send Mobile Device Remote Lock Command", "Send Mobile Device Remote Wipe Command",
		"Send Mobile Device Restart Device Command", "Send Mobile Device Shut Down Command", "Send Mobile Device Lost Mode Command",
		"Send Mobile Device Remove Passcode Command", "Send Mobile Device Remove Restrictions Password Command",
		"Send Mobile Device Mirroring Command", "Send Mobile Device Refresh Cellular Plans Command",
		"Send Mobile Device Shared iPad Commands", "Send Blank Pushes to Mobile Devices",
		"Read API Roles", "Create API Roles", "Read API Integrations", "Create API Integrations",
		"Read Managed Software Updates", "Create Managed Software Updates",
		"Send Computer Remote Command to Download and Install OS X Update",
		"Send Mobile Device Remote Command to Download and Install iOS Update")
}

// ReadOnlyPrivileges returns a help-desk role: it can look, not act.
func ReadOnlyPrivileges() []string {
	return []string{"Read Computers", "Read Mobile Devices", "Read Smart Computer Groups", "Read Static Computer Groups",
		"Read Smart Mobile Device Groups", "Read Static Mobile Device Groups", "View MDM command information in Jamf Pro API"}
}

func privilegeSet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func secretEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// newTokenValue makes an opaque JWT-shaped token.
func newTokenValue() string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + enc.EncodeToString([]byte(randomHex(12))) + "." + randomHex(16)
}

func (s *Server) issue(identity string, user bool, privs []string, life time.Duration) *token {
	now := s.clock.Now()
	t := &token{value: newTokenValue(), identity: identity, user: user, privileges: privilegeSet(privs), issued: now, expires: now.Add(life)}
	s.tokens[t.value] = t
	return t
}

// handleOAuthToken is POST /api/v1/oauth/token (client credentials).
func (s *Server) handleOAuthToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	for _, c := range s.apiClients() {
		if c.ID == id && secretEqual(c.Secret, secret) {
			life := c.TokenLifetime
			if life <= 0 {
				life = defaultOAuthLife
			}
			s.mu.Lock()
			t := s.issue(id, false, c.Privileges, life)
			s.mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]any{"access_token": t.value, "token_type": "Bearer", "scope": "api-role:1", "expires_in": int(life.Seconds())})
			return
		}
	}
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed"})
}

// handleUserToken is POST /api/v1/auth/token (basic auth → bearer).
func (s *Server) handleUserToken(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if ok {
		for _, u := range s.opts.Users {
			if u.Username == user && secretEqual(u.Password, pass) {
				life := u.TokenLifetime
				if life <= 0 {
					life = defaultUserLife
				}
				s.mu.Lock()
				t := s.issue(user, true, u.Privileges, life)
				s.mu.Unlock()
				writeJSON(w, http.StatusOK, map[string]string{"token": t.value, "expires": t.expires.Format("2006-01-02T15:04:05.000Z")})
				return
			}
		}
	}
	writeAPIError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Unauthorized", "")
}

// bearer finds the request's valid token, or nil.
func (s *Server) bearer(r *http.Request) *token {
	h := r.Header.Get("Authorization")
	value, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[value]
	if t == nil || t.revoked || !s.clock.Now().Before(t.expires) {
		return nil
	}
	return t
}

// handleKeepAlive is POST /api/v1/auth/keep-alive: a new token, the old one dies.
func (s *Server) handleKeepAlive(w http.ResponseWriter, r *http.Request) {
	t := tokenFrom(r)
	s.mu.Lock()
	t.revoked = true
	var privs []string
	for p := range t.privileges {
		privs = append(privs, p)
	}
	nt := s.issue(t.identity, t.user, privs, t.expires.Sub(t.issued))
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"token": nt.value, "expires": nt.expires.Format("2006-01-02T15:04:05.000Z")})
}

// handleInvalidate is POST /api/v1/auth/invalidate-token.
func (s *Server) handleInvalidate(w http.ResponseWriter, r *http.Request) {
	t := tokenFrom(r)
	s.mu.Lock()
	t.revoked = true
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// handleAuth is GET /api/v1/auth: who the token belongs to and what it may do.
func (s *Server) handleAuth(w http.ResponseWriter, r *http.Request) {
	t := tokenFrom(r)
	privs := make([]string, 0, len(t.privileges))
	for p := range t.privileges {
		privs = append(privs, p)
	}
	sortStrings(privs)
	authType, set := "CLIENT_CREDENTIALS", "CUSTOM"
	if t.user {
		authType = "JSS"
	}
	body := map[string]any{
		"account": map[string]any{
			"id": "1", "username": t.identity, "realName": t.identity, "email": "",
			"preferences":    map[string]any{"language": "en", "dateFormat": "yyyy/MM/dd", "region": "Europe", "timezone": "UTC", "disableRelativeDates": false},
			"multiSiteAdmin": true, "accessLevel": "FullAccess", "privilegeSet": set,
			"privilegesBySite": map[string][]string{"-1": privs}, "groupIds": []string{}, "currentSiteId": "-1",
		},
		"accountGroups":      []any{},
		"sites":              []any{},
		"authenticationType": authType,
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) handleVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": s.opts.Version})
}

// decodeJSON reads a JSON request body of at most 8 MiB.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 8<<20))
	return dec.Decode(v)
}
