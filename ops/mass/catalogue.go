package mass

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jamfops/jamfops/jamf"
)

// Platform is what a command can be sent to: Apple's platforms as MDM
// tells them apart, with Shared iPad apart from iOS/iPadOS since some
// commands exist only there.
type Platform string

// The platforms of the catalogue.
const (
	MacOS      Platform = "macOS"
	IOS        Platform = "iOS/iPadOS"
	SharedIPad Platform = "Shared iPad"
	TvOS       Platform = "tvOS"
)

// PlatformOf says which platform a device is on from its inventory: the
// kind (computer or mobile), the model name and whether it is a Shared iPad.
func PlatformOf(kind jamf.Platform, model string, shared bool) Platform {
	switch {
	case kind == jamf.PlatformComputer:
		return MacOS
	case strings.Contains(strings.ToLower(model), "apple tv"):
		return TvOS
	case shared:
		return SharedIPad
	}
	return IOS
}

// ParamKind is how a command parameter is written and checked.
type ParamKind int

// Parameter kinds.
const (
	ParamBool ParamKind = iota
	ParamText
	ParamEnum
	ParamPIN6 // six digits
)

// Param is one parameter of a command, as the CLI flag and the plan form
// offer it and as the Jamf Pro API's command body names it.
type Param struct {
	// Field is the commandData key in POST /api/v2/mdm/commands.
	Field string
	// Flag is the command-line flag (without the dashes).
	Flag string
	Kind ParamKind
	Enum []string
	// Platforms the parameter applies to (nil: all of the command's).
	Platforms []Platform
	Help      string
	// MaxLen bounds text values (0: 255).
	MaxLen int
}

// CommandSpec is one entry of the command catalogue.
type CommandSpec struct {
	Type      string
	Platforms []Platform
	// Destructive commands need the target count typed to confirm.
	Destructive bool
	// Supervised is true when iOS/iPadOS devices must be supervised.
	Supervised bool
	Params     []Param
	// Check validates the parameters as a whole (for example "a message or a
	// phone number"); nil when each parameter stands alone.
	Check   func(fields map[string]any) error
	Summary string
}

// Privilege is the Jamf Pro privilege sending the command to a device of
// the platform needs ("" where Jamf documents none beyond viewing MDM
// commands).
func (c CommandSpec) Privilege(p Platform) string {
	kind := jamf.PlatformMobile
	if p == MacOS {
		kind = jamf.PlatformComputer
	}
	return jamf.CommandPrivilege(kind, c.Type)
}

// AppliesTo says whether the command can be sent to a device of the
// platform, and why not.
func (c CommandSpec) AppliesTo(p Platform) (bool, string) {
	if slices.Contains(c.Platforms, p) {
		return true, ""
	}
	names := make([]string, len(c.Platforms))
	for i, q := range c.Platforms {
		names[i] = string(q)
	}
	return false, fmt.Sprintf("%s is for %s, not %s", c.Type, strings.Join(names, ", "), p)
}

// ValidateFields checks parameter values: known names only, each of the
// right kind, and the command's own rule.
func (c CommandSpec) ValidateFields(fields map[string]any) error {
	for name, v := range fields {
		i := slices.IndexFunc(c.Params, func(p Param) bool { return p.Field == name })
		if i < 0 {
			return fmt.Errorf("%s takes no parameter %q", c.Type, name)
		}
		if err := c.Params[i].check(v); err != nil {
			return fmt.Errorf("--%s: %w", c.Params[i].Flag, err)
		}
	}
	if c.Check != nil {
		return c.Check(fields)
	}
	return nil
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

func (p Param) check(v any) error {
	switch p.Kind {
	case ParamBool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("want true or false")
		}
		return nil
	case ParamPIN6:
		s, ok := v.(string)
		if !ok || !sixDigits.MatchString(s) {
			return fmt.Errorf("want six digits")
		}
		return nil
	case ParamEnum:
		s, ok := v.(string)
		if !ok || !slices.Contains(p.Enum, s) {
			return fmt.Errorf("want one of %s", strings.Join(p.Enum, ", "))
		}
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("want text")
	}
	max := p.MaxLen
	if max == 0 {
		max = 255
	}
	if strings.TrimSpace(s) == "" || len(s) > max || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("want 1 to %d printable characters", max)
	}
	return nil
}

// informational commands ask a device to report and change nothing.
var everywhere = []Platform{MacOS, IOS, SharedIPad, TvOS}

