package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jamfops/jamfops/ops/mass"
)

// returnToServiceText collects the plan form's return-to-service
// parameters of ERASE_DEVICE: return-to-service, wifi-profile=FILE and
// mdm-profile=FILE.
type returnToServiceText struct {
	enabled, profiles bool
	wifi, mdm         string
	err               error // the first parameter refused
}

// take keeps a return-to-service parameter and says whether it was one.
// The switch reads yes or no like the form's other switches, and a
// profile named twice is refused (which one was meant is not for the form
// to guess on an erase).
func (r *returnToServiceText) take(name, value string) bool {
	refuse := func(format string, args ...any) {
		if r.err == nil {
			r.err = fmt.Errorf(format, args...)
		}
	}
	switch name {
	case "return-to-service":
		switch strings.ToLower(value) {
		case "", "yes", "true":
			r.enabled = true
		case "no", "false":
			r.enabled = false
		default:
			refuse("return-to-service is yes or no")
		}
	case "wifi-profile", "mdm-profile":
		at := &r.wifi
		if name == "mdm-profile" {
			at = &r.mdm
		}
		if *at != "" {
			refuse("%s is given twice", name)
		}
		*at, r.profiles = value, true
	default:
		return false
	}
	return true
}

// option reads the profiles (checked like the CLI's flags).
func (r returnToServiceText) option() (*mass.ReturnToService, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.enabled {
		if r.profiles {
			return nil, errors.New("wifi-profile and mdm-profile go with return-to-service")
		}
		return nil, nil
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
