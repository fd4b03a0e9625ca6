package jsc_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
)

// clock is a virtual clock for the server.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func fleet(n int) []jsctest.ExternalDevice {
	out := make([]jsctest.ExternalDevice, n)
	for i := range out {
		out[i] = jsctest.ExternalDevice{UDID: fmt.Sprintf("0000ABCD-%012X", i), Name: fmt.Sprintf("Mac %d", i), User: "user", Email: "u@example.com", OSType: "MAC_OS"}
	}
	return out
}

func setup(t *testing.T, opts jsctest.Options, copts ...jsc.Option) (*jsctest.Server, *jsc.Client, *clock) {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	if opts.Clock == nil {
		opts.Clock = clk
	}
	if opts.Devices == nil {
		opts.Devices = fleet(250)
	}
	srv := jsctest.NewServer(opts)
	t.Cleanup(srv.Close)
	c, err := jsc.NewClient(srv.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, copts...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, clk
}

func TestNewClientChecks(t *testing.T) {
	t.Parallel()
	if _, err := jsc.NewClient("http://risk.example.com", "a", "b"); err == nil {
		t.Error("plain http to a remote host accepted")
	}
	if _, err := jsc.NewClient("", "", ""); err == nil || !strings.Contains(err.Error(), "JSC_APP_ID") {
		t.Errorf("missing credentials: %v", err)
	}
	c, err := jsc.NewClient("", "a", "b")
	if err != nil || c.BaseURL() != jsc.DefaultBaseURL {
		t.Fatalf("default host: %v, %v", c, err)
	}
}

func TestListDevicesPagesAndMaps(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, jsctest.Options{Unmanaged: 7})
	list, err := c.ListDevices(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 257 {
		t.Fatalf("listed %d devices, want 257 (250 managed + 7 BYOD)", len(list))
	}
	levels := map[jsc.Level]int{}
	for _, d := range list {
		levels[d.Risk]++
		if d.ID == "" || d.LastSeen.IsZero() || d.Name == "" {
			t.Fatalf("incomplete device %+v", d)
		}
	}
	if levels[jsc.Secure] < 150 || levels[jsc.High] == 0 || levels[jsc.Low]+levels[jsc.Medium] == 0 {
		t.Fatalf("risk spread %v", levels)
	}
	pages := 0
	for _, r := range srv.Log().Requests() {
		if r.Path == "/risk/v2/devices" {
			pages++
		}
	}
	if pages != 3 {
		t.Fatalf("%d list requests for 257 devices, want 3", pages)
	}
	one, err := c.ListDevices(t.Context(), &jsc.ListOptions{ExternalID: strings.ToUpper(list[3].ExternalID)})
	if err != nil || len(one) != 1 || one[0].ID != list[3].ID {
		t.Fatalf("by external ID: %+v, %v", one, err)
	}
}

func TestV1Fallback(t *testing.T) {
	t.Parallel()
	_, c, _ := setup(t, jsctest.Options{DisableV2: true})
	list, err := c.ListDevices(t.Context(), nil)
	if err != nil || len(list) != 250 {
		t.Fatalf("v1 fallback: %d devices, %v", len(list), err)
	}
}

func TestSetAndClearOverride(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, jsctest.Options{})
	ctx := t.Context()
	list, _ := c.ListDevices(ctx, nil)
	var secure []string
	for _, d := range list {
		if d.Risk == jsc.Secure && len(secure) < 3 {
			secure = append(secure, d.ID)
		}
	}
	for _, r := range c.SetRisk(ctx, secure, jsc.High) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	for _, id := range secure {
		if l, _ := srv.Risk(id); l != jsc.High {
			t.Fatalf("%s is %s after SetRisk HIGH", id, l)
		}
	}
	for _, r := range c.ClearOverride(ctx, secure) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	for _, id := range secure {
		if l, _ := srv.Risk(id); l != jsc.Secure {
			t.Fatalf("%s is %s after clearing", id, l)
		}
	}
	recs := srv.Log().Overrides()
	if len(recs) != 6 || recs[0].Source != jsc.SourceManual || recs[0].After != jsc.High || recs[3].Source != jsc.SourceJSC || recs[3].RequestID == "" {
		t.Fatalf("admin log = %+v", recs)
	}
	// Unknown IDs are refused with the API's error.
	res := c.SetRisk(ctx, []string{"no-such-device"}, jsc.Low)
	var er *jsc.ErrorResponse
	if !errors.As(res[0].Err, &er) || er.Logref != "INVALID_DEVICE_IDS" {
		t.Fatalf("unknown ID: %v", res[0].Err)
	}
}