// Catalogue is every command jamfops sends in bulk, with the platforms it
// applies to, its parameters and whether it is destructive. CLEAR_PASSCODE
// is absent on purpose: Jamf Pro's API requires the device's unlockToken,
// which only Jamf Pro itself holds, so it cannot be sent correctly from
// here. SETTINGS is absent because it means nothing without a setting.
func Catalogue() []CommandSpec {
	return []CommandSpec{
		{Type: "RESTART_DEVICE", Platforms: []Platform{MacOS, IOS, SharedIPad, TvOS}, Supervised: true,
			Summary: "restart the device",
			Params: []Param{
				{Field: "notifyUser", Flag: "notify-user", Kind: ParamBool, Platforms: []Platform{MacOS}, Help: "let the logged-in user save their work first (macOS)"},
				{Field: "rebuildKernelCache", Flag: "rebuild-kernel-cache", Kind: ParamBool, Platforms: []Platform{MacOS}, Help: "rebuild the kernel cache while restarting (macOS)"},
			}},
		{Type: "SHUT_DOWN_DEVICE", Platforms: []Platform{MacOS, IOS, SharedIPad}, Supervised: true, Destructive: true,
			Summary: "shut the device down (it stays off until someone turns it on)"},
		{Type: "DEVICE_LOCK", Platforms: []Platform{MacOS, IOS, SharedIPad}, Destructive: true,
			Summary: "lock the device",
			Params: []Param{
				{Field: "message", Flag: "message", Kind: ParamText, Help: "text on the lock screen"},
				{Field: "phoneNumber", Flag: "phone", Kind: ParamText, MaxLen: 40, Help: "phone number on the lock screen"},
				{Field: "pin", Flag: "pin", Kind: ParamPIN6, Platforms: []Platform{MacOS}, Help: "six-digit PIN that unlocks the Mac (macOS)"},
			}},
		{Type: "ERASE_DEVICE", Platforms: []Platform{MacOS, IOS, SharedIPad, TvOS}, Destructive: true,
			Summary: "erase all content and settings",
			Params: []Param{
				{Field: "pin", Flag: "pin", Kind: ParamPIN6, Platforms: []Platform{MacOS}, Help: "six-digit Find My PIN, needed by Macs without Apple silicon or a T2 chip (macOS)"},
				{Field: "obliterationBehavior", Flag: "obliteration", Kind: ParamEnum, Enum: []string{"Default", "DoNotObliterate", "ObliterateWithWarning", "Always"}, Platforms: []Platform{MacOS}, Help: "what to do when erase-all-content cannot run (macOS)"},
				{Field: "preserveDataPlan", Flag: "preserve-data-plan", Kind: ParamBool, Platforms: []Platform{IOS, SharedIPad}, Help: "keep the eSIM data plan (iOS)"},
				{Field: "disallowProximitySetup", Flag: "disallow-proximity-setup", Kind: ParamBool, Platforms: []Platform{IOS, SharedIPad}, Help: "skip Proximity Setup after the erase (iOS)"},
			}},
		{Type: "ENABLE_LOST_MODE", Platforms: []Platform{IOS, SharedIPad}, Supervised: true, Destructive: true,
			Summary: "put the device in Lost Mode (locked, showing a message)",
			Params: []Param{
				{Field: "lostModeMessage", Flag: "message", Kind: ParamText, Help: "text on the lock screen"},
				{Field: "lostModePhone", Flag: "phone", Kind: ParamText, MaxLen: 40, Help: "phone number on the lock screen"},
				{Field: "lostModeFootnote", Flag: "footnote", Kind: ParamText, Help: "text at the bottom of the lock screen"},
			},
			Check: func(f map[string]any) error {
				if f["lostModeMessage"] == nil && f["lostModePhone"] == nil {
					return fmt.Errorf("ENABLE_LOST_MODE needs --message or --phone (or both)")
				}
				return nil
			}},
		{Type: "DISABLE_LOST_MODE", Platforms: []Platform{IOS, SharedIPad}, Supervised: true, Summary: "take the device out of Lost Mode"},
		{Type: "LOG_OUT_USER", Platforms: []Platform{SharedIPad}, Destructive: true, Summary: "log the current user out of a Shared iPad"},
		{Type: "DECLARATIVE_MANAGEMENT", Platforms: everywhere, Summary: "make the device synchronise its declarations"},
		{Type: "DEVICE_INFORMATION", Platforms: everywhere, Summary: "ask the device for an inventory update"},
		{Type: "SECURITY_INFO", Platforms: everywhere, Summary: "ask the device for its security state"},
		{Type: "PROFILE_LIST", Platforms: everywhere, Summary: "ask the device for its installed profiles"},
		{Type: "INSTALLED_APPLICATION_LIST", Platforms: everywhere, Summary: "ask the device for its installed apps"},
		{Type: "CERTIFICATE_LIST", Platforms: everywhere, Summary: "ask the device for its installed certificates"},
	}
}

// LookupCommand finds a command type in the catalogue.
func LookupCommand(commandType string) (CommandSpec, bool) {
	for _, c := range Catalogue() {
		if c.Type == commandType {
			return c, true
		}
	}
	return CommandSpec{}, false
}
