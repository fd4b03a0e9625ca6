package mass

import (
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

const plansRoute = "POST /api/v1/managed-software-updates/plans"

// updateEnv is a jamftest server on a virtual clock and a client for it.
func updateEnv(t *testing.T, computers, mobiles int) (*jamftest.Server, *jamf.Client, *jamftest.VirtualClock) {
	t.Helper()
	clock := jamftest.NewVirtualClock(t0)
	// The tests move the clock hours in milliseconds: a token that lives a
	// year keeps expiry (tested elsewhere) out of what they measure.
	srv, err := jamftest.NewServer(jamftest.Options{Computers: computers, MobileDevices: mobiles, Clock: clock,
		Clients: []jamftest.APIClient{{ID: jamftest.DemoClientID, Secret: jamftest.DemoClientSecret, Privileges: jamftest.AllPrivileges(), TokenLifetime: 365 * 24 * time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, newUpdateClient(t, srv.URL), clock
}

func newUpdateClient(t *testing.T, base string) *jamf.Client {
	t.Helper()
	c, err := jamf.NewClient(base, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// groupDevices returns a group's members as update devices with hardware.
func groupDevices(t *testing.T, c *jamf.Client, name string) []UpdateDevice {
	t.Helper()
	ctx := t.Context()
	groups, _, err := c.Groups.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range ops.Summarise(groups) {
		if g.Name != name {
			continue
		}
		members, err := ops.GroupMembers(ctx, c, g)
		if err != nil {
			t.Fatal(err)
		}
		devs := make([]UpdateDevice, len(members))
		for i, m := range members {
			devs[i] = NewUpdateDevice(m)
		}
		if g.Kind == jamf.PlatformComputer {
			devs, _, err = WithHardware(ctx, c, devs)
			if err != nil {
				t.Fatal(err)
			}
		}
		return devs
	}
	t.Fatalf("no group %q", name)
	return nil
}

// TestUnknownVersionIsRefusedBeforeAnyRequest: a malformed version fails to
// parse (no request at all); a well-formed one the server does not offer is
// refused after reading the offered versions, before any plan is read or
// created.
func TestUnknownVersionIsRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	srv, c, _ := updateEnv(t, 20, -1)
	if _, err := ParseSoftwareUpdate(SoftwareUpdateFlags{Version: "26.x"}); err == nil {
		t.Fatal("26.x was accepted")
	}
	if n := srv.Log().TotalRequests(); n != 0 {
		t.Fatalf("%d requests before the request was even valid", n)
	}
	su, err := ParseSoftwareUpdate(SoftwareUpdateFlags{Version: "25.4"})
	if err != nil {
		t.Fatal(err)
	}
	devs := []UpdateDevice{{Device: ops.Device{ID: "1", ManagementID: "x", Kind: jamf.PlatformComputer}, ObjectType: jamf.ObjectComputer}}
	_, err = PreflightSoftwareUpdate(t.Context(), c, su, devs, UpdatePreflightOptions{Now: t0})
	if !errors.Is(err, ErrVersionNotOffered) || !strings.Contains(err.Error(), "27.1") {
		t.Fatalf("preflight of 25.4: %v", err)
	}
	log := srv.Log()
	if log.Requests("GET /api/v1/managed-software-updates/available-updates") != 1 || log.Requests(plansRoute) != 0 ||
		log.Requests("GET /api/v1/managed-software-updates/plans") != 0 || len(log.Plans()) != 0 {
		t.Fatalf("requests after refusing the version: %v", log.Routes())
	}
}

// TestPreflightSkipsUpToDateAndIncapableDevices checks each skip against the
// inventory, splits platforms by object type, and shows the server agrees:
// no plan created for an eligible device is rejected as up to date or as
// beyond its model.
func TestPreflightSkipsUpToDateAndIncapableDevices(t *testing.T) {
	t.Parallel()
	srv, c, clock := updateEnv(t, 400, 200)
	ctx := t.Context()
	devs := append(groupDevices(t, c, "All Managed Clients"), groupDevices(t, c, "All Managed iPhones")...)
	devs = append(devs, groupDevices(t, c, "Conference Room Apple TVs")...)
	for _, tc := range []struct {
		version     string
		alreadyText string
	}{{"latest-minor", "already on the latest"}, {"27.1", "already on or above the target"}, {"latest-major", "already on the newest major"}} {
		su, err := ParseSoftwareUpdate(SoftwareUpdateFlags{Version: tc.version})
		if err != nil {
			t.Fatal(err)
		}
		pf, err := PreflightSoftwareUpdate(ctx, c, su, devs, UpdatePreflightOptions{Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		skipped := 0
		for _, tg := range pf.Targets {
			d := tg.Device
			intel := d.AppleSilicon != nil && !*d.AppleSilicon
			switch {
			case strings.HasPrefix(tg.Skip, "model cannot run"):
				if !intel {
					t.Errorf("%s: %s skipped as incapable: %s", tc.version, d.Key(), tg.Skip)
				}
			case strings.HasPrefix(tg.Skip, "already"):
				if !tg.Target.IsZero() && d.OSVersion.Compare(tg.Target) < 0 {
					t.Errorf("%s: %s on %s skipped as up to date for %s", tc.version, d.Key(), d.OSVersion, tg.Target)
				}
				if !strings.HasPrefix(tg.Skip, tc.alreadyText) {
					t.Errorf("%s: reason %q", tc.version, tg.Skip)
				}
			case tg.Skip == "":
				if !tg.Target.IsZero() && d.OSVersion.Compare(tg.Target) >= 0 {
					t.Errorf("%s: %s on %s would get a plan to %s", tc.version, d.Key(), d.OSVersion, tg.Target)
				}
			}
			if tg.Skip != "" {
				skipped++
			}
		}
		if skipped == 0 || pf.Send == 0 || skipped+pf.Send != len(devs) {
			t.Fatalf("%s: %d skipped, %d to send of %d (%v)", tc.version, skipped, pf.Send, len(devs), pf.Skipped)
		}
		if tc.version == "27.1" && pf.Skipped["model cannot run 27 (Intel Mac; macOS 26 is its last)"] == 0 {
			t.Errorf("27.1: no Intel Mac skipped: %v", pf.Skipped)
		}
		if tc.version == "27.1" && pf.Skipped["the server lists no tvOS versions; only latest-* can be asked"] == 0 {
			t.Errorf("27.1: Apple TVs not skipped: %v", pf.Skipped)
		}
		if tc.version == "latest-minor" {
			if len(pf.ObjectTypes) != 3 || len(pf.ByObjectType[jamf.ObjectComputer]) == 0 || len(pf.ByObjectType[jamf.ObjectMobileDevice]) == 0 ||
				len(pf.ByObjectType[jamf.ObjectAppleTV]) == 0 {
				t.Fatalf("split by object type: %v", pf.ObjectTypes)
			}
			if len(pf.Missing) != 0 {
				t.Errorf("the admin client lacks %v", pf.Missing)
			}
			var all []jamf.PlanDevice
			for _, ot := range pf.ObjectTypes {
				all = append(all, pf.ByObjectType[ot]...)
			}
			res, err := SendPlans(ctx, c, su, all, PlanSendOptions{PerRequest: 100, Baseline: pf.Baseline})
			if err != nil {
				t.Fatal(err)
			}
			wantReqs := 0
			for _, ot := range pf.ObjectTypes {
				wantReqs += (len(pf.ByObjectType[ot]) + 99) / 100
			}
			if res.Creates != wantReqs || srv.Log().Requests(plansRoute) != wantReqs {
				t.Errorf("%d plan requests (server saw %d), want %d", res.Creates, srv.Log().Requests(plansRoute), wantReqs)
			}
			for _, p := range srv.Log().Plans() {
				if p.Rejected != "" && p.ObjectType != "APPLE_TV" {
					t.Errorf("the server rejected the plan of %s/%s: %s", p.ObjectType, p.DeviceID, p.Rejected)
				}
			}
			clock.Advance(time.Hour)
		}
	}
}

// TestStagedRolloutCreatesOnePlanPerEligibleDevice: a 2,000-computer group
// in 1 %, 10 %, 100 % stages; each stage's plans go out in requests of 100
// and the next stage starts only when the judge says continue. Every
// eligible device gets exactly one plan, skipped ones none.
func TestStagedRolloutCreatesOnePlanPerEligibleDevice(t *testing.T) {
	t.Parallel()
	srv, c, clock := updateEnv(t, 2000, -1)
	ctx := t.Context()
	devs := groupDevices(t, c, "All Managed Clients")
	if len(devs) != 2000 {
		t.Fatalf("group has %d members", len(devs))
	}
	su, err := ParseSoftwareUpdate(SoftwareUpdateFlags{Version: "latest-any"})
	if err != nil {
		t.Fatal(err)
	}
	pf, err := PreflightSoftwareUpdate(ctx, c, su, devs, UpdatePreflightOptions{Now: t0, SkipOfflineAfter: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	eligible := pf.ByObjectType[jamf.ObjectComputer]
	if len(eligible) < 1500 || pf.Send != len(eligible) {
		t.Fatalf("%d eligible of %d (%v)", len(eligible), len(devs), pf.Skipped)
	}
	stages, err := ParseStages("1%,10%,100%")
	if err != nil {
		t.Fatal(err)
	}
	targets := make([]Target, len(eligible))
	assignStages(targets, Knobs{Stages: stages}, nil)
	byStage := make([][]jamf.PlanDevice, len(stages))
	for i, tg := range targets {
		byStage[tg.Stage] = append(byStage[tg.Stage], eligible[i])
	}
	rules := StageRules{Action: su.Action, Share: 0.8, MaxFailureRate: 0.2, AutoContinue: true}
	wantCreates := 0
	reads := 0
	for s, stage := range byStage {
		sent := clock.Now()
		res, err := SendPlans(ctx, c, su, stage, PlanSendOptions{PerRequest: 100, Baseline: pf.Baseline})
		if err != nil {
			t.Fatal(err)
		}
		wantCreates += int(math.Ceil(float64(len(stage)) / 100))
		if len(res.Planned) != len(stage) {
			t.Fatalf("stage %d: %d plans for %d devices", s+1, len(res.Planned), len(stage))
		}
		var j StageJudgement
		for elapsed := time.Duration(0); ; elapsed += 10 * time.Minute {
			clock.Advance(10 * time.Minute)
			r, err := ReadStage(ctx, c, stage, pf.Baseline, sent)
			if err != nil {
				t.Fatal(err)
			}
			reads += r.Requests
			j = JudgeStage(r, rules, elapsed >= 4*time.Hour)
			if j.Verdict != VerdictWaiting {
				break
			}
		}
		t.Logf("stage %d: %d devices, %s: %s", s+1, len(stage), j.Verdict, j.Note)
		if j.Verdict != VerdictContinue {
			t.Fatalf("stage %d held: %s %v", s+1, j.Note, j.Failures)
		}
	}
	log := srv.Log()
	if n := log.Requests(plansRoute); n != wantCreates {
		t.Errorf("%d plan requests, want %d", n, wantCreates)
	}
	if n := len(log.Plans()); n != len(eligible) {
		t.Errorf("%d plans for %d eligible devices", n, len(eligible))
	}
	for _, tg := range pf.Targets {
		want := 1
		if tg.Skip != "" {
			want = 0
		}
		if n := log.PlanCount("COMPUTER", tg.Device.Device.ID); n != want {
			t.Fatalf("computer %s (skip %q) has %d plans", tg.Device.Device.ID, tg.Skip, n)
		}
	}
	t.Logf("eligible %d, skipped %v; plan requests %d; preflight reads %d; stage reads %d; all requests by route %v",
		len(eligible), pf.Skipped, wantCreates, pf.Requests, reads, log.Routes())
}

// TestFailingCanaryHoldsEvenWithAutoContinue: five of a twenty-device
// canary fail (disk space, power); the judge holds with the failures by
// reason although auto-continue is on. The same canary without failures
// continues.
func TestFailingCanaryHoldsEvenWithAutoContinue(t *testing.T) {
	t.Parallel()
	for _, failing := range []bool{true, false} {
		srv, c, clock := updateEnv(t, 300, -1)
		ctx := t.Context()
		su, _ := ParseSoftwareUpdate(SoftwareUpdateFlags{Version: "latest-any"})
		pf, err := PreflightSoftwareUpdate(ctx, c, su, groupDevices(t, c, "All Managed Clients"), UpdatePreflightOptions{Now: t0, SkipOfflineAfter: 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		canary := pf.ByObjectType[jamf.ObjectComputer][:20]
		for i, d := range canary {
			status := ""
			if failing && i < 3 {
				status = "DOWNLOAD_INSUFFICIENT_SPACE"
			} else if failing && i < 5 {
				status = "INSTALL_INSUFFICIENT_POWER"
			}
			if err := srv.FailSoftwareUpdate("COMPUTER", d.DeviceID, status); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := SendPlans(ctx, c, su, canary, PlanSendOptions{Baseline: pf.Baseline}); err != nil {
			t.Fatal(err)
		}
		rules := StageRules{Action: su.Action, Share: 1, MaxFailureRate: 0.1, AutoContinue: true}
		r, err := ReadStage(ctx, c, canary, pf.Baseline, t0)
		if err != nil {
			t.Fatal(err)
		}
		if j := JudgeStage(r, rules, false); j.Verdict != VerdictWaiting {
			t.Fatalf("before any device worked: %s (%s)", j.Verdict, j.Note)
		}
		clock.Advance(3 * time.Hour)
		r, err = ReadStage(ctx, c, canary, pf.Baseline, t0)
		if err != nil {
			t.Fatal(err)
		}
		j := JudgeStage(r, rules, false)
		if !failing {
			if j.Verdict != VerdictContinue || j.Reached != 20 {
				t.Fatalf("healthy canary: %s (%s)", j.Verdict, j.Note)
			}
			continue
		}
		if j.Verdict != VerdictHold || j.Healthy || j.Failed != 5 {
			t.Fatalf("failing canary: %s (%s)", j.Verdict, j.Note)
		}
		if len(j.Failures["insufficient space"]) != 3 || len(j.Failures["insufficient power"]) != 2 {
			t.Errorf("failures by reason: %v", j.Failures)
		}
		if !strings.Contains(j.Note, "insufficient space: 3") || j.Counts["INSTALLED"] != 15 {
			t.Errorf("note %q, counts %v", j.Note, j.Counts)
		}
	}
}

// answerDropper stands in front of a jamftest server: while dropping, plan
// requests reach the server and take effect, but their answer is a 502.
type answerDropper struct {
	*httptest.Server
	dropping atomic.Bool
}

func newAnswerDropper(t *testing.T, target string) *answerDropper {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	d := &answerDropper{}
	rp.ModifyResponse = func(resp *http.Response) error {
		if d.dropping.Load() && resp.Request.Method == http.MethodPost && strings.HasSuffix(resp.Request.URL.Path, "/managed-software-updates/plans") {
			resp.Body.Close()
			resp.StatusCode, resp.Status = http.StatusBadGateway, "502 Bad Gateway"
			resp.Body = io.NopCloser(strings.NewReader("upstream reset"))
			resp.Header.Set("Content-Type", "text/plain")
			resp.ContentLength = -1
			resp.Header.Del("Content-Length")
		}
		return nil
	}
	d.Server = httptest.NewServer(rp)
	t.Cleanup(d.Close)
	return d
}

// TestLostAnswerResumesWithoutASecondPlan: a plan request reaches the server
// but its answer is lost, and the process dies. A new process asks the
// server which devices have a plan and sends only the others: every device
// ends with exactly one plan. SendPlans does the same check in-process.
func TestLostAnswerResumesWithoutASecondPlan(t *testing.T) {
	t.Parallel()
	srv, c, _ := updateEnv(t, 300, -1)
	ctx := t.Context()
	proxy := newAnswerDropper(t, srv.URL)
	pc := newUpdateClient(t, proxy.URL)
	su, _ := ParseSoftwareUpdate(SoftwareUpdateFlags{Version: "latest-minor", UpdateAction: "download-install-allow-deferral", MaxDeferrals: intp(2)})
	pf, err := PreflightSoftwareUpdate(ctx, c, su, groupDevices(t, c, "All Managed Clients"), UpdatePreflightOptions{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	job := pf.ByObjectType[jamf.ObjectComputer][:150]

	// The first batch reaches the server; its answer is lost; the process dies.
	proxy.dropping.Store(true)
	_, _, err = pc.SoftwareUpdates().CreatePlan(ctx, job[:50], su.Config())
	var lost *jamf.OutcomeUnknownError
	if !errors.As(err, &lost) {
		t.Fatalf("lost answer: %v", err)
	}
	proxy.dropping.Store(false)
	if n := len(srv.Log().Plans()); n != 50 {
		t.Fatalf("the lost request made %d plans, want 50", n)
	}

	// A new process resumes the job from its journal: all 150 devices.
	resumed := newUpdateClient(t, srv.URL)
	check, err := DevicesWithoutPlan(ctx, resumed, su, job, pf.Baseline)
	if err != nil {
		t.Fatal(err)
	}
	if len(check.Planned) != 50 || len(check.Without) != 100 || check.Requests != 1 {
		t.Fatalf("check: %d planned, %d without, %d requests", len(check.Planned), len(check.Without), check.Requests)
	}
	if _, err := SendPlans(ctx, resumed, su, check.Without, PlanSendOptions{PerRequest: 50, Baseline: pf.Baseline}); err != nil {
		t.Fatal(err)
	}
	for _, d := range job {
		if n := srv.Log().PlanCount("COMPUTER", d.DeviceID); n != 1 {
			t.Fatalf("computer %s has %d plans", d.DeviceID, n)
		}
	}

	// In-process: the answer to the only request is lost; SendPlans checks
	// and, finding every device planned, sends nothing more.
	more := pf.ByObjectType[jamf.ObjectComputer][150:200]
	proxy.dropping.Store(true)
	res, err := SendPlans(ctx, pc, su, more, PlanSendOptions{PerRequest: 100, Baseline: pf.Baseline})
	proxy.dropping.Store(false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Creates != 1 || len(res.Planned) != 50 || res.Checks != 1 {
		t.Fatalf("in-process recovery: %+v", res)
	}
	for _, d := range more {
		if n := srv.Log().PlanCount("COMPUTER", d.DeviceID); n != 1 {
			t.Fatalf("computer %s has %d plans", d.DeviceID, n)
		}
	}
}
