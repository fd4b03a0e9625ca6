package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestReturnToServiceFlags: each misuse of the return-to-service flags is a
// usage error before any request; a dry run of a good one shows the profile
// by name and hash in the preflight, never its content.
func TestReturnToServiceFlags(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	dir := t.TempDir()
	wifi := filepath.Join(dir, "wifi.mobileconfig")
	if err := os.WriteFile(wifi, []byte("<plist><string>com.apple.wifi.managed</string><string>s3cret-psk</string></plist>"), 0o600); err != nil {
		t.Fatal(err)
	}
	notWifi := filepath.Join(dir, "vpn.mobileconfig")
	if err := os.WriteFile(notWifi, []byte("<plist><string>com.apple.vpn.managed</string></plist>"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"mass", "run", "--group", "All Managed iPhones", "--yes"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--command", "RESTART_DEVICE", "--return-to-service", "--wifi-profile", wifi}, "--return-to-service is an option of ERASE_DEVICE"},
		{[]string{"--command", "ERASE_DEVICE", "--wifi-profile", wifi}, "--wifi-profile goes with --return-to-service"},
		{[]string{"--command", "ERASE_DEVICE", "--return-to-service", "--wifi-profile", ""}, "--wifi-profile: give a file"},
		{[]string{"--command", "ERASE_DEVICE", "--return-to-service", "--wifi-profile", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"--command", "ERASE_DEVICE", "--return-to-service", "--wifi-profile", notWifi}, "has no com.apple.wifi.managed payload"},
		{[]string{"--command", "ERASE_DEVICE", "--return-to-service", "--mdm-profile", wifi}, "has no com.apple.mdm payload"},
	} {
		r := c.run("", append(base, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || srv.Log().TotalRequests() != 0 {
			t.Errorf("%v: exit %d, %d requests, %q; want exit 2 saying %q", tc.args, r.code, srv.Log().TotalRequests(), r.stderr, tc.want)
		}
	}
	// Without a Wi-Fi profile the iPhones would have no network: refused
	// once the targets are known, before anything is sent.
	r := c.run("", append(base, "--command", "ERASE_DEVICE", "--return-to-service")...)
	if r.code != 2 || !strings.Contains(r.stderr, "needs --wifi-profile") {
		t.Fatalf("return to service without Wi-Fi for iPhones: %d %q", r.code, r.stderr)
	}
	r = c.run("", "mass", "run", "--group", "All Managed iPhones", "--command", "ERASE_DEVICE", "--return-to-service", "--wifi-profile", wifi, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stderr, "return to service, Wi-Fi profile wifi.mobileconfig (sha256 ") ||
		strings.Contains(r.stderr+r.stdout, "s3cret-psk") {
		t.Fatalf("dry run: %d %q %q", r.code, r.stdout, r.stderr)
	}
	for _, cmd := range srv.Log().Commands() {
		if cmd.CommandType == "ERASE_DEVICE" {
			t.Fatal("a dry run sent an erase")
		}
	}
}

// TestReturnToServiceProfileFlagTwice: a profile flag given twice is a
// usage error, not the last one silently sent with an erase.
func TestReturnToServiceProfileFlagTwice(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c := newCLI(t)
	c.env = map[string]string{"JAMF_URL": srv.URL, "JAMF_CLIENT_ID": jamftest.DemoClientID, "JAMF_CLIENT_SECRET": jamftest.DemoClientSecret}
	dir := t.TempDir()
	var paths []string
	for _, n := range []string{"a.mobileconfig", "b.mobileconfig"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("<plist>com.apple.wifi.managed com.apple.mdm "+n+"</plist>"), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	for _, flag := range []string{"--wifi-profile", "--mdm-profile"} {
		before := srv.Log().TotalRequests()
		args := []string{"mass", "run", "--group", "All Managed iPhones", "--command", "ERASE_DEVICE", "--return-to-service", "--dry-run"}
		if flag == "--mdm-profile" {
			args = append(args, "--wifi-profile", paths[0])
		}
		r := c.run("", append(args, flag, paths[0], flag, paths[1])...)
		if r.code != 2 || !strings.Contains(r.stderr, `"`+flag+`" flag: is given twice`) || srv.Log().TotalRequests() != before {
			t.Errorf("%s twice: exit %d, %d requests, %q", flag, r.code, srv.Log().TotalRequests()-before, r.stderr)
		}
	}
}
