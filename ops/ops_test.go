package ops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func setup(t *testing.T, opts jamftest.Options, id, secret string) (*jamftest.Server, *jamf.Client) {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = jamftest.NewVirtualClock(start)
	}
	if opts.Computers == 0 {
		opts.Computers = 300
	}
	if opts.MobileDevices == 0 {
		opts.MobileDevices = 120
	}
	srv, err := jamftest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	if id == "" {
		id, secret = jamftest.DemoClientID, jamftest.DemoClientSecret
	}
	c, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(id, secret))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestFindGroup(t *testing.T) {
	t.Parallel()
	groups := []ops.GroupSummary{
		{ID: "1", Name: "All Managed Clients", Kind: jamf.PlatformComputer},
		{ID: "7", Name: "Engineering Macs", Kind: jamf.PlatformComputer},
		{ID: "7", Name: "Executive iPhones", Kind: jamf.PlatformMobile},
	}
	tests := []struct {
		ref     string
		kind    jamf.Platform
		want    string
		wantErr string
	}{
		{"1", "", "All Managed Clients", ""},
		{"engineering macs", "", "Engineering Macs", ""},
		{"7", jamf.PlatformMobile, "Executive iPhones", ""},
		{"7", "", "", "matches 2 groups"},
		{"99", "", "", "no group matches"},
		{"Executive iPhones", jamf.PlatformComputer, "", "no group matches"},
	}
	for _, tt := range tests {
		g, err := ops.FindGroup(groups, tt.ref, tt.kind)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("FindGroup(%q, %q) err = %v, want %q", tt.ref, tt.kind, err, tt.wantErr)
			}
			continue
		}
		if err != nil || g.Name != tt.want {
			t.Errorf("FindGroup(%q, %q) = %q, %v", tt.ref, tt.kind, g.Name, err)
		}
	}
}

func TestGroupMembersForEveryKind(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{}, "", "")
	ctx := t.Context()
	groups, _, err := c.Groups.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, g := range ops.Summarise(groups) {
		devs, err := ops.GroupMembers(ctx, c, g)
		if err != nil {
			t.Fatalf("%s: %v", g.Name, err)
		}
		if len(devs) != g.MemberCount {
			t.Errorf("%s %q: %d devices, memberCount %d", g.Kind, g.Name, len(devs), g.MemberCount)
		}
		for _, d := range devs {
			if d.ManagementID == "" || d.Serial == "" || d.Name == "" || d.LastCheckIn == nil || d.Kind != g.Kind {
				t.Fatalf("incomplete device in %q: %+v", g.Name, d)
			}
		}
		smart := "static"
		if g.Smart {
			smart = "smart"
		}
		seen[string(g.Kind)+"/"+smart] = true
	}
	if len(seen) != 4 {
		t.Fatalf("covered %v; want smart and static of both kinds", seen)
	}
}

func TestFindDevice(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{Rename: map[int]string{4: "Lab Mac", 9: "Lab Mac", 12: `Quote "Mac" \ 1`}}, "", "")
	ctx := t.Context()
	list, _, err := c.Computers.List(ctx, nil, &jamf.ListOptions{Filter: jamf.Eq("id", "12")})
	if err != nil || len(list) != 1 {
		t.Fatal(err)
	}
	want := ops.FromComputer(list[0])
	for _, ref := range []string{"12", want.Serial, want.UDID, want.ManagementID, `Quote "Mac" \ 1`} {
		d, err := ops.FindDevice(ctx, c, ref, "")
		if err != nil || d.ID != "12" || d.Kind != jamf.PlatformComputer {
			t.Errorf("FindDevice(%q) = %+v, %v", ref, d, err)
		}
	}
	if _, err := ops.FindDevice(ctx, c, "Lab Mac", ""); err == nil || !strings.Contains(err.Error(), "matches 2 devices") {
		t.Errorf("ambiguous name: %v", err)
	}
	if _, err := ops.FindDevice(ctx, c, "NO-SUCH-SERIAL", ""); err == nil || !strings.Contains(err.Error(), "no device matches") {
		t.Errorf("unknown: %v", err)
	}
	m, err := ops.FindDevice(ctx, c, "3", jamf.PlatformMobile)
	if err != nil || m.Kind != jamf.PlatformMobile || m.ID != "3" {
		t.Errorf("mobile 3 = %+v, %v", m, err)
	}
	bySerial, err := ops.FindDevice(ctx, c, m.Serial, "")
	if err != nil || bySerial.ManagementID != m.ManagementID {
		t.Errorf("mobile by serial = %+v, %v", bySerial, err)
	}
}

