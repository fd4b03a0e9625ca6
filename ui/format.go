package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/jamfops/jamfops/ops"
)

// formatCount writes n with thousands separators (ops.FormatCount).
func formatCount(n int) string { return ops.FormatCount(n) }

// formatAge renders how long ago t was: "now", "4m", "3h", "12d".
func formatAge(t *time.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	d := now.Sub(*t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// formatStamp renders a time as "2026-11-23 15:04" in UTC.
func formatStamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// ansiTruncate cuts a styled string to width cells.
func ansiTruncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// wrapLines wraps s at spaces to width and keeps at most n lines, the
// last cut with an ellipsis when more was left.
func wrapLines(s string, width, n int) string {
	if width <= 0 {
		return ""
	}
	lines := strings.Split(ansi.Wrap(s, width, ""), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1]+" …", width, "…")
	}
	return strings.Join(lines, "\n")
}

// indent prefixes every line of s with pre.
func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}

// plural writes "1 job" or "3 jobs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return formatCount(n) + " " + noun + "s"
}

// packParts joins parts with " · " on as few lines as fit width, breaking
// only between parts (a part wider than the line is wrapped on its own).
// width 0 keeps one line.
func packParts(parts []string, width int) string {
	const sep = " · "
	var lines []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = p
		case width <= 0 || ansi.StringWidth(line+sep+p) <= width:
			line += sep + p
		default:
			lines = append(lines, line)
			line = p
		}
		if width > 0 && ansi.StringWidth(line) > width {
			wrapped := strings.Split(ansi.Wrap(line, width, " "), "\n")
			lines = append(lines, wrapped[:len(wrapped)-1]...)
			line = wrapped[len(wrapped)-1]
		}
	}
	return strings.Join(append(lines, line), "\n")
}
