package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestGoldenViews renders every screen at two sizes with colour stripped.
// Update with: go test ./ui -run TestGoldenViews -update
func TestGoldenViews(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{100, 30}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, jamftest.Options{}, "", "")
			d := deviceWith(t, f, jamf.StateError)
			view := func(m tea.Model) string {
				s := screenText(m, f.srv)
				return strings.ReplaceAll(s, f.deps.Audit.Path(), "AUDIT.jsonl")
			}
			m := start(t, f.deps, size[0], size[1])
			t.Run("groups", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = press(t, m, "enter")
			t.Run("members", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = drive(t, m, navigate(navigateMsg{to: screenDevice, device: &d}))
			t.Run("device", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = press(t, m, "f", "f")
			t.Run("flush-preview", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = press(t, m, "y", "esc", "esc", "Q")
			t.Run("queue", func(t *testing.T) { golden.RequireEqual(t, view(m)) })
			m = press(t, m, "@")
			t.Run("audit", func(t *testing.T) {
				out := view(m)
				// The audit entry's time is the wall clock; mask it.
				out = maskAuditTime(out)
				golden.RequireEqual(t, out)
			})
		})
	}
}

// maskAuditTime replaces "2026-11-23 15:40" style stamps on audit rows.
func maskAuditTime(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(l, "flush failed") && len(l) > 20 {
			if j := strings.Index(l, "20"); j >= 0 && j+16 <= len(l) {
				lines[i] = l[:j] + "YYYY-MM-DD hh:mm" + l[j+16:]
			}
		}
	}
	return strings.Join(lines, "\n")
}
