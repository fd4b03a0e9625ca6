package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

type result struct {
	code           int
	stdout, stderr string
}

// runWith runs the CLI against srv as the given API client.
func runWith(t *testing.T, srv *jamftest.Server, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "JAMF_URL":
			return srv.URL
		case "JAMF_CLIENT_ID":
			return jamftest.DemoClientID
		case "JAMF_CLIENT_SECRET":
			return jamftest.DemoClientSecret
		}
		return ""
	}
	code := Run(t.Context(), args, &Env{Stdout: &out, Stderr: &errb, Getenv: getenv})
	return result{code, out.String(), errb.String()}
}

func demoServer(t *testing.T, opts jamftest.Options) *jamftest.Server {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = jamftest.NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	}
	opts.Computers, opts.MobileDevices = 300, 120
	srv, err := jamftest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestGroupsDevicesCommandsJSON(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	r := runWith(t, srv, nil, "groups", "--json")
	if r.code != 0 {
		t.Fatalf("groups: %d %s", r.code, r.stderr)
	}
	var groups []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Kind        string `json:"kind"`
		Smart       bool   `json:"smart"`
		MemberCount int    `json:"memberCount"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &groups); err != nil || len(groups) < 10 {
		t.Fatalf("groups JSON: %v\n%s", err, r.stdout)
	}
	for _, g := range groups {
		r := runWith(t, srv, nil, "devices", "--group", g.ID, "--kind", g.Kind, "--json")
		if r.code != 0 {
			t.Fatalf("devices %s: %s", g.Name, r.stderr)
		}
		var devices []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &devices); err != nil {
			t.Fatal(err)
		}
		if len(devices) != g.MemberCount {
			t.Errorf("group %s %q: memberCount %d, devices listed %d", g.Kind, g.Name, g.MemberCount, len(devices))
		}
		for _, d := range devices {
			for _, k := range []string{"id", "name", "serial", "udid", "managementId", "model", "os", "user", "lastCheckIn"} {
				if _, ok := d[k]; !ok {
					t.Fatalf("device JSON lacks %q: %v", k, d)
				}
			}
		}
	}
	r = runWith(t, srv, nil, "commands", "--device", "5", "--json")
	if r.code != 0 {
		t.Fatalf("commands: %s", r.stderr)
	}
	var cmds []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &cmds); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		for _, k := range []string{"uuid", "command", "status", "issued", "lastPush", "completed", "error"} {
			if _, ok := c[k]; !ok {
				t.Fatalf("command JSON lacks %q: %v", k, c)
			}
		}
		switch c["status"] {
		case "pending", "notnow", "failed", "completed":
		default:
			t.Fatalf("status %v", c["status"])
		}
	}
}

func TestHumanTablesAreSanitised(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{HostileNames: true})
	r := runWith(t, srv, nil, "devices", "--group", "All Managed Clients")
	if r.code != 0 {
		t.Fatalf("devices: %s", r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07") {
		t.Fatal("terminal control characters reached the table")
	}
	if !strings.Contains(r.stdout, "PWNED-MAC") {
		t.Fatal("the hostile device is missing from the table")
	}
	r = runWith(t, srv, nil, "devices", "--group", "All Managed Clients", "--json")
	if !strings.Contains(r.stdout, `\u001b[2J`) {
		t.Fatal("JSON should keep the raw name, escaped")
	}
}

func TestExitCodesAndMessages(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"missing group", nil, []string{"devices"}, 2, "needs --group"},
		{"bad kind", nil, []string{"groups", "--kind", "toaster"}, 2, "unknown device kind"},
		{"bad status", nil, []string{"commands", "--device", "1", "--status", "weird"}, 2, "unknown status"},
		{"ambiguous id", nil, []string{"devices", "--group", "7"}, 1, "matches 2 groups"},
		{"wrong secret", map[string]string{"JAMF_CLIENT_SECRET": "nope-secret"}, []string{"groups"}, 1, "refused the API client credentials"},
		{"no secret", map[string]string{"JAMF_CLIENT_SECRET": ""}, []string{"groups"}, 1, "set JAMF_CLIENT_SECRET"},
		{"plain http", map[string]string{"JAMF_URL": "http://jamf.example.com"}, []string{"groups"}, 1, "use https"},
		{"help desk flush-free read", map[string]string{"JAMF_CLIENT_ID": jamftest.HelpDeskClientID, "JAMF_CLIENT_SECRET": jamftest.HelpDeskSecret}, []string{"groups"}, 0, ""},
	}
	for _, tt := range tests {
		r := runWith(t, srv, tt.env, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, r.code, r.stderr, tt.code, tt.want)
		}
		if strings.Contains(r.stderr, "nope-secret") || strings.Contains(r.stderr, jamftest.DemoClientSecret) {
			t.Errorf("%s: a secret reached stderr", tt.name)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"--version"}, &Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}); code != 0 || !strings.HasPrefix(out.String(), "jamfops ") {
		t.Fatalf("--version: %d %q", code, out.String())
	}
}
