package jamftest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// fieldRule is how one commandData property is checked, after the
// property's schema in the Jamf Pro API (MdmCommandRequest's
// discriminator mapping).
type fieldRule struct {
	kind string // string, boolean, array, object
	enum []string
	// length, when set, is the exact length of a string (a Find My PIN).
	length int
}

// bodyRule is a command type's commandData schema: its properties, the
// required ones, and groups of which at least one must be present.
type bodyRule struct {
	fields   map[string]fieldRule
	required []string
	oneOf    [][]string
}

// commandBodies are the schemas of the commands jamfops sends (and
// CLEAR_PASSCODE, whose unlockToken the spec requires). Other command
// types are accepted without checking their fields.
func commandBodies() map[string]bodyRule {
	str, boolean, array := fieldRule{kind: "string"}, fieldRule{kind: "boolean"}, fieldRule{kind: "array"}
	none := bodyRule{fields: map[string]fieldRule{}}
	return map[string]bodyRule{
		"RESTART_DEVICE":   {fields: map[string]fieldRule{"rebuildKernelCache": boolean, "kextPaths": array, "notifyUser": boolean}},
		"SHUT_DOWN_DEVICE": none,
		"DEVICE_LOCK":      {fields: map[string]fieldRule{"message": str, "phoneNumber": str, "pin": str}},
		"ERASE_DEVICE": {fields: map[string]fieldRule{"preserveDataPlan": boolean, "disallowProximitySetup": boolean,
			"pin": {kind: "string", length: 6}, "returnToService": {kind: "object"},
			"obliterationBehavior": {kind: "string", enum: []string{"Default", "DoNotObliterate", "ObliterateWithWarning", "Always"}}}},
		"ENABLE_LOST_MODE": {fields: map[string]fieldRule{"lostModeMessage": str, "lostModePhone": str, "lostModeFootnote": str},
			oneOf: [][]string{{"lostModeMessage", "lostModePhone"}}},
		"DISABLE_LOST_MODE":          none,
		"LOG_OUT_USER":               none,
		"DECLARATIVE_MANAGEMENT":     {fields: map[string]fieldRule{"data": str}},
		"DEVICE_INFORMATION":         {fields: map[string]fieldRule{"queries": array}},
		"SECURITY_INFO":              none,
		"PROFILE_LIST":               {fields: map[string]fieldRule{"managedOnly": boolean}},
		"INSTALLED_APPLICATION_LIST": {fields: map[string]fieldRule{"identifiers": array, "managedAppsOnly": boolean, "items": array}},
		"CERTIFICATE_LIST":           none,
		"CLEAR_PASSCODE":             {fields: map[string]fieldRule{"unlockToken": str}, required: []string{"unlockToken"}},
	}
}

// checkCommandBody validates a commandData object as Jamf Pro does: an
// unknown property, a value of the wrong type or outside its enum, or a
// missing required property is a 400 naming the field. It returns the
// message and the field ("" when the body is valid).
func checkCommandBody(kind string, data map[string]any) (msg, field string) {
	rule, ok := commandBodies()[kind]
	if !ok {
		return "", ""
	}
	names := make([]string, 0, len(data))
	for k := range data {
		if k != "commandType" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		f, ok := rule.fields[name]
		if !ok {
			return fmt.Sprintf("Unrecognized field %q for %s", name, kind), "commandData." + name
		}
		if why := f.check(data[name]); why != "" {
			return fmt.Sprintf("%s: %s", name, why), "commandData." + name
		}
	}
	for _, name := range rule.required {
		if _, ok := data[name]; !ok {
			return fmt.Sprintf("%s is required for %s", name, kind), "commandData." + name
		}
	}
	for _, group := range rule.oneOf {
		if !slices.ContainsFunc(group, func(n string) bool { _, ok := data[n]; return ok }) {
			return fmt.Sprintf("At least one of %s must be provided for %s", strings.Join(group, " or "), kind), "commandData." + group[0]
		}
	}
	return "", ""
}

func (f fieldRule) check(v any) string {
	switch f.kind {
	case "boolean":
		if _, ok := v.(bool); !ok {
			return "must be a boolean"
		}
	case "array":
		if _, ok := v.([]any); !ok {
			return "must be an array"
		}
	case "object":
		if _, ok := v.(map[string]any); !ok {
			return "must be an object"
		}
	default:
		s, ok := v.(string)
		switch {
		case !ok:
			return "must be a string"
		case f.enum != nil && !slices.Contains(f.enum, s):
			return "must be one of " + strings.Join(f.enum, ", ")
		case f.length > 0 && len(s) != f.length:
			return fmt.Sprintf("must be %d characters", f.length)
		}
	}
	return ""
}
