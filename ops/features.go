package ops

import (
	"slices"
	"strings"

	"github.com/jamfops/jamfops/jamf"
)

// Feature IDs of the privilege table. Command features have IDs
// "send:<platform>:<first command type>" ("send:<platform>:other" for the
// commands that need no privilege of their own); see CommandFeatureID.
const (
	FeatureBrowse     = "browse"
	FeatureQueue      = "queue"
	FeatureBlankPush  = "blank-push"
	FeatureFlush      = "flush"
	FeatureRisk       = "risk"
	FeatureSetupRoles = "setup-roles"
)

// Feature is something jamfops does and the Jamf Pro privileges it needs:
// the one privilege table that doctor, setup roles and the personas share.
type Feature struct {
	// ID is stable and machine-readable ("browse", "send:computer:RESTART_DEVICE").
	ID string `json:"id"`
	// Name says what the feature does, for people.
	Name string `json:"name"`
	// Privileges are the Jamf Pro privileges it needs, all of them.
	Privileges []string `json:"privileges"`
	// Commands are the MDM command types a "send:" feature covers.
	Commands []string `json:"commands,omitempty"`
}

// BulkCommandTypes are the MDM command types jamfops sends in bulk (mass.Catalogue's
// order; a test keeps them equal).
func BulkCommandTypes() []string {
	return []string{"RESTART_DEVICE", "SHUT_DOWN_DEVICE", "DEVICE_LOCK", "ERASE_DEVICE", "ENABLE_LOST_MODE", "DISABLE_LOST_MODE",
		"LOG_OUT_USER", "DECLARATIVE_MANAGEMENT", "DEVICE_INFORMATION", "SECURITY_INFO", "PROFILE_LIST",
		"INSTALLED_APPLICATION_LIST", "CERTIFICATE_LIST"}
}

// readPrivileges are what looking at groups, members and devices needs.
func readPrivileges() []string {
	return []string{jamf.PrivReadComputers, jamf.PrivReadMobileDevices, jamf.PrivReadSmartComputerGrps,
		jamf.PrivReadStaticComputerGrps, jamf.PrivReadSmartMobileGrps, jamf.PrivReadStaticMobileGrps}
}

// Features returns the privilege table: every feature, in a stable order.
// Sending a command needs "View MDM command information in Jamf Pro API"
// plus the command's own privilege (jamf.CommandPrivilege); commands that
// share a privilege on a platform share a feature.
func Features() []Feature {
	out := []Feature{
		{ID: FeatureBrowse, Name: "browse groups, members and devices", Privileges: readPrivileges()},
		{ID: FeatureQueue, Name: "read MDM command queues and history",
			Privileges: []string{jamf.PrivViewMDMCommands, jamf.PrivReadComputers, jamf.PrivReadMobileDevices}},
		{ID: FeatureBlankPush, Name: "blank push", Privileges: []string{jamf.PrivViewMDMCommands}},
		{ID: FeatureFlush, Name: "flush pending or failed commands", Privileges: []string{jamf.PrivFlushMDMCommands}},
		{ID: FeatureRisk, Name: "join JSC risk to Jamf Pro devices and groups", Privileges: readPrivileges()},
	}
	for _, platform := range []jamf.Platform{jamf.PlatformComputer, jamf.PlatformMobile} {
		out = append(out, commandFeatures(platform)...)
	}
	out = append(out, Feature{ID: FeatureSetupRoles, Name: "create API roles and clients (setup roles)",
		Privileges: []string{jamf.PrivReadAPIRoles, jamf.PrivCreateAPIRoles, jamf.PrivReadAPIIntegrations, jamf.PrivCreateAPIIntegrations}})
	return out
}

// commandFeatures groups a platform's bulk commands by the privilege they need.
func commandFeatures(platform jamf.Platform) []Feature {
	var order []string
	byPriv := map[string][]string{}
	for _, ct := range BulkCommandTypes() {
		p := jamf.CommandPrivilege(platform, ct)
		if _, ok := byPriv[p]; !ok {
			order = append(order, p)
		}
		byPriv[p] = append(byPriv[p], ct)
	}
	out := make([]Feature, 0, len(order))
	for _, p := range order {
		types := byPriv[p]
		privs := []string{jamf.PrivViewMDMCommands}
		if p != "" {
			privs = append(privs, p)
		}
		id := "send:" + string(platform) + ":" + types[0]
		name := "send " + strings.Join(types, ", ") + " (" + platformWord(platform) + ")"
		if p == "" {
			id = "send:" + string(platform) + ":other"
			name = "send commands with no privilege of their own (" + platformWord(platform) + ")"
		}
		out = append(out, Feature{ID: id, Name: name, Privileges: privs, Commands: types})
	}
	return out
}

func platformWord(p jamf.Platform) string {
	if p == jamf.PlatformMobile {
		return "mobile devices"
	}
	return "computers"
}

// CommandFeatureID returns the ID of the feature that sending commandType
// to the platform's devices belongs to, or "" for a command jamfops does not
// send in bulk.
func CommandFeatureID(platform jamf.Platform, commandType string) string {
	prefix := "send:" + string(platform) + ":"
	for _, f := range Features() {
		if strings.HasPrefix(f.ID, prefix) && slices.Contains(f.Commands, commandType) {
			return f.ID
		}
	}
	return ""
}

// FeatureByID returns a feature of the table.
func FeatureByID(id string) (Feature, bool) {
	for _, f := range Features() {
		if f.ID == id {
			return f, true
		}
	}
	return Feature{}, false
}

// PrivilegeUse is one privilege of the table and the features that need it.
type PrivilegeUse struct {
	Name string `json:"name"`
	// Features are the IDs of the features that need it.
	Features []string `json:"features"`
	// InSpec is true when Jamf's OpenAPI spec (11.30.1) names it in an
	// x-required-privileges list. Most per-command send privileges, and the
	// Classic API's "Flush MDM Commands", are not there: their names come
	// from live servers' GET /api/v1/api-role-privileges.
	InSpec bool `json:"inSpec"`
}

// specNamed lists the privileges of the table that the Jamf Pro 11.30.1
// spec names in x-required-privileges (a test checks this against the spec).
func specNamed(name string) bool {
	switch name {
	case jamf.PrivFlushMDMCommands:
		return false
	case "Send Computer Remote Wipe Command", "Send Mobile Device Remote Wipe Command", "Send Declarative Management Command":
		return true
	}
	return !strings.HasPrefix(name, "Send ")
}

// Privileges returns every privilege jamfops uses, sorted by name, with the
// features that need it.
func Privileges() []PrivilegeUse {
	idx := map[string]int{}
	var out []PrivilegeUse
	for _, f := range Features() {
		for _, p := range f.Privileges {
			i, ok := idx[p]
			if !ok {
				i = len(out)
				idx[p] = i
				out = append(out, PrivilegeUse{Name: p, InSpec: specNamed(p)})
			}
			out[i].Features = append(out[i].Features, f.ID)
		}
	}
	slices.SortFunc(out, func(a, b PrivilegeUse) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// PrivilegeNames returns the names of Privileges, sorted.
func PrivilegeNames() []string {
	var out []string
	for _, p := range Privileges() {
		out = append(out, p.Name)
	}
	return out
}

// privilegesOf returns the union of the features' privileges, sorted.
func privilegesOf(ids []string) []string {
	var out []string
	for _, id := range ids {
		if f, ok := FeatureByID(id); ok {
			out = append(out, f.Privileges...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
