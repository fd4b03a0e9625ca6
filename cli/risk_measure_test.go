package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc/jsctest"
)

// TestRiskMeasure measures, at the published 5 requests a second, the time
// and Risk API requests of `risk list` and of a one-device `risk reset` on
// tenants of 2,000, 20,000 and 100,000 devices (every one a Jamf Pro
// computer enrolled in JSC). It takes about five minutes, so it runs only
// when asked: JAMFOPS_RISK_MEASURE=1 (or a comma list of sizes)
//
//	JAMFOPS_RISK_MEASURE=1 go test ./cli -run TestRiskMeasure -v -timeout 30m
func TestRiskMeasure(t *testing.T) {
	want := os.Getenv("JAMFOPS_RISK_MEASURE")
	if want == "" {
		t.Skip("set JAMFOPS_RISK_MEASURE=1 to measure (slow)")
	}
	sizes := []int{2_000, 20_000, 100_000}
	if want != "1" {
		sizes = nil
		for _, s := range strings.Split(want, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		srv, err := jamftest.NewServer(jamftest.Options{Computers: n, MobileDevices: -1})
		if err != nil {
			t.Fatal(err)
		}
		ids := srv.Identities()
		devs := make([]jsctest.ExternalDevice, len(ids))
		for i, id := range ids {
			devs[i] = jsctest.ExternalDevice{UDID: id.UDID, Name: id.Name, User: id.User, OSType: "MAC_OS"}
		}
		rs := jsctest.NewServer(jsctest.Options{Devices: devs, PerDay: 100_000})
		c := riskCLI(t, srv, rs)
		serial, _ := enrolled(t, srv, rs)
		measure := func(label string, args ...string) {
			before := jscRequests(rs)
			start := time.Now()
			r := c.run("", args...)
			took := time.Since(start)
			if r.code != 0 {
				t.Fatalf("%s: %d %q", label, r.code, r.stderr)
			}
			line := fmt.Sprintf("%7d devices  %-28s %8.1f s  %5d Risk API requests (login included)", len(rs.DeviceIDs()), label, took.Seconds(), jscRequests(rs)-before)
			t.Log(line)
			fmt.Fprintln(os.Stderr, line)
		}
		measure("risk reset (no cache)", "risk", "reset", serial, "--reason", "measure", "--yes")
		measure("risk list", "risk", "list")
		measure("risk list --max-age 10m", "risk", "list", "--max-age", "10m")
		measure("risk reset (with cache)", "risk", "reset", serial, "--reason", "measure", "--yes")
		rs.Close()
		srv.Close()
	}
}
