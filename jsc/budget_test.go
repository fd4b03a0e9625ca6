package jsc_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/jamfops/jamfops/internal/daycount"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
)

// Two clients (two jamfops processes) sharing one day count: each sees the
// other's requests in its budget, and the shared limit holds for both.
func TestSharedBudgetAddsUp(t *testing.T) {
	t.Parallel()
	srv := jsctest.NewServer(jsctest.Options{Devices: []jsctest.ExternalDevice{{UDID: "A-1", Name: "a"}}, PerSecond: 1000})
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "budget", "app.json")
	open := func() *jsc.Client {
		counter, err := daycount.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		c, err := jsc.NewClient(srv.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, jsc.WithLimits(200, 10), jsc.WithSharedBudget(counter))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := open(), open()
	for range 3 {
		if _, err := a.ListDevices(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		if _, err := b.ListDevices(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*jsc.Client{a, b} {
		if got := c.Budget(); got.Used != 7 || got.Remaining != 3 || got.Limit != 10 {
			t.Fatalf("budget = %+v, want 7 used of 10 by both processes", got)
		}
	}
	if got := a.Budget().Mine; got != 3 {
		t.Fatalf("this process spent %d, want 3", got)
	}
	// The shared limit holds: three more requests, then a budget error.
	for range 3 {
		if _, err := a.ListDevices(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := b.ListDevices(t.Context(), nil)
	var be *jsc.BudgetError
	if !errors.As(err, &be) {
		t.Fatalf("11th request of the shared day: %v, want a BudgetError", err)
	}
	data := 0
	for _, r := range srv.Log().Requests() {
		if r.Path != "/v1/login" {
			data++
		}
	}
	if data != 10 {
		t.Fatalf("server saw %d data requests, want 10", data)
	}
}

// A 429 asking to wait until the UTC day ends is the server saying the
// day's budget is spent (it counted requests this client did not see):
// the shared count is raised to the whole limit for every process.
func TestServerSpentDayReconcilesSharedBudget(t *testing.T) {
	t.Parallel()
	srv := jsctest.NewServer(jsctest.Options{Devices: []jsctest.ExternalDevice{{UDID: "A-1", Name: "a"}}, PerSecond: 1000, PerDay: 2})
	t.Cleanup(srv.Close)
	counter, err := daycount.Open(filepath.Join(t.TempDir(), "app.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := jsc.NewClient(srv.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, jsc.WithLimits(200, 100), jsc.WithSharedBudget(counter))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.ListDevices(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if b := c.Budget(); b.Used != 2 {
		t.Fatalf("before: %+v", b)
	}
	if _, err := c.ListDevices(t.Context(), nil); err == nil {
		t.Fatal("the server's day was spent, yet the listing succeeded")
	}
	if b := c.Budget(); b.Remaining != 0 || b.Used != 100 {
		t.Fatalf("after the server's day-long 429: %+v, want 0 left", b)
	}
	if used, _ := counter.Used(time.Now()); used != 100 {
		t.Fatalf("shared count = %d, want the whole limit", used)
	}
}