func TestTokenExpiryRelogin(t *testing.T) {
	t.Parallel()
	srv, c, clk := setup(t, jsctest.Options{Devices: fleet(5)})
	ctx := t.Context()
	if _, err := c.ListDevices(ctx, nil); err != nil {
		t.Fatal(err)
	}
	clk.advance(16 * time.Minute) // the server's token lifetime passes
	if _, err := c.ListDevices(ctx, nil); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	logins, unauthorized := 0, 0
	for _, r := range srv.Log().Requests() {
		if r.Path == "/v1/login" {
			logins++
		}
		if r.Status == 401 {
			unauthorized++
		}
	}
	if logins != 2 || unauthorized != 1 {
		t.Fatalf("logins %d, 401s %d; want 2 and 1", logins, unauthorized)
	}
	if exp, ok := jsc.TokenExpiry("a.eyJleHAiOjE3Njc0NDAwMDB9.c"); !ok || exp.Unix() != 1767440000 {
		t.Fatalf("TokenExpiry = %v %v", exp, ok)
	}
}

func TestBadCredentialsAndMalformedBodies(t *testing.T) {
	t.Parallel()
	srv, _, _ := setup(t, jsctest.Options{Devices: fleet(5)})
	bad, _ := jsc.NewClient(srv.URL, jsctest.DemoAppID, "wrong-secret-42")
	_, err := bad.ListDevices(t.Context(), nil)
	var ae *jsc.AuthError
	if !errors.As(err, &ae) || strings.Contains(err.Error(), "wrong-secret-42") {
		t.Fatalf("bad secret: %v", err)
	}
	good, _ := jsc.NewClient(srv.URL, jsctest.DemoAppID, jsctest.DemoAppSecret)
	srv.SetBrokenJSON(true)
	_, err = good.ListDevices(t.Context(), nil)
	if err == nil || !strings.Contains(err.Error(), "not the expected JSON") {
		t.Fatalf("malformed body: %v", err)
	}
}

func TestRateLimitRetryHeaderHonoured(t *testing.T) {
	t.Parallel()
	// The client's own pacer is opened wide so the server's limit bites.
	srv, c, _ := setup(t, jsctest.Options{Devices: fleet(20)}, jsc.WithLimits(1000, 100_000))
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for range 12 {
		wg.Go(func() {
			_, err := c.ListDevices(ctx, &jsc.ListOptions{ExternalID: "nothing"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a request failed instead of waiting: %v", err)
		}
	}
	limited := 0
	for _, r := range srv.Log().Requests() {
		if r.Status == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("the server never said 429; the test proves nothing")
	}
}

func TestClientPacerKeepsTheLimit(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, jsctest.Options{Devices: fleet(120)}, jsc.WithBatchSize(10))
	ctx := t.Context()
	list, err := c.ListDevices(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(list))
	for i, d := range list {
		ids[i] = d.ID
	}
	for _, r := range c.ClearOverride(ctx, ids) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if n := srv.Log().MaxPerSecond(""); n > jsc.DefaultRate {
		t.Fatalf("%d requests within one second", n)
	}
	for _, r := range srv.Log().Requests() {
		if r.Status == 429 {
			t.Fatal("the paced client was told 429")
		}
	}
	if b := c.Budget(); b.Used != 14 || b.Remaining != jsc.DefaultDailyBudget-14 {
		t.Fatalf("budget = %+v; want 14 used (2 pages + 12 batches)", b)
	}
}

func TestBudgetExhaustion(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t, jsctest.Options{Devices: fleet(5)}, jsc.WithLimits(50, 2))
	ctx := t.Context()
	for range 2 {
		if _, err := c.ListDevices(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	before := len(srv.Log().Requests())
	_, err := c.ListDevices(ctx, nil)
	var be *jsc.BudgetError
	if !errors.As(err, &be) {
		t.Fatalf("third call: %v", err)
	}
	if len(srv.Log().Requests()) != before {
		t.Fatal("a request was sent past the budget")
	}
	// The server's own daily budget answers 429 with a long wait; the
	// client returns it at once rather than sleeping for hours, saying what
	// was asked and what it will honour.
	srv2, c2, _ := setup(t, jsctest.Options{Devices: fleet(5), PerDay: 1})
	_, _ = c2.ListDevices(ctx, nil)
	_, err = c2.ListDevices(ctx, nil)
	var rl *jsc.RateLimitError
	if !errors.As(err, &rl) || rl.Asked < time.Hour || rl.RetryAfter != jsc.MaxServerWait {
		t.Fatalf("server budget: %v", err)
	}
	_ = srv2
}
