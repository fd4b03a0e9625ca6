package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jamfops/jamfops/ops"
)

// table writes aligned columns; every cell is cleaned of terminal control
// sequences, since the values come from a server.
type table struct{ w *tabwriter.Writer }

// newTable starts a table with its header row.
func newTable(out io.Writer, headers ...string) *table {
	t := &table{w: tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)}
	t.row(headers...)
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		c = ops.Clean(c)
		if c == "" {
			c = "-"
		}
		cells[i] = strings.ReplaceAll(c, "\t", " ")
	}
	io.WriteString(t.w, strings.Join(cells, "\t")+"\n")
}

func (t *table) flush() error { return t.w.Flush() }

// nonNil makes an empty list print as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func formatTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// writeJSON is the one JSON writer of every --json output (and of the
// JSON summaries and exports): indented, and with every control and
// format character a server may have planted in a string (C0 and C1
// controls, DEL, bidi overrides and isolates U+202A–E and U+2066–9, marks
// U+200E/F and U+061C, and the rest of Unicode's Cf category) written as
// a \uXXXX escape, so the output is valid JSON with the same data but
// cannot move a terminal's cursor, rewrite its clipboard or reorder text
// when someone pipes it to one.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeJSONControls(buf.Bytes()))
	return err
}

// escapeJSONControls rewrites the unsafe characters of encoded JSON as
// \uXXXX escapes. Outside strings JSON holds only ASCII punctuation,
// digits, letters and white space, so every such character is inside a
// string, where the escape means the same character.
func escapeJSONControls(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if !unsafeInJSON(r) {
			if out != nil {
				out = append(out, b[i:i+size]...)
			}
			i += size
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(b)+32), b[:i]...)
		}
		out = fmt.Appendf(out, `\u%04x`, r)
		i += size
	}
	if out == nil {
		return b
	}
	return out
}

// unsafeInJSON reports the characters writeJSON escapes (encoding/json
// escapes C0 controls itself; U+2028 and U+2029 too).
func unsafeInJSON(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r)
}
