package mass_test

import (
	"slices"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// TestBulkCommandsInPrivilegeTable keeps the runner's command list and the
// shared privilege table (doctor, setup roles) the same.
func TestBulkCommandsInPrivilegeTable(t *testing.T) {
	t.Parallel()
	if !slices.Equal(mass.BulkCommands(), ops.BulkCommandTypes()) {
		t.Fatalf("mass.BulkCommands() = %q, ops.BulkCommandTypes() = %q", mass.BulkCommands(), ops.BulkCommandTypes())
	}
	for _, platform := range []jamf.Platform{jamf.PlatformComputer, jamf.PlatformMobile} {
		for _, ct := range mass.BulkCommands() {
			if ops.CommandFeatureID(platform, ct) == "" {
				t.Errorf("%s %s has no feature in the privilege table", platform, ct)
			}
		}
	}
}
