package jamf_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// start is the virtual clock's starting time in these tests.
var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// setup starts a small server on a virtual clock and an admin client.
func setup(t *testing.T, opts jamftest.Options, copts ...jamf.Option) (*jamftest.Server, *jamf.Client) {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = jamftest.NewVirtualClock(start)
	}
	if opts.Computers == 0 {
		opts.Computers = 200
	}
	if opts.MobileDevices == 0 {
		opts.MobileDevices = 100
	}
	srv, err := jamftest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	copts = append([]jamf.Option{jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(3, 10*time.Millisecond)}, copts...)
	c, err := jamf.NewClient(srv.URL, copts...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func clockOf(srv *jamftest.Server) *jamftest.VirtualClock {
	return srv.Clock().(*jamftest.VirtualClock)
}

func TestNewClientRequiresHTTPS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://example.jamfcloud.com", true},
		{"https://example.jamfcloud.com/", true},
		{"http://127.0.0.1:9180", true},
		{"http://localhost:9180", true},
		{"http://[::1]:9180", true},
		{"http://example.jamfcloud.com", false},
		{"http://10.0.0.5", false},
		{"ftp://example.com", false},
		{"example.jamfcloud.com", false},
		{"https://user:pw@example.com", false},
		{"", false},
	}
	for _, tt := range tests {
		_, err := jamf.NewClient(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("NewClient(%q) error = %v, want ok=%v", tt.url, err, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error repeats the URL's password: %v", err)
		}
	}
}

func TestVersionAndPrivileges(t *testing.T) {
	t.Parallel()
	srv, admin := setup(t, jamftest.Options{})
	ctx := t.Context()
	v, _, err := admin.Auth.Version(ctx)
	if err != nil || !strings.HasPrefix(v, "11.30.1") {
		t.Fatalf("Version = %q, %v", v, err)
	}
	p, err := admin.Auth.Privileges(ctx)
	if err != nil || !p.Known || !p.Has(jamf.PrivFlushMDMCommands) {
		t.Fatalf("admin privileges = %v, %v", p.Names(), err)
	}
	help, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.HelpDeskClientID, jamftest.HelpDeskSecret))
	hp, err := help.Auth.Privileges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := hp.Missing(jamf.PrivFlushMDMCommands, jamf.PrivReadComputers); !slices.Equal(got, []string{jamf.PrivFlushMDMCommands}) {
		t.Fatalf("help desk missing = %q", got)
	}
}

func TestGroupCountsMatchMembers(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{Computers: 400, MobileDevices: 150})
	ctx := t.Context()
	groups, _, err := c.Groups.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) < 10 {
		t.Fatalf("only %d groups", len(groups))
	}
	kinds := map[jamf.Platform]int{}
	for _, g := range groups {
		kinds[g.Platform()]++
		var n int
		if g.Platform() == jamf.PlatformComputer {
			ids, _, err := c.Groups.ComputerMemberIDs(ctx, g.ID, g.Smart)
			if err != nil {
				t.Fatal(err)
			}
			list, _, err := c.Computers.ListByIDs(ctx, ids, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != len(ids) {
				t.Errorf("group %q: %d IDs but %d inventory records", g.Name, len(ids), len(list))
			}
			n = len(ids)
		} else {
			list, _, err := c.Groups.MobileMembers(ctx, g.ID, g.Smart, &jamf.ListOptions{PageSize: 37})
			if err != nil {
				t.Fatal(err)
			}
			n = len(list)
		}
		if n != g.MembershipCount {
			t.Errorf("group %s %q: membershipCount %d, members %d", g.Type, g.Name, g.MembershipCount, n)
		}
	}
	if kinds[jamf.PlatformComputer] == 0 || kinds[jamf.PlatformMobile] == 0 {
		t.Fatalf("groups by kind: %v", kinds)
	}
}

func TestSmartGroupCriteria(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{})
	ctx := t.Context()
	groups, _, _ := c.Groups.List(ctx, &jamf.ListOptions{Filter: jamf.Eq("groupName", "Macs - macOS older than 26")})
	if len(groups) != 1 {
		t.Fatalf("filter by name found %d groups", len(groups))
	}
	sg, _, err := c.Groups.GetSmartComputerGroup(ctx, groups[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sg.Criteria) != 1 || sg.Criteria[0].Name != "Operating System Version" || sg.Criteria[0].Value != "26.0" {
		t.Fatalf("criteria = %+v", sg.Criteria)
	}
	ids, _, _ := c.Groups.ComputerMemberIDs(ctx, groups[0].ID, true)
	list, _, _ := c.Computers.ListByIDs(ctx, ids, nil)
	for _, m := range list {
		if !strings.HasPrefix(m.OperatingSystem.Version, "1") {
			t.Errorf("member %s runs %s", m.ID, m.OperatingSystem.Version)
		}
	}
}

