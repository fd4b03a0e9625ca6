package jamf

import (
	"context"
	"net/http"
	"slices"
	"sort"
)

// CommandPrivilege names the Jamf Pro privilege that sending commandType to
// devices of the platform needs, besides PrivViewMDMCommands. It returns ""
// where no single privilege is documented (for example SETTINGS, whose
// privilege depends on the setting). Names follow Jamf Pro 11.x; read the
// server's own list to be sure.
func CommandPrivilege(platform Platform, commandType string) string {
	switch commandType {
	case "DEVICE_INFORMATION":
		return "Send Device Information Command"
	case "DECLARATIVE_MANAGEMENT":
		return "Send Declarative Management Command"
	case "SET_RECOVERY_LOCK", "VERIFY_RECOVERY_LOCK":
		return "Send Set Recovery Lock Command"
	}
	if platform == PlatformMobile {
		switch commandType {
		case "DEVICE_LOCK":
			return "Send Mobile Device Remote Lock Command"
		case "ERASE_DEVICE":
			return "Send Mobile Device Remote Wipe Command"
		case "RESTART_DEVICE":
			return "Send Mobile Device Restart Device Command"
		case "SHUT_DOWN_DEVICE":
			return "Send Mobile Device Shut Down Command"
		case "ENABLE_LOST_MODE", "DISABLE_LOST_MODE", "PLAY_LOST_MODE_SOUND", "DEVICE_LOCATION":
			return "Send Mobile Device Lost Mode Command"
		case "CLEAR_PASSCODE":
			return "Send Mobile Device Remove Passcode Command"
		case "CLEAR_RESTRICTIONS_PASSWORD":
			return "Send Mobile Device Remove Restrictions Password Command"
		case "REQUEST_MIRRORING", "STOP_MIRRORING":
			return "Send Mobile Device Mirroring Command"
		case "REFRESH_CELLULAR_PLANS":
			return "Send Mobile Device Refresh Cellular Plans Command"
		case "LOG_OUT_USER", "DELETE_USER":
			return "Send Mobile Device Shared iPad Commands"
		}
		return ""
	}
	switch commandType {
	case "DEVICE_LOCK":
		return "Send Computer Remote Lock Command"
	case "ERASE_DEVICE":
		return "Send Computer Remote Wipe Command"
	case "RESTART_DEVICE":
		return "Send Computer Restart Command"
	case "SHUT_DOWN_DEVICE":
		return "Send Computer Shut Down Command"
	case "ENABLE_REMOTE_DESKTOP", "DISABLE_REMOTE_DESKTOP":
		return "Send Computer Remote Desktop Command"
	case "UNLOCK_USER_ACCOUNT":
		return "Send Computer Unlock User Account Command"
	case "DELETE_USER":
		return "Send Computer Delete User Account Command"
	}
	return ""
}

// Privileges is the set of Jamf Pro privileges a credential holds.
type Privileges struct {
	names map[string]bool
	// Known is false when the server did not say (some API-client tokens
	// describe no privileges); then Has answers true and calls find out.
	Known bool
}

// NewPrivileges builds a known privilege set.
func NewPrivileges(names ...string) *Privileges {
	p := &Privileges{names: make(map[string]bool, len(names)), Known: true}
	for _, n := range names {
		p.names[n] = true
	}
	return p
}

// Has reports whether the credential holds name (true when unknown).
func (p *Privileges) Has(name string) bool {
	if p == nil || !p.Known {
		return true
	}
	return p.names[name]
}

// Missing returns the names the credential lacks, in the order given.
func (p *Privileges) Missing(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" && !p.Has(n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Names returns the held privileges, sorted.
func (p *Privileges) Names() []string {
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(p.names))
	for n := range p.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// AuthService reads who the client is and what it may do.
type AuthService service

// Authorization is the answer of GET /api/v1/auth (AuthorizationV1), reduced
// to what the console uses.
type Authorization struct {
	Account struct {
		ID               string              `json:"id"`
		Username         string              `json:"username"`
		AccessLevel      string              `json:"accessLevel"`
		PrivilegeSet     string              `json:"privilegeSet"`
		PrivilegesBySite map[string][]string `json:"privilegesBySite"`
		CurrentSiteID    string              `json:"currentSiteId"`
	} `json:"account"`
	AccountGroups []struct {
		Privileges []string `json:"privileges"`
	} `json:"accountGroups"`
	AuthenticationType string `json:"authenticationType"`
}

// GetAuthorization returns the calling account's details and privileges
// (GET /api/v1/auth).
func (s *AuthService) GetAuthorization(ctx context.Context) (*Authorization, *Response, error) {
	var a Authorization
	resp, err := s.client.do(ctx, &request{method: http.MethodGet, path: "api/v1/auth"}, &a)
	if err != nil {
		return nil, resp, err
	}
	return &a, resp, nil
}

// Privileges returns the union of the credential's privileges over its
// sites and account groups. The result is cached for the client's lifetime.
func (s *AuthService) Privileges(ctx context.Context) (*Privileges, error) {
	c := s.client
	c.privMu.Lock()
	cached := c.privileges
	c.privMu.Unlock()
	if cached != nil {
		return cached, nil
	}
	a, _, err := s.GetAuthorization(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, list := range a.Account.PrivilegesBySite {
		names = append(names, list...)
	}
	for _, g := range a.AccountGroups {
		names = append(names, g.Privileges...)
	}
	p := NewPrivileges(names...)
	p.Known = len(names) > 0
	c.privMu.Lock()
	c.privileges = p
	c.privMu.Unlock()
	return p, nil
}

// Version returns the Jamf Pro version string (GET /api/v1/jamf-pro-version).
func (s *AuthService) Version(ctx context.Context) (string, *Response, error) {
	var v struct {
		Version string `json:"version"`
	}
	resp, err := s.client.do(ctx, &request{method: http.MethodGet, path: "api/v1/jamf-pro-version"}, &v)
	return v.Version, resp, err
}
