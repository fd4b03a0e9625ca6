package jsctest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
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
	// A page far into the listing, read on the raw endpoint.
	tok := login(t, srv)
	start = time.Now()
	for range 5 {
		if n := page(t, srv, tok, 1300); n != 100 {
			t.Fatalf("page 1300 holds %d devices", n)
		}
	}
	page := time.Since(start) / 5
	t.Logf("a page of 100 at 138,000 devices: %v", page)
	if page > 50*time.Millisecond {
		t.Fatalf("a page took %v at 138,000 devices: proportional to the tenant", page)
	}
	if none, err := c.ListDevices(t.Context(), &jsc.ListOptions{ExternalID: "no-such-udid"}); err != nil || len(none) != 0 {
		t.Fatalf("unknown externalId: %v %+v", err, none)
	}
}

func login(t *testing.T, srv *jsctest.Server) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/login", nil)
	req.SetBasicAuth(jsctest.DemoAppID, jsctest.DemoAppSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Token
}

func page(t *testing.T, srv *jsctest.Server, tok string, n int) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/risk/v2/devices?page=%d&pageSize=100", srv.URL, n), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		UserDeviceList []json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return len(body.UserDeviceList)
}
