package jsctest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
)

// At 138,000 devices a lookup by externalId or guid and a page far into
// the tenant are answered from the indexes in time of the page, not of the
// tenant (before, 0.36–0.86 s a page).
func TestLargeTenantPagesAndLookupsAreFast(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 138,000 devices")
	}
	devs := make([]jsctest.ExternalDevice, 138_000)
	for i := range devs {
		devs[i] = jsctest.ExternalDevice{UDID: fmt.Sprintf("AAAAAAAA-0000-4000-8000-%012d", i), Name: fmt.Sprint("mac ", i)}
	}
	srv := jsctest.NewServer(jsctest.Options{Devices: devs, PerSecond: 1000})
	t.Cleanup(srv.Close)
	c, err := jsc.NewClient(srv.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, jsc.WithLimits(1000, 10_000))
	if err != nil {
		t.Fatal(err)
	}
	ids := srv.DeviceIDs()
	// Warm up the connection and the token.
	if _, err := c.ListDevices(t.Context(), &jsc.ListOptions{ID: ids[0]}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	const n = 20
	for i := range n {
		k := len(ids) - 1 - i*997
		byExt, err := c.ListDevices(t.Context(), &jsc.ListOptions{ExternalID: fmt.Sprintf("aaaaaaaa-0000-4000-8000-%012d", k)})
		if err != nil || len(byExt) != 1 || byExt[0].ID != ids[k] {
			t.Fatalf("externalId lookup %d: %v %+v", k, err, byExt)
		}
		byID, err := c.ListDevices(t.Context(), &jsc.ListOptions{ID: ids[k]})
		if err != nil || len(byID) != 1 || byID[0].ExternalID != byExt[0].ExternalID {
			t.Fatalf("guid lookup %d: %v %+v", k, err, byID)
		}
	}
	per := time.Since(start) / (2 * n)
	t.Logf("lookup at 138,000 devices: %v each", per)
	if per > 50*time.Millisecond {
		t.Fatalf("a lookup took %v at 138,000 devices: not answered from an index", per)
	}
	if none, err := c.ListDevices(t.Context(), &jsc.ListOptions{ExternalID: "no-such-udid"}); err != nil || len(none) != 0 {
		t.Fatalf("unknown externalId: %v %+v", err, none)
	}
}
