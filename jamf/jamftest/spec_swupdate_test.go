package jamftest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// exerciseSoftwareUpdates calls every managed software update route through
// the client: plans of each update action and version type, listings,
// events and the status routes of each scope.
func exerciseSoftwareUpdates(t *testing.T, srv *jamftest.Server, c *jamf.Client, groups []jamf.Group) {
	t.Helper()
	ctx := t.Context()
	su := c.SoftwareUpdates()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	avail, _, err := su.AvailableUpdates(ctx)
	must(err)
	if len(avail.MacOS) == 0 || len(avail.IOS) == 0 {
		t.Fatalf("available updates: %+v", avail)
	}
	three := 3
	configs := []struct {
		devices []jamf.PlanDevice
		cfg     jamf.PlanConfig
	}{
		{[]jamf.PlanDevice{{DeviceID: "1", ObjectType: jamf.ObjectComputer}, {DeviceID: "2", ObjectType: jamf.ObjectComputer}},
			jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstall, VersionType: jamf.VersionLatestAny}},
		{[]jamf.PlanDevice{{DeviceID: "3", ObjectType: jamf.ObjectComputer}},
			jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstallAllowDeferral, VersionType: jamf.VersionLatestMinor, MaxDeferrals: &three}},
		{[]jamf.PlanDevice{{DeviceID: "4", ObjectType: jamf.ObjectComputer}},
			jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstallSchedule, VersionType: jamf.VersionSpecific, SpecificVersion: avail.MacOS[0],
				ForceInstallLocalDateTime: "2026-11-24T18:00:00"}},
		{[]jamf.PlanDevice{{DeviceID: "1", ObjectType: jamf.ObjectMobileDevice}, {DeviceID: "2", ObjectType: jamf.ObjectMobileDevice}},
			jamf.PlanConfig{UpdateAction: jamf.ActionDownloadOnly, VersionType: jamf.VersionLatestMajor}},
		{[]jamf.PlanDevice{{DeviceID: "5", ObjectType: jamf.ObjectComputer}},
			jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstallRestart, VersionType: jamf.VersionCustom, SpecificVersion: avail.MacOS[0], BuildVersion: "26B60"}},
	}
	var planID string
	for _, pc := range configs {
		plans, _, err := su.CreatePlan(ctx, pc.devices, pc.cfg)
		must(err)
		if len(plans) != len(pc.devices) {
			t.Fatalf("%d plans for %d devices", len(plans), len(pc.devices))
		}
		planID = plans[0].PlanID
	}
	srv.Clock().(*jamftest.VirtualClock).Advance(3 * time.Hour)
	all, _, err := su.ListPlans(ctx, &jamf.ListOptions{PageSize: 2, Sort: []string{"device.deviceId:asc"}})
	must(err)
	if len(all) != 7 {
		t.Fatalf("%d plans listed, want 7", len(all))
	}
	_, _, err = su.PlansForDevices(ctx, jamf.ObjectComputer, []string{"1", "2"})
	must(err)
	_, _, err = su.ListPlans(ctx, &jamf.ListOptions{Filter: jamf.Eq("state", "PlanCompleted")})
	must(err)
	_, _, err = su.GetPlan(ctx, planID)
	must(err)
	_, _, err = su.PlanEvents(ctx, planID)
	must(err)
	_, _, err = su.UpdateStatuses(ctx, "")
	must(err)
	_, _, err = su.UpdateStatusesForDevices(ctx, jamf.ObjectComputer, []string{"1", "2", "3", "4"})
	must(err)
	_, _, err = su.UpdateStatusesOf(ctx, jamf.ScopeComputer, "1")
	must(err)
	_, _, err = su.UpdateStatusesOf(ctx, jamf.ScopeMobileDevice, "1")
	must(err)
	var doneComputer, doneMobile bool
	for _, g := range groups {
		switch {
		case g.Platform() == jamf.PlatformComputer && !doneComputer:
			_, _, err = su.UpdateStatusesOf(ctx, jamf.ScopeComputerGroup, g.ID)
			doneComputer = true
		case g.Platform() == jamf.PlatformMobile && !doneMobile:
			_, _, err = su.UpdateStatusesOf(ctx, jamf.ScopeMobileDeviceGroup, g.ID)
			doneMobile = true
		}
		must(err)
	}
}

