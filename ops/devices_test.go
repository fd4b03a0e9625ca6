package ops_test

import (
	"encoding/json"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// TestMobileSupervisionOnlyWhenTheServerSaysIt: a mobile record says
// supervised true or false, and only false makes the device unsupervised;
// a record that does not say (an older Jamf Pro, a section left out) is
// not taken for an unsupervised device, whose supervised commands the
// preflight would skip.
func TestMobileSupervisionOnlyWhenTheServerSaysIt(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]bool{
		`{"mobileDeviceId":"1","supervised":false}`: true,
		`{"mobileDeviceId":"1","supervised":true}`:  false,
		`{"mobileDeviceId":"1"}`:                    false,
		`{"mobileDeviceId":"1","supervised":null}`:  false,
	} {
		var m jamf.MobileDevice
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		if got := ops.FromMobileDevice(m).Unsupervised; got != want {
			t.Errorf("%s: unsupervised %v, want %v", body, got, want)
		}
	}
}
