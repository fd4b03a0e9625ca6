package jamftest

import (
	"encoding/base64"
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
	// object is the schema of an object's properties (nil: any object).
	object *bodyRule
	// base64 strings must decode (profile data).
	base64 bool
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
	b64 := fieldRule{kind: "string", base64: true}
	// ReturnToService: enabled is required.
	returnToService := bodyRule{fields: map[string]fieldRule{"enabled": boolean, "mdmProfileData": b64, "wifiProfileData": b64,
		"bootstrapToken": b64}, required: []string{"enabled"}}
	return map[string]bodyRule{
		"RESTART_DEVICE":   {fields: map[string]fieldRule{"rebuildKernelCache": boolean, "kextPaths": array, "notifyUser": boolean}},
		"SHUT_DOWN_DEVICE": none,
		"DEVICE_LOCK":      {fields: map[string]fieldRule{"message": str, "phoneNumber": str, "pin": str}},
		"ERASE_DEVICE": {fields: map[string]fieldRule{"preserveDataPlan": boolean, "disallowProximitySetup": boolean,
			"pin": {kind: "string", length: 6}, "returnToService": {kind: "object", object: &returnToService},
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
	return rule.check(kind, "commandData.", data)
}

// check validates an object against the rule; prefix names where it is
// in the body (commandData.returnToService.).
func (rule bodyRule) check(kind, prefix string, data map[string]any) (msg, field string) {
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
			return fmt.Sprintf("Unrecognized field %q for %s", name, kind), prefix + name
		}
		if why := f.check(data[name]); why != "" {
			return fmt.Sprintf("%s: %s", name, why), prefix + name
		}
		if f.object != nil {
			if msg, field := f.object.check(kind, prefix+name+".", data[name].(map[string]any)); msg != "" {
				return msg, field
			}
		}
	}
	for _, name := range rule.required {
		if _, ok := data[name]; !ok {
			return fmt.Sprintf("%s is required for %s", strings.TrimPrefix(prefix, "commandData.")+name, kind), prefix + name
		}
	}
	for _, group := range rule.oneOf {
		if !slices.ContainsFunc(group, func(n string) bool { _, ok := data[n]; return ok }) {
			return fmt.Sprintf("At least one of %s must be provided for %s", strings.Join(group, " or "), kind), prefix + group[0]
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
		case f.base64 && !isBase64(s):
			return "must be base64-encoded"
		}
	}
	return ""
}

func isBase64(s string) bool {
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}
