package jamf_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

func computerDevices(list []jamf.Computer) []jamf.PlanDevice {
	out := make([]jamf.PlanDevice, len(list))
	for i, c := range list {
		out[i] = jamf.PlanDevice{DeviceID: c.ID, ObjectType: jamf.ObjectComputer}
	}
	return out
}

func TestParseOSVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{{"26.1", "26.1", true}, {"15.7.2", "15.7.2", true}, {"26.1.0", "26.1.0", true}, {"26", "", false},
		{"26.x", "", false}, {"v26.1", "", false}, {"26.1.2.3", "", false}, {"0.1", "", false}, {"26..1", "", false}, {"-1.2", "", false}} {
		v, err := jamf.ParseOSVersion(tc.in)
		if (err == nil) != tc.ok || (tc.ok && v.String() != tc.want) {
			t.Errorf("ParseOSVersion(%q) = %v, %v", tc.in, v, err)
		}
	}
	a, _ := jamf.ParseOSVersion("26.1")
	b, _ := jamf.ParseOSVersion("26.1.0")
	c, _ := jamf.ParseOSVersion("26.0.1")
	d, _ := jamf.ParseOSVersion("27.0")
	if a.Compare(b) != 0 || a.Compare(c) != 1 || c.Compare(a) != -1 || d.Compare(a) != 1 {
		t.Error("Compare orders versions wrongly")
	}
}

// TestSoftwareUpdatePlanLifecycle creates plans for online and offline
// computers and follows them on the simulation clock: online devices
// download, install and then report the new OS version; offline ones never
// start.
func TestSoftwareUpdatePlanLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 300})
	ctx := t.Context()
	su := c.SoftwareUpdates()
	list, _, err := c.Computers.List(ctx, []string{"GENERAL", "HARDWARE", "OPERATING_SYSTEM"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	online, offline := splitByContact(list, start)
	// Devices on 26.x that are Apple silicon go to 27.1 with LATEST_ANY.
	var targets []jamf.Computer
	for _, m := range online {
		if m.OperatingSystem.Version == "26.1" && m.Hardware.AppleSilicon && len(targets) < 20 {
			targets = append(targets, m)
		}
	}
	targets = append(targets, offline[:3]...)
	for _, m := range targets[:3] {
		if err := srv.FailSoftwareUpdate("COMPUTER", m.ID, ""); err != nil { // no random failure in this test
			t.Fatal(err)
		}
	}
	plans, resp, err := su.CreatePlans(ctx, computerDevices(targets), jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstall, VersionType: jamf.VersionLatestAny}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != len(targets) || resp.Requests != 1 {
		t.Fatalf("%d plans in %d requests for %d devices", len(plans), resp.Requests, len(targets))
	}
	statusOf := func(id string) jamf.UpdateStatusKind {
		st, _, err := su.UpdateStatusesOf(ctx, jamf.ScopeComputer, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) == 0 {
			return ""
		}
		return st[0].Status
	}
	first := targets[0].ID
	if s := statusOf(first); s != "" {
		t.Fatalf("status %q before the device checked in", s)
	}
	clock := clockOf(srv)
	seen := map[jamf.UpdateStatusKind]bool{}
	for range 120 {
		clock.Advance(time.Minute)
		seen[statusOf(first)] = true
	}
	for _, want := range []jamf.UpdateStatusKind{jamf.UpdateDownloading, jamf.UpdateInstalling, jamf.UpdateInstalled} {
		if !seen[want] {
			t.Errorf("device %s never reported %s (saw %v)", first, want, seen)
		}
	}
	clock.Advance(3 * time.Hour)
	statuses, _, err := su.UpdateStatusesForDevices(ctx, jamf.ObjectComputer, ids(targets))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]jamf.UpdateStatus{}
	for _, s := range statuses {
		byID[s.Device.DeviceID] = s
	}
	for _, m := range offline[:3] {
		if s, ok := byID[m.ID]; ok {
			t.Errorf("offline computer %s reports %s", m.ID, s.Status)
		}
	}
	after, _, err := c.Computers.List(ctx, []string{"OPERATING_SYSTEM"}, &jamf.ListOptions{Filter: jamf.In("id", ids(targets[:3])...)})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range after {
		if m.OperatingSystem.Version != "27.1" {
			t.Errorf("computer %s reports %s after installing 27.1", m.ID, m.OperatingSystem.Version)
		}
	}
	listed, _, err := su.PlansForDevices(ctx, jamf.ObjectComputer, ids(targets))
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, p := range listed {
		states[p.Status.State]++
	}
	if states["WaitingToStartDDMUpdate"] != 3 || states["PlanCompleted"] < 3 {
		t.Errorf("plan states %v", states)
	}
	ev, _, err := su.PlanEvents(ctx, plans[0].PlanID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Events) < 4 || ev.Events[len(ev.Events)-1].Type != ".PlanCompletedEvent" {
		t.Errorf("events of a completed plan: %+v", ev.Events)
	}
}

