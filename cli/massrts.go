package cli

import (
	"github.com/spf13/pflag"

	"github.com/jamfops/jamfops/ops/mass"
)

// rtsFlags are ERASE_DEVICE's return-to-service flags.
type rtsFlags struct {
	enabled                 bool
	wifiProfile, mdmProfile string
	fs                      *pflag.FlagSet
}

func (r *rtsFlags) register(fs *pflag.FlagSet) {
	r.fs = fs
	fs.BoolVar(&r.enabled, "return-to-service", false, "ERASE_DEVICE: the device erases, joins Wi-Fi and enrolls again by itself (iOS/iPadOS 17, tvOS 18)")
	fs.StringVar(&r.wifiProfile, "wifi-profile", "", "ERASE_DEVICE --return-to-service: the Wi-Fi profile (.mobileconfig) the device joins with; the job keeps its path and hash, never its content")
	fs.StringVar(&r.mdmProfile, "mdm-profile", "", "ERASE_DEVICE --return-to-service: the enrollment profile, for devices not enrolled by Automated Device Enrollment")
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
	if out.WiFiProfile, err = read("wifi-profile", r.wifiProfile, mass.WiFiPayload); err != nil {
		return nil, err
	}
	if out.MDMProfile, err = read("mdm-profile", r.mdmProfile, mass.MDMPayload); err != nil {
		return nil, err
	}
	return out, nil
}
