package mass

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestWriteAnswered503AfterActingIsVerifiedNotResent: a gateway answers
// 503 with a Retry-After to sends that the server behind it has already
// carried out. The runner must verify those devices, not send them the
// command again as though the 503 had refused it.
func TestWriteAnswered503AfterActingIsVerifiedNotResent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)[:20]
	u, _ := url.Parse(e.srv.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	var sends atomic.Int32
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method == http.MethodPost && resp.Request.URL.Path == "/api/v2/mdm/commands" && sends.Add(1) == 1 {
			resp.Body.Close()
			resp.StatusCode, resp.Status = 503, "503 Service Unavailable"
			resp.Header.Set("Retry-After", "0")
			resp.Body = io.NopCloser(strings.NewReader(`{"httpStatus":503,"errors":[{"code":"UNAVAILABLE","description":"try later"}]}`))
			resp.ContentLength = -1
			resp.Header.Del("Content-Length")
		}
		return nil
	}
	proxy := httptest.NewServer(rp)
	t.Cleanup(proxy.Close)
	c, err := jamf.NewClient(proxy.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ParseAction("RESTART_DEVICE")
	k := fast()
	k.BatchSize = 5
	p, _, err := Build(context.Background(), c, Request{Action: a, Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := CreateJournal(e.dir, p)
	_, st, _ := ReadJournal(j.Path())
	final, err := NewRunner(c, j, e.audit).Run(context.Background(), p, st)
	j.Close()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, d := range devs {
		if n := e.srv.Log().CommandCount(d.ManagementID, "RESTART_DEVICE"); n != 1 {
			t.Fatalf("%s received RESTART_DEVICE %d times, want once", d.Name, n)
		}
	}
	if c := final.Counts(); c[StateSent] != len(devs) {
		t.Fatalf("counts %v, want all %d sent", c, len(devs))
	}
}