func ids(list []jamf.Computer) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

// TestSoftwareUpdatePlanRejections: a second plan for a device whose first
// is running, a version the model cannot run, and an up-to-date device are
// each refused in the plan's status, and a forced failure is reported with
// its reason.
func TestSoftwareUpdatePlanRejections(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 300})
	ctx := t.Context()
	su := c.SoftwareUpdates()
	list, _, err := c.Computers.List(ctx, []string{"GENERAL", "HARDWARE", "OPERATING_SYSTEM"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	online, _ := splitByContact(list, start)
	var intel, current, plain *jamf.Computer
	for i := range online {
		m := &online[i]
		switch {
		case !m.Hardware.AppleSilicon && intel == nil:
			intel = m
		case m.Hardware.AppleSilicon && m.OperatingSystem.Version == "13.7.8" && current == nil:
			current = m
		case m.Hardware.AppleSilicon && m.OperatingSystem.Version == "26.1" && plain == nil:
			plain = m
		}
	}
	if intel == nil || current == nil || plain == nil {
		t.Fatal("the fleet lacks an Intel Mac, a Mac on 13.7.8 or one on 26.1")
	}
	if err := srv.FailSoftwareUpdate("COMPUTER", plain.ID, "DOWNLOAD_INSUFFICIENT_SPACE"); err != nil {
		t.Fatal(err)
	}
	create := func(m *jamf.Computer, cfg jamf.PlanConfig) string {
		t.Helper()
		p, _, err := su.CreatePlan(ctx, computerDevices([]jamf.Computer{*m}), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return p[0].PlanID
	}
	state := func(id string) jamf.PlanStatus {
		t.Helper()
		p, _, err := su.GetPlan(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return p.Status
	}
	specific := jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstall, VersionType: jamf.VersionSpecific, SpecificVersion: "27.1"}
	if s := state(create(intel, specific)); s.State != "PlanFailed" || s.ErrorReasons[0] != "SPECIFIC_VERSION_UNAVAILABLE_FOR_DEVICE_MODEL" {
		t.Errorf("27.1 on Intel: %+v", s)
	}
	minor := jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstall, VersionType: jamf.VersionLatestMinor}
	if s := state(create(current, minor)); s.State != "PlanFailed" || s.ErrorReasons[0] != "NO_UPDATES_AVAILABLE" {
		t.Errorf("latest minor on 13.7.8: %+v", s)
	}
	firstPlan := create(plain, specific)
	if s := state(create(plain, specific)); s.State != "PlanFailed" || s.ErrorReasons[0] != "EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS" {
		t.Errorf("second plan: %+v", s)
	}
	if n := srv.Log().PlanCount("COMPUTER", plain.ID); n != 2 {
		t.Errorf("admin log has %d plans for the device, want 2", n)
	}
	clockOf(srv).Advance(2 * time.Hour)
	if s := state(firstPlan); s.State != "PlanFailed" || s.ErrorReasons[0] != "NO_DISK_SPACE" {
		t.Errorf("plan of a full disk: %+v", s)
	}
	st, _, err := su.UpdateStatuses(ctx, jamf.Eq("device.deviceId", plain.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Status != jamf.UpdateDownloadInsufficientSpace || !st[0].Status.Failed() {
		t.Errorf("statuses of the full disk: %+v", st)
	}
	if _, _, err := su.CreatePlan(ctx, []jamf.PlanDevice{{DeviceID: "99999", ObjectType: jamf.ObjectComputer}}, minor); err == nil {
		t.Error("a plan for an unknown computer was accepted")
	} else if er := (*jamf.ErrorResponse)(nil); !errors.As(err, &er) || er.Response.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown computer: %v", err)
	}
}

// TestCreatePlansNeedsPrivileges: the help-desk client may read statuses
// but not create plans, and the 403 names the privileges to ask for.
func TestCreatePlansNeedsPrivileges(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{}, jamf.WithClientCredentials(jamftest.HelpDeskClientID, jamftest.HelpDeskSecret))
	ctx := t.Context()
	su := c.SoftwareUpdates()
	if _, _, err := su.UpdateStatuses(ctx, ""); err != nil {
		t.Fatalf("help desk reading statuses: %v", err)
	}
	_, _, err := su.CreatePlan(ctx, []jamf.PlanDevice{{DeviceID: "1", ObjectType: jamf.ObjectComputer}},
		jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstall, VersionType: jamf.VersionLatestAny})
	var er *jamf.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusForbidden || len(er.Privileges) != len(jamf.CreatePlanPrivileges()) {
		t.Fatalf("help desk creating a plan: %v", err)
	}
}

