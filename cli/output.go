package cli

import (
	"io"
	"strings"
	"text/tabwriter"
	"time"

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
