package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// runEnv runs the CLI with a fixed environment and nothing else.
func runEnv(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(t.Context(), args, &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] },
		ProfilesPath: filepath.Join(t.TempDir(), "none.json"), JobsDir: t.TempDir()})
	return result{code, out.String(), errb.String()}
}

// commandPaths lists every command of the tree, hidden ones excepted.
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	root := newRoot(context.Background(), &Env{Getenv: func(string) string { return "" }})
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if c.Hidden {
			return
		}
		out = append(out, path)
		for _, s := range c.Commands() {
			walk(s, append(append([]string{}, path...), s.Name()))
		}
	}
	walk(root, nil)
	return out
}

func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	paths := commandPaths(t)
	if len(paths) < 20 {
		t.Fatalf("only %d commands in the tree", len(paths))
	}
	for _, p := range paths {
		r := runEnv(t, nil, append(p, "--help")...)
		name := strings.Join(append([]string{"jamfops"}, p...), " ")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, name) || r.stderr != "" {
			t.Errorf("%s --help: exit %d, stderr %q, stdout %q", name, r.code, r.stderr, r.stdout)
		}
		if len(p) > 0 && !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%s --help has no examples", name)
		}
	}
	// The two that used to fail or print another command's usage.
	for _, args := range [][]string{{"risk", "--help"}, {"mass", "start", "--help"}, {"help", "mass", "start"}} {
		r := runEnv(t, nil, args...)
		want := "jamfops " + strings.Join(args[:len(args)-1], " ")
		if args[0] == "help" {
			want = "jamfops mass start"
		}
		if r.code != 0 || !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "jamfops mass resume JOB [flags]") {
			t.Errorf("%q: exit %d %q", args, r.code, r.stdout)
		}
	}
}

func TestUnknownSubcommandsAndExtraArgumentsAreUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"jobs", "bogus"}, `unknown command "bogus" for "jamfops jobs"`},
		{[]string{"jobs", "export"}, "wants a job"},
		{[]string{"jobs", "export", "J", "xml"}, `unknown export format "xml"`},
		{[]string{"jobs", "export", "J", "csv", "extra"}, "wants a job"},
		{[]string{"mass"}, "needs a subcommand: resume, retry, run, start"},
		{[]string{"mass", "bogus"}, `unknown command "bogus"`},
		{[]string{"mass", "start"}, "wants one job"},
		{[]string{"mass", "resume", "A", "B"}, "wants one job"},
		{[]string{"risk"}, "needs a subcommand"},
		{[]string{"risk", "lst"}, `did you mean "list"?`},
		{[]string{"risk", "list", "extra"}, "takes no devices"},
		{[]string{"profiles", "use"}, "wants one profile name"},
		{[]string{"profiles", "delete", "a", "b"}, "wants one profile name"},
		{[]string{"profiles", "bogus"}, `unknown command "bogus"`},
		{[]string{"groups", "extra"}, `takes no arguments, got "extra"`},
		{[]string{"devices", "--group", "1", "extra"}, "takes no arguments"},
		{[]string{"version", "extra"}, "takes no arguments"},
		{[]string{"completion"}, "needs a subcommand"},
		{[]string{"completion", "tcsh"}, `unknown command "tcsh"`},
		{[]string{"man"}, "wants one directory"},
		{[]string{"help", "bogus"}, `no help topic "bogus"`},
		{[]string{"groups", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"mass", "run", "--rate"}, "flag needs an argument"},
	} {
		r := runEnv(t, nil, tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "--help' for usage") || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, r.code, r.stdout, r.stderr, tt.want)
		}
	}
}

func TestSingleDashLongFlagsStillWork(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	r := runWith(t, srv, nil, "groups", "-json", "-kind=mobile")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "[") || strings.Contains(r.stdout, `"kind": "computer"`) {
		t.Fatalf("groups -json -kind=mobile: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runEnv(t, nil, "-version"); r.code != 0 || !strings.HasPrefix(r.stdout, "jamfops ") {
		t.Fatalf("-version: %d %q", r.code, r.stdout)
	}
	if r := runEnv(t, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "jamfops ") {
		t.Fatalf("version: %d %q", r.code, r.stdout)
	}
}

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for shell, marker := range map[string]string{"bash": "__start_jamfops", "zsh": "#compdef jamfops", "fish": "complete -c jamfops", "powershell": "Register-ArgumentCompleter"} {
		r := runEnv(t, nil, "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, marker) {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, r.code, len(r.stdout), r.stderr)
		}
	}
}

