package mass

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestResultsCSVDefusesFormulas: a device name a hostile admin or server
// chose (=cmd|…, +, -, @, a leading tab) must not become a formula when the
// CSV is opened in a spreadsheet; commas, quotes and newlines stay one cell.
func TestResultsCSVDefusesFormulas(t *testing.T) {
	t.Parallel()
	names := []string{`=cmd|' /C calc'!A0`, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", `a,"b"` + "\nc", "Plain"}
	var rows []ResultRow
	for _, n := range names {
		rows = append(rows, ResultRow{Kind: "computer", ID: "1", Name: n, Reason: "=HYPERLINK(\"x\")", State: StateSent})
	}
	var b strings.Builder
	if err := WriteResultsCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse back: %v\n%s", err, b.String())
	}
	if len(recs) != len(rows)+1 {
		t.Fatalf("%d records for %d rows:\n%s", len(recs), len(rows), b.String())
	}
	for i, rec := range recs[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Fatalf("row %d: cell %q starts a formula", i, cell)
			}
		}
		if i == len(names)-1 && rec[2] != "Plain" {
			t.Fatalf("an ordinary name changed: %q", rec[2])
		}
	}
}