func offlineComputer(t *testing.T, c *jamf.Client) ops.Device {
	t.Helper()
	list, _, err := c.Computers.List(t.Context(), nil, &jamf.ListOptions{Filter: jamf.Lt("general.lastCheckIn", start.Add(-72*time.Hour).Format(time.RFC3339))})
	if err != nil || len(list) == 0 {
		t.Fatalf("no offline computer: %v", err)
	}
	return ops.FromComputer(list[0])
}

func TestDeviceCommandsMergesAPIAndClassic(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{}, "", "")
	ctx := t.Context()
	d := offlineComputer(t, c)
	refs, _, err := c.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "RESTART_DEVICE"}, []string{d.ManagementID})
	if err != nil {
		t.Fatal(err)
	}
	srv.Clock().(*jamftest.VirtualClock).Advance(7 * time.Hour)
	entries, src, err := ops.DeviceCommands(ctx, c, d)
	if err != nil {
		t.Fatal(err)
	}
	if !src.API || !src.Classic || len(src.Notes) != 0 {
		t.Fatalf("sources = %+v", src)
	}
	e := entries[0] // newest first
	if e.UUID != refs[0].ID || e.Command != "RESTART_DEVICE" || e.Status != ops.StatusPending {
		t.Fatalf("newest entry = %+v", e)
	}
	if e.LastPush == nil || !e.LastPush.After(*e.Issued) {
		t.Fatalf("last push not merged from the Classic history: %+v", e)
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].Issued.After(*entries[i-1].Issued) {
			t.Fatal("entries are not newest first")
		}
	}
}

func TestDeviceCommandsFallsBackToClassic(t *testing.T) {
	t.Parallel()
	privs := []string{"Read Computers", "Read Mobile Devices", "Read Smart Computer Groups", "Read Static Computer Groups"}
	clients := []jamftest.APIClient{
		{ID: jamftest.DemoClientID, Secret: jamftest.DemoClientSecret, Privileges: jamftest.AllPrivileges()},
		{ID: "no-mdm-view", Secret: "s3cret-value", Privileges: privs},
	}
	srv, admin := setup(t, jamftest.Options{Clients: clients}, "", "")
	ctx := t.Context()
	d := offlineComputer(t, admin)
	if _, _, err := admin.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "RESTART_DEVICE"}, []string{d.ManagementID}); err != nil {
		t.Fatal(err)
	}
	limited, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials("no-mdm-view", "s3cret-value"))
	entries, src, err := ops.DeviceCommands(ctx, limited, d)
	if err != nil {
		t.Fatal(err)
	}
	if src.API || !src.Classic || len(src.Notes) == 0 || !strings.Contains(src.Notes[0], "View MDM command information in Jamf Pro API") {
		t.Fatalf("sources = %+v", src)
	}
	if entries[0].Command != "RESTART_DEVICE" || entries[0].Status != ops.StatusPending || entries[0].UUID != "" || entries[0].LastPush == nil {
		t.Fatalf("newest entry = %+v", entries[0])
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"plain name":                             "plain name",
		"\x1b[2J\x1b[HPWNED":                     "PWNED",
		"evil\x1b]0;title\x07-mac":               "evil-mac",
		"bell\x07\x07":                           "bell",
		"tab\tnew\nline":                         "tab new line",
		"Zoë’s iPad":                             "Zoë’s iPad",
		"\u202eevil":                             "evil",
		"\x9b31mC1 CSI":                          "C1 CSI",
		"link \x1b]8;;http://x\x07t\x1b]8;;\x07": "link t",
	}
	for in, want := range tests {
		if got := ops.Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCommandKey(t *testing.T) {
	t.Parallel()
	if ops.CommandKey("RestartDevice") != ops.CommandKey("RESTART_DEVICE") {
		t.Fatal("Classic and API names do not match")
	}
	if ops.CommandKey("DeviceLock") == ops.CommandKey("DEVICE_LOCATION") {
		t.Fatal("different commands match")
	}
}
