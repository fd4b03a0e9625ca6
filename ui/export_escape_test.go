package ui

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/ops/mass"
)

// TestExportedJSONEscapesBidiAndC1: the console's results JSON writes a
// server's bidi overrides and C1 controls as \uXXXX escapes, as every
// other JSON output does, so the file cannot reorder or recolour what a
// terminal or editor shows; the names read back unchanged.
func TestExportedJSONEscapesBidiAndC1(t *testing.T) {
	t.Parallel()
	name := "Mac\u202egnp.exe\u0085\u009b31m"
	base, err := exportResults(t.TempDir(), "20261129-030000-abcdef", []mass.ResultRow{{Kind: "computer", ID: "1", Name: name, State: "sent"}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(base + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(string(data), "\u202e\u0085\u009b") {
		t.Fatalf("raw controls in the exported JSON: %q", data)
	}
	var rows []mass.ResultRow
	if err := json.Unmarshal(data, &rows); err != nil || len(rows) != 1 || rows[0].Name != name {
		t.Fatalf("read back: %v %+v", err, rows)
	}
}
