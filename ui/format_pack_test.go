package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestPackPartsBreaksBetweenParts: a header line that does not fit breaks
// between its parts, never inside a date or an ID, and never exceeds the width.
func TestPackPartsBreaksBetweenParts(t *testing.T) {
	parts := []string{"UDID 656F6DF7-6261-455E-9550-1BD4E46FD6F5", "management ID bd222def-4313-4d35-9915-50a22ef895dd", "last check-in 2026-10-07 12:00"}
	got := packParts(parts, 100)
	want := parts[0] + " · " + parts[1] + "\n" + parts[2]
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if one := packParts(parts, 0); strings.Contains(one, "\n") {
		t.Fatal("width 0 broke the line")
	}
	for _, l := range strings.Split(packParts([]string{strings.Repeat("x", 30), "y"}, 12), "\n") {
		if ansi.StringWidth(l) > 12 {
			t.Fatalf("line %q wider than 12", l)
		}
	}
}