// TestSoftwareUpdatePlanErrorsMatchSpec sends plan requests that break the
// spec's rules or name unknown devices, and checks each is refused with a
// 400 in Jamf's error shape naming the field, and that no plan was made.
func TestSoftwareUpdatePlanErrorsMatchSpec(t *testing.T) {
	t.Parallel()
	doc := loadProSpec(t)
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 5, MobileDevices: 5, Clock: jamftest.NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	doc.Servers = openapi3.Servers{{URL: srv.URL + "/api"}}
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	auth := mustRequest(t, ctx, http.MethodGet, srv.URL+"/JSSResource/computers", "", nil).Header.Get("Authorization")
	post := func(body string) exchange {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v1/managed-software-updates/plans", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var data json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&data)
		req.Body = http.NoBody
		return exchange{req: req, reqBody: []byte(body), status: resp.StatusCode, header: resp.Header, body: data}
	}
	dev := `"devices":[{"deviceId":"1","objectType":"COMPUTER"}]`
	cases := []struct {
		name, body, field string
		specRequest       bool // the request itself breaks the spec
	}{
		{"no devices", `{"config":{"updateAction":"DOWNLOAD_INSTALL","versionType":"LATEST_ANY"}}`, "devices", true},
		{"empty devices", `{"devices":[],"config":{"updateAction":"DOWNLOAD_INSTALL","versionType":"LATEST_ANY"}}`, "devices", true},
		{"no config", `{` + dev + `}`, "config", true},
		{"no updateAction", `{` + dev + `,"config":{"versionType":"LATEST_ANY"}}`, "config.updateAction", true},
		{"unknown updateAction", `{` + dev + `,"config":{"updateAction":"INSTALL_NOW","versionType":"LATEST_ANY"}}`, "config.updateAction", true},
		{"UNKNOWN updateAction", `{` + dev + `,"config":{"updateAction":"UNKNOWN","versionType":"LATEST_ANY"}}`, "config.updateAction", false},
		{"unknown versionType", `{` + dev + `,"config":{"updateAction":"DOWNLOAD_INSTALL","versionType":"NEWEST"}}`, "config.versionType", true},
		{"negative maxDeferrals", `{` + dev + `,"config":{"updateAction":"DOWNLOAD_INSTALL_ALLOW_DEFERRAL","versionType":"LATEST_ANY","maxDeferrals":-1}}`, "config.maxDeferrals", true},
		{"deferral without maxDeferrals", `{` + dev + `,"config":{"updateAction":"DOWNLOAD_INSTALL_ALLOW_DEFERRAL","versionType":"LATEST_ANY"}}`, "config.maxDeferrals", false},
		{"schedule without a time", `{` + dev + `,"config":{"updateAction":"DOWNLOAD_INSTALL_SCHEDULE","versionType":"LATEST_ANY"}}`, "config.forceInstallLocalDateTime", false},
		{"time with a zone", `{` + dev + `,"config":{"updateAction":"DOWNLOAD_INSTALL_SCHEDULE","versionType":"LATEST_ANY","forceInstallLocalDateTime":"2026-12-01T18:00:00Z"}}`, "config.forceInstallLocalDateTime", false},
		{"specific without a version", `{` + dev + `,"config":{"updateAction":"DOWNLOAD_INSTALL","versionType":"SPECIFIC_VERSION"}}`, "config.specificVersion", false},
		{"malformed version", `{` + dev + `,"config":{"updateAction":"DOWNLOAD_INSTALL","versionType":"SPECIFIC_VERSION","specificVersion":"26.x"}}`, "config.specificVersion", false},
		{"unknown objectType", `{"devices":[{"deviceId":"1","objectType":"WATCH"}],"config":{"updateAction":"DOWNLOAD_INSTALL","versionType":"LATEST_ANY"}}`, "devices[0].objectType", true},
		{"empty deviceId", `{"devices":[{"deviceId":"","objectType":"COMPUTER"}],"config":{"updateAction":"DOWNLOAD_INSTALL","versionType":"LATEST_ANY"}}`, "devices[0].deviceId", true},
		{"unknown device", `{"devices":[{"deviceId":"1","objectType":"COMPUTER"},{"deviceId":"999","objectType":"COMPUTER"}],"config":{"updateAction":"DOWNLOAD_INSTALL","versionType":"LATEST_ANY"}}`, "devices[1].deviceId", false},
		{"device twice", `{"devices":[{"deviceId":"1","objectType":"COMPUTER"},{"deviceId":"1","objectType":"COMPUTER"}],"config":{"updateAction":"DOWNLOAD_INSTALL","versionType":"LATEST_ANY"}}`, "devices", true},
	}
	for _, tc := range cases {
		ex := post(tc.body)
		if ex.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400 (%s)", tc.name, ex.status, ex.body)
			continue
		}
		var apiErr struct {
			HTTPStatus int `json:"httpStatus"`
			Errors     []struct {
				Field *string `json:"field"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(ex.body, &apiErr); err != nil || apiErr.HTTPStatus != 400 || len(apiErr.Errors) != 1 ||
			apiErr.Errors[0].Field == nil || *apiErr.Errors[0].Field != tc.field {
			t.Errorf("%s: body %s does not name field %q", tc.name, ex.body, tc.field)
		}
		ex.req.Body = nil
		req := ex.req.Clone(context.Background())
		req.Body = http.NoBody
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		req.Body = readCloser(ex.reqBody)
		rin := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if reqErr := openapi3filter.ValidateRequest(context.Background(), rin); (reqErr != nil) != tc.specRequest {
			t.Errorf("%s: spec validation of the request = %v, want failure %v", tc.name, reqErr, tc.specRequest)
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: rin, Status: ex.status, Header: ex.header,
			Options: &openapi3filter.Options{MultiError: true}}
		out.SetBodyBytes(ex.body)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s: the 400 answer does not validate: %v", tc.name, shorten(err.Error()))
		}
	}
	if n := len(srv.Log().Plans()); n != 0 {
		t.Errorf("%d plans exist after the refused requests, want 0", n)
	}
}

func readCloser(b []byte) *bodyReader { return &bodyReader{strings.NewReader(string(b))} }

type bodyReader struct{ *strings.Reader }

func (bodyReader) Close() error { return nil }
