package ops

import "strings"

// AuditTargetOf names a device in an audit entry: "kind/ID" (or the ID
// alone when the kind is unknown, never "/ID"), its kind, ID, name and
// serial, so that people find the action by what they read on the device.
func AuditTargetOf(d Device, outcome, detail string) AuditTarget {
	ref := d.ID
	if d.Kind != "" {
		ref = string(d.Kind) + "/" + d.ID
	}
	return AuditTarget{Device: ref, Kind: string(d.Kind), ID: d.ID, Name: d.Name, Serial: d.Serial, Outcome: outcome, Detail: detail}
}

// AuditMatches reports whether an audit entry mentions text
// (case-insensitively): a target's serial, name, ID or kind/ID, the
// action, the credential, the reason, the server, or a parameter's value
// (a job ID, a command type). Empty text matches every entry.
func AuditMatches(e AuditEntry, text string) bool {
	q := strings.ToLower(strings.TrimSpace(text))
	if q == "" {
		return true
	}
	has := func(s string) bool { return s != "" && strings.Contains(strings.ToLower(s), q) }
	if has(e.Action) || has(e.Credential) || has(e.Reason) || has(e.Server) {
		return true
	}
	for _, t := range e.Targets {
		if has(t.Serial) || has(t.Name) || has(t.ID) || has(t.Device) || has(t.Outcome) {
			return true
		}
	}
	for _, v := range e.Params {
		if s, ok := v.(string); ok && has(s) {
			return true
		}
	}
	return false
}
