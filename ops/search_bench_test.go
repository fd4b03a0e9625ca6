package ops_test

import (
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// BenchmarkSearchDevices100k searches a 100,000-computer, 20,000-mobile
// fleet for a serial (exact) and a common word (broad, capped), and reports
// the Jamf Pro API requests each search made.
func BenchmarkSearchDevices100k(b *testing.B) {
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 100000, MobileDevices: 20000, Clock: jamftest.NewVirtualClock(start)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	c, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
	if err != nil {
		b.Fatal(err)
	}
	macs, _, err := c.Computers.FirstPage(b.Context(), nil, &jamf.ListOptions{PageSize: 1, Sort: []string{"udid:desc"}})
	if err != nil || len(macs) == 0 {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, text string }{{"serial", macs[0].Hardware.SerialNumber}, {"broad", "macbook"}} {
		b.Run(bc.name, func(b *testing.B) {
			reqs := 0
			for b.Loop() {
				res, err := ops.SearchDevices(b.Context(), c, bc.text, ops.SearchOptions{})
				if err != nil || len(res.Matches) == 0 {
					b.Fatalf("%v %+v", err, res)
				}
				reqs = res.Requests
			}
			b.ReportMetric(float64(reqs), "requests/search")
		})
	}
}
