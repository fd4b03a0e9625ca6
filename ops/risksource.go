package ops

import (
	"strings"

	"github.com/jamfops/jamfops/jsc"
)

// RiskMark is what jamfops last set on one device of one tenant.
type RiskMark struct {
	Level jsc.Level
	Entry AuditEntry
}

// RiskMarks maps JSC device IDs to jamfops's latest successful risk change
// on the given tenant (its Risk API URL, as recorded in the audit log), so
// that another tenant's changes never explain this one's levels. entries
// are newest first, as ReadAudit returns them.
func RiskMarks(entries []AuditEntry, tenant string) map[string]RiskMark {
	tenant = strings.TrimRight(tenant, "/")
	out := map[string]RiskMark{}
	for _, e := range entries {
		level, ok := riskActionLevel(e.Action)
		if !ok || strings.TrimRight(e.Server, "/") != tenant {
			continue
		}
		for _, t := range e.Targets {
			id, isJSC := strings.CutPrefix(t.Device, "jsc/")
			if !isJSC || t.Outcome != "ok" {
				continue
			}
			if _, seen := out[id]; !seen {
				out[id] = RiskMark{Level: level, Entry: e}
			}
		}
	}
	return out
}

// riskActionLevel reads the level an audited risk action asked for: "risk
// set HIGH" asks for HIGH, "risk reset" for SECURE (JSC's own calculation).
func riskActionLevel(action string) (jsc.Level, bool) {
	if action == "risk reset" {
		return jsc.Secure, true
	}
	if l, ok := strings.CutPrefix(action, "risk set "); ok {
		level, err := jsc.ParseLevel(l)
		return level, err == nil
	}
	return "", false
}

// RiskSourceOf says who set a device's current level, as far as jamfops can
// know: "set by jamfops" (or "reset by jamfops") with the credential and
// time, only while JSC still reports the level jamfops set; otherwise "—",
// since JSC or another integration changed it since (the Risk API does not
// say who set a level).
func RiskSourceOf(d RiskDevice, marks map[string]RiskMark) string {
	m, ok := marks[d.JSC.ID]
	if !ok || m.Level != d.JSC.Risk {
		return "—"
	}
	verb := "set"
	if m.Entry.Action == "risk reset" {
		verb = "reset"
	}
	return verb + " by jamfops (" + Clean(m.Entry.Credential) + " " + ago(m.Entry.Time) + ")"
}
