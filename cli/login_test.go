package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// memSecrets is an in-memory secret store; broken simulates a machine
// without a usable keychain.
type memSecrets struct {
	m      map[string]string
	broken bool
}

func (s *memSecrets) Get(p, k string) (string, error) {
	if s.broken {
		return "", &config.KeychainError{Err: errors.New("no Secret Service")}
	}
	v, ok := s.m[p+":"+k]
	if !ok {
		return "", config.ErrNoSecret
	}
	return v, nil
}

func (s *memSecrets) Set(p, k, v string) error {
	if s.broken {
		return &config.KeychainError{Err: errors.New("no Secret Service")}
	}
	s.m[p+":"+k] = v
	return nil
}

func (s *memSecrets) Delete(p, k string) error { delete(s.m, p+":"+k); return nil }

type cli struct {
	t         *testing.T
	path      string
	secrets   *memSecrets
	env       map[string]string
	auditPath string
	jobsDir   string
	cacheDir  string
	dataDir   string
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, path: filepath.Join(t.TempDir(), "profiles.json"), secrets: &memSecrets{m: map[string]string{}}, env: map[string]string{}, jobsDir: t.TempDir(),
		cacheDir: t.TempDir(), dataDir: t.TempDir()}
}

func (c *cli) run(stdin string, args ...string) result {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return c.env[k] },
		Secrets: c.secrets, ProfilesPath: c.path, AuditPath: c.auditPath, JobsDir: c.jobsDir, CacheDir: c.cacheDir, DataDir: c.dataDir}
	code := Run(c.t.Context(), args, env)
	return result{code, out.String(), errb.String()}
}

func TestLoginSavesProfileWithoutSecret(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	r := c.run("wrong-secret\n", "login", "--name", "prod", "--url", srv.URL, "--client-id", jamftest.DemoClientID, "--secret-stdin", "--accent", "#d70000")
	if r.code != 1 || !strings.Contains(r.stderr, "nothing was saved") {
		t.Fatalf("wrong secret: %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(c.path); !os.IsNotExist(err) {
		t.Fatal("a profile was saved despite bad credentials")
	}
	r = c.run(jamftest.DemoClientSecret+"\n", "login", "--name", "prod", "--url", srv.URL, "--client-id", jamftest.DemoClientID, "--secret-stdin", "--accent", "#d70000")
	if r.code != 0 || !strings.Contains(r.stdout, "OS keychain") {
		t.Fatalf("login: %d %q %q", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(c.path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), jamftest.DemoClientSecret) {
		t.Fatal("the profiles file contains the secret")
	}
	if fi, _ := os.Stat(c.path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("profiles file mode %v", fi.Mode().Perm())
	}
	if c.secrets.m["prod:jamf"] != jamftest.DemoClientSecret {
		t.Fatal("the secret is not in the keychain")
	}
	// The saved profile works with no environment at all.
	r = c.run("", "groups", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, "All Managed Clients") {
		t.Fatalf("groups via profile: %d %q", r.code, r.stderr)
	}
	r = c.run("", "profiles")
	if r.code != 0 || !strings.Contains(r.stdout, "* ") || !strings.Contains(r.stdout, "prod") || !strings.Contains(r.stdout, "keychain") {
		t.Fatalf("profiles: %q", r.stdout)
	}
	// The environment overrides the profile's credential.
	c.env["JAMF_CLIENT_ID"], c.env["JAMF_CLIENT_SECRET"] = jamftest.HelpDeskClientID, jamftest.HelpDeskSecret
	r = c.run("", "groups")
	if r.code != 0 {
		t.Fatalf("env override: %q", r.stderr)
	}
	delete(c.env, "JAMF_CLIENT_ID")
	delete(c.env, "JAMF_CLIENT_SECRET")
	r = c.run("", "profiles", "delete", "prod")
	if r.code != 0 || c.secrets.m["prod:jamf"] != "" {
		t.Fatalf("delete: %d %q", r.code, r.stderr)
	}
	r = c.run("", "groups")
	if r.code != 1 || !strings.Contains(r.stderr, "jamfops login") {
		t.Fatalf("after delete: %d %q", r.code, r.stderr)
	}
}

func TestNoKeychainNeverWritesSecrets(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.secrets.broken = true
	r := c.run(jamftest.DemoClientSecret+"\n", "login", "--name", "lab", "--url", srv.URL, "--client-id", jamftest.DemoClientID, "--secret-stdin")
	if r.code != 0 || !strings.Contains(r.stdout, "NOT stored") || !strings.Contains(r.stdout, "JAMF_CLIENT_SECRET") {
		t.Fatalf("login without keychain: %d %q", r.code, r.stdout)
	}
	data, _ := os.ReadFile(c.path)
	if strings.Contains(string(data), jamftest.DemoClientSecret) {
		t.Fatal("the secret was written to the profiles file")
	}
	r = c.run("", "groups")
	if r.code != 1 || !strings.Contains(r.stderr, "keychain is not available") || !strings.Contains(r.stderr, "JAMF_CLIENT_SECRET") {
		t.Fatalf("using the profile: %d %q", r.code, r.stderr)
	}
	c.env["JAMF_CLIENT_SECRET"] = jamftest.DemoClientSecret
	if r := c.run("", "groups"); r.code != 0 {
		t.Fatalf("with the secret in the environment: %q", r.stderr)
	}
}

func TestLoginValidates(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, args := range [][]string{
		{"login", "--name", "bad name!", "--url", "https://x.jamfcloud.com", "--client-id", "id", "--secret-stdin"},
		{"login", "--name", "p", "--url", "http://x.example.com", "--client-id", "id", "--secret-stdin"},
		{"login", "--name", "p", "--url", "https://x.jamfcloud.com", "--client-id", "id", "--accent", "red", "--secret-stdin"},
		{"login", "--name", "p", "--url", "https://x.jamfcloud.com"},
	} {
		if r := c.run("s\n", args...); r.code != 2 {
			t.Errorf("%q: exit %d (%q), want 2", args, r.code, r.stderr)
		}
	}
}
