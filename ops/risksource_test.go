package ops_test

import (
	"testing"
	"time"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

func TestRiskSourceOfBelievesOnlyWhatJSCStillReports(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 14, 2, 0, 0, time.UTC)
	entry := func(server, action, id, outcome string) ops.AuditEntry {
		return ops.AuditEntry{Time: at, Server: server, Credential: "app-1", Action: action,
			Targets: []ops.AuditTarget{{Device: "jsc/" + id, Outcome: outcome}}}
	}
	const tenant = "https://api.wandera.com"
	// Newest first.
	entries := []ops.AuditEntry{
		entry(tenant, "risk set MEDIUM", "a", "ok"),
		entry(tenant, "risk set HIGH", "a", "ok"),
		entry(tenant, "risk reset", "b", "ok"),
		entry("https://other-tenant.example", "risk set LOW", "c", "ok"),
		entry(tenant, "risk set LOW", "d", "failed"),
	}
	marks := ops.RiskMarks(entries, tenant+"/")
	dev := func(id string, l jsc.Level) ops.RiskDevice { return ops.RiskDevice{JSC: jsc.Device{ID: id, Risk: l}} }
	tests := []struct {
		name string
		d    ops.RiskDevice
		want string
	}{
		{"set to MEDIUM, still MEDIUM", dev("a", jsc.Medium), "set by jamfops (app-1 2026-11-28 14:02)"},
		{"set to MEDIUM, JSC says HIGH", dev("a", jsc.High), "—"},
		{"reset, still SECURE", dev("b", jsc.Secure), "reset by jamfops (app-1 2026-11-28 14:02)"},
		{"reset, JSC raised it again", dev("b", jsc.High), "—"},
		{"set on another tenant", dev("c", jsc.Low), "—"},
		{"failed change", dev("d", jsc.Low), "—"},
		{"never touched", dev("e", jsc.High), "—"},
	}
	for _, tt := range tests {
		if got := ops.RiskSourceOf(tt.d, marks); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