func TestManPages(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "man")
	if r := runEnv(t, nil, "man", dir); r.code != 0 {
		t.Fatalf("man: %d %q", r.code, r.stderr)
	}
	for _, name := range []string{"jamfops.1", "jamfops-mass-run.1", "jamfops-mass-start.1", "jamfops-risk-set.1", "jamfops-jobs-export.1", "jamfops-completion-zsh.1"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(".TH \"JAMFOPS\"")) {
			t.Errorf("%s is not a man page: %.200q", name, b)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "jamfops-mass-run.1"))
	if !bytes.Contains(b, []byte("stages")) || !bytes.Contains(b, []byte("jamfops mass run --group")) {
		t.Errorf("mass run's page lacks its flags or examples")
	}
}

// complete asks cobra's hidden completion command, as a shell does.
func complete(t *testing.T, c *cli, args ...string) []string {
	t.Helper()
	r := c.run("", append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		t.Fatalf("__complete %q: %d %q", args, r.code, r.stderr)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line != "" && !strings.HasPrefix(line, ":") {
			out = append(out, strings.SplitN(line, "\t", 2)[0])
		}
	}
	return out
}

func TestDynamicCompletion(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	// No connection at all: group completion offers nothing, quietly and at once.
	start := time.Now()
	if got := complete(t, c, "devices", "--group", ""); len(got) != 0 {
		t.Fatalf("groups without a connection: %q", got)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("group completion without a connection was slow")
	}
	// Profiles.
	f := &config.File{}
	f.Put(config.Profile{Name: "prod", URL: srv.URL, Auth: config.AuthClient, ClientID: jamftest.DemoClientID})
	f.Put(config.Profile{Name: "lab", URL: "https://lab.example.com", Auth: config.AuthClient, ClientID: "x"})
	if err := f.Save(c.path); err != nil {
		t.Fatal(err)
	}
	c.secrets.m["prod:jamf"] = jamftest.DemoClientSecret
	for _, args := range [][]string{{"groups", "--profile", ""}, {"profiles", "use", ""}, {"profiles", "delete", ""}} {
		if got := strings.Join(complete(t, c, args...), ","); got != "lab,prod" && got != "prod,lab" {
			t.Errorf("%q completes %q", args, got)
		}
	}
	// Groups, over the connection of the profile named on the line.
	got := complete(t, c, "mass", "run", "--profile", "prod", "--group", "")
	if !strings.Contains(strings.Join(got, "|"), "All Managed Clients") {
		t.Errorf("group names: %q", got)
	}
	// Job IDs: start and resume offer unfinished jobs, export every job.
	r := c.run("", "mass", "run", "--profile", "prod", "--group", "All Managed Clients", "--command", "blank-push", "--save", "--yes")
	if r.code != 0 {
		t.Fatalf("save: %q", r.stderr)
	}
	for _, args := range [][]string{{"mass", "start", ""}, {"mass", "resume", ""}, {"jobs", "export", ""}} {
		if got := complete(t, c, args...); len(got) != 1 || !strings.Contains(r.stdout, got[0]) {
			t.Errorf("%q completes %q (saved: %q)", args, got, r.stdout)
		}
	}
}

// TestGroupCompletionGivesUpQuickly: a server that never answers costs a
// Tab at most completionTimeout, and offers nothing.
func TestGroupCompletionGivesUpQuickly(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	c := newCLI(t)
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": "id", "JAMF_CLIENT_SECRET": "secret"}
	start := time.Now()
	got := complete(t, c, "devices", "--group", "")
	if took := time.Since(start); took > completionTimeout+2*time.Second || len(got) != 0 {
		t.Fatalf("took %s, offered %q", took, got)
	}
}
