package cli

import (
	"strings"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc/jsctest"
)

// jscDemoOptions enrols the demo Jamf Pro fleet in the demo JSC: Macs,
// iPhones and iPads run Jamf Trust (Apple TVs do not), a few devices have
// not installed it yet, and some personal phones are in JSC only.
func jscDemoOptions(srv *jamftest.Server, seed uint64) jsctest.Options {
	var devs []jsctest.ExternalDevice
	for i, id := range srv.Identities() {
		if strings.Contains(id.Model, "Apple TV") || i%23 == 7 {
			continue
		}
		os := "MAC_OS"
		if id.Mobile {
			os = "IOS"
		}
		devs = append(devs, jsctest.ExternalDevice{UDID: id.UDID, Name: id.Name, User: id.User, Email: id.Email, OSType: os})
	}
	return jsctest.Options{Seed: seed, Devices: devs, Unmanaged: 15}
}
