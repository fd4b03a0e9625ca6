package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// hostile is server text built to attack a terminal: OSC 52 (write the
// clipboard), ESC[2J (clear the screen), an OSC 8 hyperlink, U+202E
// (right-to-left override) and a C1 CSI.
const hostile = "boom\x1b]52;c;ZXZpbA==\x07 \x1b[2Jcleared \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ \u202etxt.exe \u009b31mred"

// terminalAttack reports what of hostile's controls survived in s.
func terminalAttack(s string) string {
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u009b", "]52;", "]8;;"} {
		if strings.Contains(s, bad) {
			return fmt.Sprintf("%q", bad)
		}
	}
	return ""
}

func TestServerErrorTextReachesStderrClean(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/oauth/token") {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"access_token":"tok","token_type":"Bearer","expires_in":600}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		b, _ := json.Marshal(map[string]any{"httpStatus": 400, "errors": []map[string]string{{"code": "BAD", "description": hostile}}})
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	r := runEnv(t, map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": "id", "JAMF_CLIENT_SECRET": "the-secret"}, "groups")
	if r.code != 1 || !strings.Contains(r.stderr, "boom") || !strings.Contains(r.stderr, "click") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if bad := terminalAttack(r.stderr); bad != "" {
		t.Fatalf("%s reached stderr: %q", bad, r.stderr)
	}
}

// hostileJob writes a journal whose device name and skip reason are hostile.
func hostileJob(t *testing.T, dir string) string {
	t.Helper()
	p := &mass.Plan{ID: mass.NewID(time.Now()), Created: time.Now(), Server: "https://x.example.com", Label: "group " + hostile,
		Action: mass.Action{Kind: mass.KindBlankPush}, Knobs: mass.DefaultKnobs(), Stages: 1,
		Targets: []mass.Target{{Device: ops.Device{ID: "1", Name: "Mac " + hostile, Serial: "C02\u2066X", ManagementID: "m-1"}, Skip: "failed: " + hostile}}}
	j, err := mass.CreateJournal(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	return p.ID
}

func TestExportsAreCleanAndJSONIsEscaped(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	id := hostileJob(t, c.jobsDir)
	r := c.run("", "jobs", "export", id, "csv")
	if r.code != 0 || !strings.Contains(r.stdout, "boom") || !strings.Contains(r.stdout, "failed: boom") {
		t.Fatalf("csv: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if bad := terminalAttack(r.stdout); bad != "" {
		t.Fatalf("%s reached the CSV: %q", bad, r.stdout)
	}
	r = c.run("", "jobs", "export", id)
	if r.code != 0 {
		t.Fatalf("json: %d %q", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07\u202e\u009b\u2066") {
		t.Fatalf("raw controls in JSON: %q", r.stdout)
	}
	var rows []mass.ResultRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Name != "Mac "+hostile || rows[0].Reason != "failed: "+hostile || rows[0].Serial != "C02\u2066X" {
		t.Fatalf("JSON changed the data: %+v", rows)
	}
	// The jobs table is cleaned too.
	if r := c.run("", "jobs"); r.code != 0 || terminalAttack(r.stdout) != "" {
		t.Fatalf("jobs table: %d %q", r.code, r.stdout)
	}
}

func TestWriteJSONEscapesControlAndFormatCharacters(t *testing.T) {
	t.Parallel()
	in := map[string]string{"s": "a\x00b\x1bc\x7fd\u0085e\u009bf\u200eg\u200fh\u061ci\u202aj\u202ek\u2066l\u2069m\u2028n\ufeffo<p>&é日本"}
	var b strings.Builder
	if err := writeJSON(&b, in); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, r := range "\x00\x1b\x7f\u0085\u009b\u200e\u200f\u061c\u202a\u202e\u2066\u2069\u2028\ufeff" {
		if strings.ContainsRune(out, r) {
			t.Errorf("%U is raw in %q", r, out)
		}
	}
	for _, esc := range []string{`\u001b`, `\u007f`, `\u0085`, `\u009b`, `\u200e`, `\u061c`, `\u202e`, `\u2066`, `\ufeff`} {
		if !strings.Contains(out, esc) {
			t.Errorf("%s missing from %q", esc, out)
		}
	}
	if !strings.Contains(out, "é日本") {
		t.Errorf("ordinary text was escaped: %q", out)
	}
	var back map[string]string
	if err := json.Unmarshal([]byte(out), &back); err != nil || back["s"] != in["s"] {
		t.Fatalf("round trip: %v %q", err, back["s"])
	}
}

func TestCredentialsInURLsAreNeverEchoed(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"https://admin:hunter2pw@jamf.example.com:abc/", "https://admin:hunter2pw@[::1", "http://admin:hunter2pw@jamf.example.com/"} {
		r := runEnv(t, map[string]string{"JAMF_URL": u, "JAMF_CLIENT_ID": "id", "JAMF_CLIENT_SECRET": "s3cret-value"}, "groups")
		if r.code == 0 || strings.Contains(r.stderr, "hunter2pw") || strings.Contains(r.stderr, "s3cret-value") {
			t.Errorf("%s: exit %d, stderr %q", u, r.code, r.stderr)
		}
		c := newCLI(t)
		r = c.run("s3cret-value\n", "login", "--name", "p", "--url", u, "--client-id", "id", "--secret-stdin")
		if r.code == 0 || strings.Contains(r.stderr+r.stdout, "hunter2pw") {
			t.Errorf("login %s: exit %d, stderr %q", u, r.code, r.stderr)
		}
	}
	if got := redactSecrets(nil, `parse "https://u:p@ss@host:x/": invalid port`); strings.Contains(got, "p@ss") || !strings.Contains(got, "https://REDACTED@host") {
		t.Fatalf("redact: %q", got)
	}
}