func TestPagingPastTheServerCap(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 4500, MobileDevices: -1})
	list, resp, err := c.Computers.List(t.Context(), []string{jamf.SectionGeneral}, &jamf.ListOptions{PageSize: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4500 || resp.TotalCount != 4500 {
		t.Fatalf("got %d records (totalCount %d), want 4500", len(list), resp.TotalCount)
	}
	seen := map[string]bool{}
	for _, m := range list {
		seen[m.ID] = true
	}
	if len(seen) != 4500 {
		t.Fatalf("%d distinct computers, want 4500 (pages overlapped or skipped)", len(seen))
	}
	if n := srv.Log().Requests("GET /api/v4/computers-inventory"); n != 3 {
		t.Fatalf("inventory requests = %d, want 3 pages of 2000", n)
	}
}

func TestConcurrencyNeverAboveLimit(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{2, jamf.DefaultConcurrency} {
		srv, c := setup(t, jamftest.Options{Computers: 3000, MobileDevices: -1, Load: jamftest.LoadModel{BaseLatency: 5 * time.Millisecond}}, jamf.WithConcurrency(limit))
		list, _, err := c.Computers.List(t.Context(), nil, &jamf.ListOptions{PageSize: 100})
		if err != nil || len(list) != 3000 {
			t.Fatalf("limit %d: %d records, %v", limit, len(list), err)
		}
		peak := srv.Log().PeakConcurrency()
		if peak > limit {
			t.Errorf("limit %d: the server saw %d requests at once", limit, peak)
		}
		if peak < 2 {
			t.Errorf("limit %d: pages were fetched one at a time (peak %d)", limit, peak)
		}
	}
}

func TestExpiredTokenRefreshedMidRun(t *testing.T) {
	t.Parallel()
	clients := []jamftest.APIClient{{ID: "short", Secret: "short-secret", Privileges: jamftest.AllPrivileges(), TokenLifetime: time.Minute}}
	srv, _ := setup(t, jamftest.Options{Clients: clients})
	c, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials("short", "short-secret"))
	ctx := t.Context()
	for range 10 {
		if _, _, err := c.Groups.List(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Log().Requests("POST /api/v1/oauth/token"); n != 1 {
		t.Fatalf("a 60-second token was fetched %d times for 10 calls", n)
	}
	// The server's clock passes the expiry; the client's cache still trusts
	// the token, gets a 401, refreshes once and carries on.
	clockOf(srv).Advance(2 * time.Minute)
	if _, _, err := c.Groups.List(ctx, nil); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if n := srv.Log().Requests("POST /api/v1/oauth/token"); n != 2 {
		t.Fatalf("token requests after expiry = %d, want 2", n)
	}
	srv.RevokeTokens()
	if _, _, err := c.Computers.List(ctx, nil, &jamf.ListOptions{PageSize: 50}); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if n := srv.Log().Requests("POST /api/v1/oauth/token"); n != 3 {
		t.Fatalf("token requests after revocation = %d, want 3", n)
	}
}

func TestBadCredentials(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, jamftest.Options{})
	for _, opt := range []jamf.Option{
		jamf.WithClientCredentials(jamftest.DemoClientID, "wrong-secret-123"),
		jamf.WithUserCredentials(jamftest.DemoUsername, "wrong-secret-123"),
	} {
		c, _ := jamf.NewClient(srv.URL, opt)
		_, _, err := c.Groups.List(t.Context(), nil)
		var ae *jamf.AuthError
		if !errors.As(err, &ae) {
			t.Fatalf("err = %v (%T), want *AuthError", err, err)
		}
		if strings.Contains(err.Error(), "wrong-secret-123") {
			t.Fatalf("the error shows the secret: %v", err)
		}
	}
}

func TestForbiddenNamesThePrivilege(t *testing.T) {
	t.Parallel()
	srv, admin := setup(t, jamftest.Options{})
	ctx := t.Context()
	help, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.HelpDeskClientID, jamftest.HelpDeskSecret))
	_, err := help.MDM.Flush(ctx, jamf.FlushComputers, []string{"1"}, jamf.FlushFailed)
	var er *jamf.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode() != http.StatusForbidden {
		t.Fatalf("flush as help desk: %v", err)
	}
	if !strings.Contains(err.Error(), `"Flush MDM Commands"`) {
		t.Fatalf("403 does not name the privilege: %v", err)
	}
	list, _, err := admin.Computers.List(ctx, nil, &jamf.ListOptions{Filter: jamf.Eq("id", "1")})
	if err != nil || len(list) != 1 {
		t.Fatal(err)
	}
	_, _, err = help.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "RESTART_DEVICE"}, []string{list[0].General.ManagementID})
	if !errors.As(err, &er) || er.StatusCode() != http.StatusForbidden || !er.HasCode("INVALID_PRIVILEGE") {
		t.Fatalf("restart as help desk: %v", err)
	}
	if !strings.Contains(err.Error(), "Send Computer Restart Command") || !strings.Contains(err.Error(), "RESTART_DEVICE") {
		t.Fatalf("403 does not name the command privilege: %v", err)
	}
	if n := srv.Log().CommandCount(list[0].General.ManagementID, "RESTART_DEVICE"); n != 0 {
		t.Fatalf("a refused command was queued %d times", n)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{})
	ctx := t.Context()
	_, _, err := c.Groups.GetSmartComputerGroup(ctx, "9999")
	if !errors.Is(err, jamf.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	// A Classic 404 is an HTML status page, reduced to its reason.
	_, _, err = c.Classic.ComputerCommandHistory(ctx, "987654")
	if !errors.Is(err, jamf.ErrNotFound) {
		t.Fatalf("classic err = %v, want ErrNotFound", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "<") || !strings.Contains(msg, "has not found anything matching the request URI") {
		t.Fatalf("classic 404 message = %q", msg)
	}
}

func TestServiceUnavailableRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Load: jamftest.LoadModel{Capacity: 4, Burst: 2}}, jamf.WithRetries(5, 10*time.Millisecond))
	ctx := t.Context()
	began := time.Now()
	// 60 records in pages of 10: 6 reads against a burst of 2.
	list, _, err := c.Computers.List(ctx, nil, &jamf.ListOptions{PageSize: 10, Filter: jamf.Le("id", "60")})
	if err != nil || len(list) != 60 {
		t.Fatalf("list under load: %d records, %v", len(list), err)
	}
	log := srv.Log()
	if log.Rejected() == 0 {
		t.Fatal("the load model turned nothing away; the test proves nothing")
	}
	if elapsed := time.Since(began); elapsed < 900*time.Millisecond {
		t.Fatalf("retries came after %v: Retry-After (1 s) was not honoured", elapsed)
	}
	// A write refused for load is a *RateLimitError and is not re-sent.
	srv.SetLoad(jamftest.LoadModel{Capacity: 0.001, Burst: 1})
	_, _, _ = c.Groups.List(ctx, &jamf.ListOptions{Filter: jamf.Eq("groupName", "x")}) // drains the bucket (and fails)
	_, _, err = c.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "DEVICE_INFORMATION"}, []string{list[0].General.ManagementID})
	var rl *jamf.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter < time.Second {
		t.Fatalf("send under load: %v", err)
	}
	var er *jamf.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode() != http.StatusServiceUnavailable {
		t.Fatalf("RateLimitError does not unwrap to the 503: %v", err)
	}
	if n := srv.Log().Requests("POST /api/v2/mdm/commands"); n != 1 {
		t.Fatalf("the refused write was sent %d times", n)
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{Faults: jamftest.Faults{SlowRate: 1, SlowDelay: 5 * time.Second}})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := c.Groups.List(ctx, nil); err != context.Canceled {
		t.Fatalf("pre-cancelled: err = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, _, err := c.Groups.List(ctx, nil)
	if err != context.DeadlineExceeded {
		t.Fatalf("mid-request: err = %v, want context.DeadlineExceeded", err)
	}
	if time.Since(began) > 3*time.Second {
		t.Fatal("the call outlived its context")
	}
}

func TestWriteWithLostAnswerIsNotResent(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{}, jamf.WithTimeout(300*time.Millisecond))
	ctx := t.Context()
	list, _, err := c.Computers.List(ctx, nil, &jamf.ListOptions{Filter: jamf.Eq("id", "5")})
	if err != nil {
		t.Fatal(err)
	}
	mgmt := list[0].General.ManagementID
	srv.SetFaults(jamftest.Faults{TimeoutRate: 1, TimeoutDelay: 3 * time.Second})
	_, _, err = c.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "RESTART_DEVICE"}, []string{mgmt})
	var ou *jamf.OutcomeUnknownError
	if !errors.As(err, &ou) {
		t.Fatalf("err = %v (%T), want *OutcomeUnknownError", err, err)
	}
	srv.SetFaults(jamftest.Faults{})
	if n := srv.Log().CommandCount(mgmt, "RESTART_DEVICE"); n != 1 {
		t.Fatalf("the command reached the device %d times, want exactly 1", n)
	}
	if n := srv.Log().Requests("POST /api/v2/mdm/commands"); n != 1 {
		t.Fatalf("the write was sent %d times", n)
	}
	// The caller can verify: the command is in the device's list.
	cmds, _, err := c.MDM.CommandsForDevices(ctx, []string{mgmt})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(cmds, func(c jamf.Command) bool { return c.CommandType == "RESTART_DEVICE" }) {
		t.Fatal("the queued command is not listed")
	}
}

func TestReadsRetriedOnServerErrors(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{})
	ctx := t.Context()
	if _, _, err := c.Auth.Version(ctx); err != nil { // fetch the token first
		t.Fatal(err)
	}
	srv.SetFaults(jamftest.Faults{ErrorRate: 1})
	_, _, err := c.Groups.List(ctx, nil)
	var er *jamf.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode() != http.StatusInternalServerError {
		t.Fatalf("err = %v", err)
	}
	// 500 is not retried (it is not a load signal); 503 would be.
	if n := srv.Log().Requests("GET /api/v2/groups"); n != 1 {
		t.Fatalf("a 500 was retried %d times", n-1)
	}
}
