package ops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

func TestRiskBudgetWarning(t *testing.T) {
	t.Parallel()
	b := jsc.Budget{Limit: 10_000, Used: 8_000, Remaining: 2_000}
	if w := ops.RiskBudgetWarning(b, 200); w != "" {
		t.Fatalf("10 %% of what is left warned: %q", w)
	}
	if w := ops.RiskBudgetWarning(b, 201); !strings.Contains(w, "more than 10 % of the 2,000 left") {
		t.Fatalf("over 10 %%: %q", w)
	}
	if w := ops.RiskBudgetWarning(b, 2_001); !strings.Contains(w, "only 2,000 are left") {
		t.Fatalf("over what is left: %q", w)
	}
	if s := ops.RiskBudgetText(jsc.Budget{Limit: 10_000, Used: 1_700, Remaining: 8_300, Mine: 22, Shared: true}); s != "8,300 of 10,000 requests left today (counted across jamfops processes; 22 by this one)" {
		t.Fatalf("text %q", s)
	}
}

func TestRiskAsOf(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC)
	if s := ops.RiskAsOf(now.Add(-3*time.Minute), now); s != "as of 14:02, 3 min ago" {
		t.Fatalf("%q", s)
	}
	if s := ops.RiskAsOf(now.Add(-26*time.Hour), now); s != "as of 2026-11-22 12:05, 26 h ago" {
		t.Fatalf("%q", s)
	}
}

func TestRiskBudgetFileIsPerApplication(t *testing.T) {
	t.Parallel()
	a := ops.RiskBudgetFile("/d", "https://api.wandera.com/", "app-1")
	if a != ops.RiskBudgetFile("/d", "https://api.wandera.com", "app-1") {
		t.Fatal("a trailing slash made another budget")
	}
	if a == ops.RiskBudgetFile("/d", "https://api.wandera.com", "app-2") || strings.Contains(a, "app-1") || strings.Contains(a, "wandera") {
		t.Fatalf("budget file %q", a)
	}
}
