package ops_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/ops"
)

// TestCleanHostileText covers the sequences a hostile server can put in a
// device name or an error body.
func TestCleanHostileText(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"OSC 52 clipboard, BEL":    "a\x1b]52;c;SGVsbG8=\x07b",
		"OSC 52 clipboard, ST":     "a\x1b]52;c;SGVsbG8=\x1b\\b",
		"OSC 52 as 8-bit C1":       "a\u009d52;c;SGVsbG8=\u009cb",
		"CSI as 8-bit C1":          "a\u009b2Jb",
		"DCS":                      "a\x1bP1$qm\x1b\\b",
		"APC":                      "a\x1b_payload\x1b\\b",
		"clear screen":             "a\x1b[2J\x1b[Hb",
		"OSC 8 hyperlink":          "a\x1b]8;;https://evil\x07\x1b]8;;\x07b",
		"bidi isolates":            "a\u2066\u2067\u2068\u2069b",
		"bidi marks":               "a\u200e\u200f\u061cb",
		"bidi embeddings":          "a\u202a\u202b\u202c\u202d\u202eb",
		"C1 next line":             "a\u0085b",
		"zero width space, BOM":    "a\u200b\ufeffb",
		"language tag (astral Cf)": "a\U000e0001b",
	}
	for name, in := range tests {
		if got := ops.Clean(in); got != "ab" {
			t.Errorf("%s: Clean(%q) = %q, want %q", name, in, got, "ab")
		}
	}
	if got := ops.Clean("👩\u200d💻 Zoë"); got != "👩\u200d💻 Zoë" {
		t.Errorf("emoji with a joiner changed: %q", got)
	}
	if got := ops.Clean("line\u2028sep"); got != "line sep" {
		t.Errorf("line separator: %q", got)
	}
}

func TestEscapeJSONKeepsTheDataAndHidesUnsafeRunes(t *testing.T) {
	t.Parallel()
	in := map[string]string{"name": "evil\u202eexe.pdf \u0085 \u2066x\u2069 \U000e0001 Zoë 👩\u200d💻", "ctl": "a\x1b]52;c;x\x07b"}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := ops.EscapeJSON(raw)
	for _, r := range string(out) {
		if r >= 0x80 && ops.UnsafeRune(r) || r == 0x1b || r == 0x07 {
			t.Fatalf("unsafe rune %U left in %s", r, out)
		}
	}
	if !bytes.Contains(out, []byte(`\u202e`)) || !bytes.Contains(out, []byte(`\udb40\udc01`)) {
		t.Fatalf("escapes missing: %s", out)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("escaped JSON does not parse: %v", err)
	}
	if back["name"] != in["name"] || back["ctl"] != in["ctl"] {
		t.Fatalf("data changed: %q", back)
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"plain", "a\x1b]52;c;x\x07b", "\u009b31m", "\u202e", "a\x1b[", "\x1bP"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ops.Clean(s)
		for _, r := range got {
			if ops.UnsafeRune(r) {
				t.Fatalf("Clean(%q) = %q keeps %U", s, got, r)
			}
		}
		if strings.ContainsRune(got, 0x1b) {
			t.Fatalf("escape left: %q", got)
		}
		if again := ops.Clean(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}
