package cli

import (
	"errors"

	"github.com/spf13/pflag"

	"github.com/jamfops/jamfops/ops/mass"
)

// rtsFlags are ERASE_DEVICE's return-to-service flags.
type rtsFlags struct {
	enabled                 bool
	wifiProfile, mdmProfile profileFlag
	fs                      *pflag.FlagSet
}

func (r *rtsFlags) register(fs *pflag.FlagSet) {
	r.fs = fs
	fs.BoolVar(&r.enabled, "return-to-service", false, "ERASE_DEVICE: the device erases, joins Wi-Fi and enrolls again by itself (iOS/iPadOS 17, tvOS 18)")
	fs.Var(&r.wifiProfile, "wifi-profile", "ERASE_DEVICE --return-to-service: the Wi-Fi profile (.mobileconfig) the device joins with; the job keeps its path and hash, never its content")
	fs.Var(&r.mdmProfile, "mdm-profile", "ERASE_DEVICE --return-to-service: the enrollment profile, for devices not enrolled by Automated Device Enrollment")
}

// option reads and checks the flags before any connection: the profiles
// must exist and carry their payloads, and go with --return-to-service on
// ERASE_DEVICE (a usage error otherwise).
func (r *rtsFlags) option(a mass.Action) (*mass.ReturnToService, error) {
	if !r.enabled {
		for _, n := range []string{"wifi-profile", "mdm-profile"} {
			if r.fs.Changed(n) {
				return nil, usageErrorf("--%s goes with --return-to-service", n)
			}
		}
		return nil, nil
	}
	if a.Kind != mass.KindCommand || a.CommandType != "ERASE_DEVICE" {
		return nil, usageErrorf("--return-to-service is an option of ERASE_DEVICE, not %s", a)
	}
	out := &mass.ReturnToService{}
	read := func(flag, path, payload string) (*mass.ProfileFile, error) {
		if !r.fs.Changed(flag) {
			return nil, nil
		}
		if path == "" {
			return nil, usageErrorf("--%s: give a file", flag)
		}
		ref, _, err := mass.ReadProfile(path, payload)
		if err != nil {
			return nil, usageErrorf("--%s: %v", flag, err)
		}
		return &ref, nil
	}
	var err error
	if out.WiFiProfile, err = read("wifi-profile", r.wifiProfile.path, mass.WiFiPayload); err != nil {
		return nil, err
	}
	if out.MDMProfile, err = read("mdm-profile", r.mdmProfile.path, mass.MDMPayload); err != nil {
		return nil, err
	}
	return out, nil
}

// profileFlag is a profile file flag that refuses to be given twice: with
// two profiles on an erase, which one was meant is not for jamfops to
// guess (a plain string flag would silently keep the last).
type profileFlag struct {
	path  string
	given bool
}

// String is the path given (pflag.Value).
func (p *profileFlag) String() string { return p.path }

// Set takes the path, refusing a second one (pflag.Value).
func (p *profileFlag) Set(v string) error {
	if p.given {
		return errors.New("is given twice")
	}
	p.path, p.given = v, true
	return nil
}

// Type names the value in --help (pflag.Value).
func (p *profileFlag) Type() string { return "FILE" }
