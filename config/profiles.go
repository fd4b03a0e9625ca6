// Package config stores jamfops connection profiles. Profiles hold no
// secrets: those live only in the OS keychain (or the environment).
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/jamfops/jamfops/internal/atomicfile"
	"github.com/jamfops/jamfops/jamf"
)

// Auth kinds of a profile.
const (
	AuthClient = "client" // API client (OAuth client credentials), recommended
	AuthUser   = "user"   // user account (basic → bearer token)
)

// Profile is one saved connection.
type Profile struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	Auth     string `json:"auth"`
	ClientID string `json:"clientId,omitempty"`
	Username string `json:"username,omitempty"`
	// JSCAppID is the optional Jamf Security Cloud Risk API application ID.
	JSCAppID string `json:"jscAppId,omitempty"`
	ReadOnly bool   `json:"readOnly"`
	// Accent is a colour for the header ("#d70000" marks production).
	Accent string `json:"accent,omitempty"`
}

// Identity is the non-secret credential name: client ID or username.
func (p Profile) Identity() string {
	if p.Auth == AuthUser {
		return p.Username
	}
	return p.ClientID
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)
var accentRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// Validate checks a profile before it is saved.
func (p Profile) Validate() error {
	if !nameRE.MatchString(p.Name) {
		return fmt.Errorf("profile name %q: use letters, digits, '.', '_' or '-' (up to 40)", p.Name)
	}
	if _, err := jamf.ParseServerURL(p.URL); err != nil {
		return err
	}
	switch p.Auth {
	case AuthClient:
		if strings.TrimSpace(p.ClientID) == "" {
			return errors.New("an API client profile needs a client ID")
		}
	case AuthUser:
		if strings.TrimSpace(p.Username) == "" {
			return errors.New("a user profile needs a username")
		}
	default:
		return fmt.Errorf("auth must be %q or %q", AuthClient, AuthUser)
	}
	if p.Accent != "" && !accentRE.MatchString(p.Accent) {
		return fmt.Errorf("accent %q: use a colour like #d70000", p.Accent)
	}
	return nil
}

// File is the profiles file.
type File struct {
	Active   string    `json:"active"`
	Profiles []Profile `json:"profiles"`
}

// DefaultPath is profiles.json in the user config directory.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory: %w", err)
	}
	return filepath.Join(dir, "jamfops", "profiles.json"), nil
}

// Load reads the profiles file; a missing file is an empty one.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading profiles: %w", err)
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("profiles file %s is damaged: %w", path, err)
	}
	return &f, nil
}

// Save writes the file atomically with mode 0600.
func (f *File) Save(path string) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'))
}

// Get returns the named profile, or the active one when name is "".
func (f *File) Get(name string) (Profile, error) {
	if name == "" {
		name = f.Active
	}
	if name == "" {
		return Profile{}, errors.New("no active profile: run 'jamfops login' or set JAMF_URL")
	}
	i := slices.IndexFunc(f.Profiles, func(p Profile) bool { return p.Name == name })
	if i < 0 {
		return Profile{}, fmt.Errorf("no profile named %q (jamfops profiles lists them)", name)
	}
	return f.Profiles[i], nil
}

// Put adds or replaces a profile and makes it active.
func (f *File) Put(p Profile) {
	i := slices.IndexFunc(f.Profiles, func(q Profile) bool { return q.Name == p.Name })
	if i >= 0 {
		f.Profiles[i] = p
	} else {
		f.Profiles = append(f.Profiles, p)
	}
	f.Active = p.Name
}

// Names lists the profile names.
func (f *File) Names() []string {
	out := make([]string, len(f.Profiles))
	for i, p := range f.Profiles {
		out[i] = p.Name
	}
	return out
}
