package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/jamfops/jamfops/ops/mass"
)

// returnToServiceText collects the plan form's return-to-service
// parameters of ERASE_DEVICE: return-to-service, wifi-profile=FILE and
// mdm-profile=FILE.
type returnToServiceText struct {
	enabled, given bool
	wifi, mdm      string
}

// take keeps a return-to-service parameter and says whether it was one.
func (r *returnToServiceText) take(name, value string) bool {
	switch name {
	case "return-to-service":
		r.enabled = !strings.EqualFold(value, "no") && !strings.EqualFold(value, "false")
	case "wifi-profile":
		r.wifi = value
	case "mdm-profile":
		r.mdm = value
	default:
		return false
	}
	r.given = true
	return true
}

// option reads the profiles (checked like the CLI's flags).
func (r returnToServiceText) option() (*mass.ReturnToService, error) {
	if !r.given {
		return nil, nil
	}
	if !r.enabled {
		return nil, errors.New("wifi-profile and mdm-profile go with return-to-service")
	}
	out := &mass.ReturnToService{}
	for _, p := range []struct {
		path, payload, name string
		ref                 **mass.ProfileFile
	}{{r.wifi, mass.WiFiPayload, "wifi-profile", &out.WiFiProfile}, {r.mdm, mass.MDMPayload, "mdm-profile", &out.MDMProfile}} {
		if p.path == "" {
			continue
		}
		ref, _, err := mass.ReadProfile(expandHome(p.path), p.payload)
		if err != nil {
			return nil, errors.New(p.name + ": " + err.Error())
		}
		*p.ref = &ref
	}
	return out, nil
}

// expandHome reads a leading ~/ as the home directory, as a shell would.
func expandHome(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return path
}
