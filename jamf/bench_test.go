package jamf_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// BenchmarkListInventory100k lists a 100,000-computer inventory (GENERAL,
// HARDWARE, OPERATING_SYSTEM and USER_AND_LOCATION sections) through the
// client against jamftest, for several page sizes and concurrency limits.
// It reports the requests one listing makes.
func BenchmarkListInventory100k(b *testing.B) {
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 100_000, MobileDevices: -1, Clock: jamftest.NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for _, tc := range []struct{ pageSize, conc int }{{2000, 5}, {500, 5}, {2000, 1}} {
		b.Run(fmt.Sprintf("page=%d/conc=%d", tc.pageSize, tc.conc), func(b *testing.B) {
			c, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithConcurrency(tc.conc))
			if err != nil {
				b.Fatal(err)
			}
			var reqs int
			for b.Loop() {
				list, resp, err := c.Computers.List(b.Context(), nil, &jamf.ListOptions{PageSize: tc.pageSize})
				if err != nil {
					b.Fatal(err)
				}
				if len(list) != 100_000 {
					b.Fatalf("listed %d computers", len(list))
				}
				reqs = resp.Requests
			}
			b.ReportMetric(float64(reqs), "requests/op")
			b.ReportMetric(100_000/(b.Elapsed().Seconds()/float64(b.N)), "devices/s")
		})
	}
}
