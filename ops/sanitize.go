package ops

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Clean makes a string that came from a server safe to print on a terminal or
// to put in a file a person opens (CSV, text reports). It is the one sanitiser
// every output path uses. It removes
//   - escape sequences (CSI colour and cursor moves, OSC titles, OSC 8
//     hyperlinks, OSC 52 clipboard writes, DCS/APC/PM/SOS strings), whether
//     introduced by ESC or by their 8-bit C1 forms;
//   - every other C0 and C1 control character;
//   - Unicode format characters (category Cf): the bidirectional embeddings,
//     overrides and isolates (U+202A–U+202E, U+2066–U+2069), the marks
//     U+200E, U+200F and U+061C, zero-width spaces and the BOM. The zero-width
//     joiner (U+200D) is kept, since emoji sequences need it.
//
// Tabs, line breaks and the Unicode line and paragraph separators become
// spaces, so one value stays on one line.
func Clean(s string) string {
	if isPlain(s) {
		return s
	}
	s = ansi.Strip(escapeC1Introducers(s))
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			return ' '
		case UnsafeRune(r):
			return -1
		}
		return r
	}, s)
}

// UnsafeRune reports whether r must never reach a terminal or a file a person
// opens as it is: a C0 or C1 control character (tab and line breaks
// included), a line or paragraph separator, or a Unicode format character
// other than the zero-width joiner. Clean drops such runes; JSON writers
// escape them as \uXXXX.
func UnsafeRune(r rune) bool {
	switch {
	case r == '\u200d':
		return false
	case r == '\u2028' || r == '\u2029':
		return true
	case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		return true
	}
	return false
}

// escapeC1Introducers rewrites the 8-bit C1 forms of the escape-sequence
// introducers (CSI, OSC, DCS, SOS, PM, APC and ST, written as UTF-8) into
// their 7-bit ESC forms, so that ansi.Strip removes the whole sequence and
// not only its first character.
func escapeC1Introducers(s string) string {
	if !strings.ContainsAny(s, "\u0090\u0098\u009b\u009c\u009d\u009e\u009f") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\u0090', '\u0098', '\u009b', '\u009c', '\u009d', '\u009e', '\u009f':
			b.WriteByte(0x1b)
			b.WriteByte(byte(r - 0x40))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain reports whether s has nothing Clean would change (the common case).
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			return false
		}
	}
	return true
}

// EscapeJSON rewrites encoded JSON so that every rune UnsafeRune rejects is
// written as a \uXXXX escape (encoding/json escapes C0 controls but passes C1
// controls and format characters such as U+202E through). The data is the
// same; only its spelling changes. Such runes can only stand inside JSON
// strings, so the result is valid JSON whenever the input is.
func EscapeJSON(b []byte) []byte {
	if isPlain(string(b)) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for _, r := range string(b) {
		if r >= 0x80 && UnsafeRune(r) {
			if r > 0xffff {
				hi, lo := utf16.EncodeRune(r)
				out = fmt.Appendf(out, "\\u%04x\\u%04x", hi, lo)
			} else {
				out = fmt.Appendf(out, "\\u%04x", r)
			}
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}
