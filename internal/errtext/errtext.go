// Package errtext shapes text from servers for error messages.
package errtext

import "strings"

// OneLine keeps the first line of s, trimmed, at most 300 characters.
func OneLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}