// TestCreatePlansBatches: CreatePlans puts perRequest devices in a request
// and the server makes one plan per device.
func TestCreatePlansBatches(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 260})
	devs := make([]jamf.PlanDevice, 250)
	for i := range devs {
		devs[i] = jamf.PlanDevice{DeviceID: strconv.Itoa(i + 1), ObjectType: jamf.ObjectComputer}
	}
	plans, resp, err := c.SoftwareUpdates().CreatePlans(t.Context(), devs, jamf.PlanConfig{UpdateAction: jamf.ActionDownloadOnly, VersionType: jamf.VersionLatestAny}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 250 || resp.Requests != 3 {
		t.Fatalf("%d plans in %d requests", len(plans), resp.Requests)
	}
	if n := srv.Log().Requests("POST /api/v1/managed-software-updates/plans"); n != 3 {
		t.Errorf("server saw %d plan requests, want 3", n)
	}
	for _, d := range devs {
		if n := srv.Log().PlanCount("COMPUTER", d.DeviceID); n != 1 {
			t.Fatalf("computer %s has %d plans", d.DeviceID, n)
		}
	}
}

// TestPlanRequestsCostPerDevice: the load model charges a plan request per
// device named, so a second large request right after the first is turned
// away with 429 (the spec's rate-limit answer) and creates nothing.
func TestPlanRequestsCostPerDevice(t *testing.T) {
	t.Parallel()
	// Burst 8: the token request (1) and a 200-device request (1 + 200 × 0.02 = 5)
	// fit; a second one does not.
	srv, c := setup(t, jamftest.Options{Computers: 450, Load: jamftest.LoadModel{Capacity: 1, Burst: 8, Reject429: true}}, jamf.WithRetries(0, 0))
	ctx := t.Context()
	devs := make([]jamf.PlanDevice, 200)
	for i := range devs {
		devs[i] = jamf.PlanDevice{DeviceID: strconv.Itoa(i + 1), ObjectType: jamf.ObjectComputer}
	}
	cfg := jamf.PlanConfig{UpdateAction: jamf.ActionDownloadOnly, VersionType: jamf.VersionLatestAny}
	if _, _, err := c.SoftwareUpdates().CreatePlan(ctx, devs, cfg); err != nil {
		t.Fatal(err)
	}
	for i := range devs {
		devs[i].DeviceID = strconv.Itoa(i + 201)
	}
	_, _, err := c.SoftwareUpdates().CreatePlan(ctx, devs, cfg)
	var rl *jamf.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("second request at once: %v", err)
	}
	if n := len(srv.Log().Plans()); n != 200 {
		t.Errorf("%d plans, want 200", n)
	}
	var named []int
	for _, r := range srv.Log().RequestLog() {
		if r.Route == "POST /api/v1/managed-software-updates/plans" {
			named = append(named, r.Devices)
		}
	}
	if len(named) != 2 || named[0] != 200 || named[1] != 200 {
		t.Errorf("devices named per plan request: %v", named)
	}
}

// TestPlanListingFilters: the plan listing filters on the spec's fields and
// refuses others with a 400.
func TestPlanListingFilters(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{Computers: 50, MobileDevices: 30})
	ctx := t.Context()
	su := c.SoftwareUpdates()
	cfg := jamf.PlanConfig{UpdateAction: jamf.ActionDownloadOnly, VersionType: jamf.VersionLatestAny}
	if _, _, err := su.CreatePlan(ctx, []jamf.PlanDevice{{DeviceID: "1", ObjectType: jamf.ObjectComputer}, {DeviceID: "2", ObjectType: jamf.ObjectComputer},
		{DeviceID: "1", ObjectType: jamf.ObjectMobileDevice}}, cfg); err != nil {
		t.Fatal(err)
	}
	mobile, _, err := su.ListPlans(ctx, &jamf.ListOptions{Filter: jamf.Eq("device.objectType", "MOBILE_DEVICE")})
	if err != nil {
		t.Fatal(err)
	}
	if len(mobile) != 1 || mobile[0].Device.DeviceID != "1" || mobile[0].SpecificVersion != "NO_SPECIFIC_VERSION" {
		t.Errorf("mobile plans: %+v", mobile)
	}
	two, _, err := su.ListPlans(ctx, &jamf.ListOptions{Filter: jamf.And(jamf.Eq("updateAction", "DOWNLOAD_ONLY"), jamf.Eq("device.deviceId", "2"))})
	if err != nil || len(two) != 1 {
		t.Errorf("plans of computer 2: %v %v", two, err)
	}
	_, _, err = su.ListPlans(ctx, &jamf.ListOptions{Filter: jamf.Eq("created", "2026-11-23")})
	var er *jamf.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusBadRequest {
		t.Errorf("filter on a field the spec does not allow: %v", err)
	}
}
