package mass

import (
	"context"
	"errors"
	"io"
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
)

// hostileProxy stands in front of a jamftest server. While hostile, it
// carries every send out on the server but answers 500, and fails every
// command-list read with 500: the sends' fate cannot be established.
type hostileProxy struct {
	*httptest.Server
	hostile atomic.Bool
}

func newHostileProxy(t *testing.T, target string) *hostileProxy {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	hp := &hostileProxy{}
	rp.ModifyResponse = func(resp *http.Response) error {
		if hp.hostile.Load() && resp.Request.Method == http.MethodPost && resp.Request.URL.Path == "/api/v2/mdm/commands" {
			resp.Body.Close()
			resp.StatusCode, resp.Status = 500, "500 Internal Server Error"
			resp.Body = io.NopCloser(strings.NewReader(`{"httpStatus":500,"errors":[{"code":"INTERNAL","description":"boom"}]}`))
			resp.ContentLength = -1
			resp.Header.Del("Content-Length")
		}
		return nil
	}
	hp.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hp.hostile.Load() && r.Method == http.MethodGet && r.URL.Path == "/api/v2/mdm/commands" {
			http.Error(w, `{"httpStatus":500}`, 500)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(hp.Close)
	return hp
}

// TestAllUnknownJobIsNotDoneAndResumes: every send is answered 500 (the
// server carried it out) and every verification read fails. The job must
// not end done; once the server behaves, resuming it verifies and finds
// every command: nothing is sent twice.
func TestAllUnknownJobIsNotDoneAndResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)[:20]
	hp := newHostileProxy(t, e.srv.URL)
	hp.hostile.Store(true)
	c, err := jamf.NewClient(hp.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ParseAction("RESTART_DEVICE")
	k := fast()
	k.BatchSize, k.MaxFailureRate = 5, 0.2
	p, _, err := Build(context.Background(), c, Request{Action: a, Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := CreateJournal(e.dir, p)
	_, st, _ := ReadJournal(j.Path())
	final, err := NewRunner(c, j, e.audit).Run(context.Background(), p, st)
	j.Close()
	if !errors.Is(err, ErrUnverified) {
		t.Fatalf("run: %v, want ErrUnverified", err)
	}
	if final.Ended != "" || final.Unverified() != len(devs) || final.Counts()[StateFailed] != 0 {
		t.Fatalf("ended %q, counts %v", final.Ended, final.Counts())
	}
	if !strings.Contains(final.Reasons[0], "could not verify") {
		t.Fatalf("reason %q", final.Reasons[0])
	}
	jobs, _ := ListJobs(e.dir)
	if len(jobs) != 1 || !jobs[0].Unfinished() || !strings.HasPrefix(jobs[0].Status, "unverified") {
		t.Fatalf("listing: %+v", jobs[0])
	}

	hp.hostile.Store(false)
	j, p, st, err = OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	final, err = NewRunner(c, j, e.audit).Run(context.Background(), p, st)
	j.Close()
	if err != nil || final.Ended != "done" || final.Counts()[StateSent] != len(devs) {
		t.Fatalf("resume: %v, ended %q, %v", err, final.Ended, final.Counts())
	}
	for _, d := range devs {
		if n := e.srv.Log().CommandCount(d.ManagementID, "RESTART_DEVICE"); n != 1 {
			t.Fatalf("device %s got the restart %d times", d.ID, n)
		}
	}
}

// TestInterruptedBlankPushIsUnverifiedNotConfirmed: a blank push leaves no
// trace, so an interrupted one cannot be confirmed.
func TestInterruptedBlankPushIsUnverifiedNotConfirmed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 40}, "", "")
	devs := e.devices(t, true)[:10]
	a, _ := ParseAction("blank-push")
	p, _, _ := Build(context.Background(), e.c, Request{Action: a, Knobs: fast(), Devices: devs, Now: t0})
	j, _ := CreateJournal(e.dir, p)
	_ = j.write(record{T: "intent", Batch: 1, IDs: []int{0, 1, 2}})
	j.Close()
	j, p, st, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	final, err := NewRunner(e.c, j, e.audit).Run(context.Background(), p, st)
	j.Close()
	if !errors.Is(err, ErrUnverified) || final.Ended != "" {
		t.Fatalf("run: %v, ended %q", err, final.Ended)
	}
	for i := range 3 {
		if final.Targets[i] != StateUnverified || strings.Contains(final.Reasons[i], "confirmed") || !strings.Contains(final.Reasons[i], "cannot be verified") {
			t.Fatalf("target %d: %s (%s)", i, final.Targets[i], final.Reasons[i])
		}
	}
	if c := final.Counts(); c[StateSent] != len(devs)-3 || c[StateUnverified] != 3 {
		t.Fatalf("counts %v", c)
	}
	for _, d := range devs[3:] {
		if n := e.srv.Log().BlankPushes(d.ManagementID); n != 1 {
			t.Fatalf("device %s pushed %d times", d.ID, n)
		}
	}
}

func TestHeldRunReturnsErrHeldWithTheReason(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 60}, "", "")
	devs := e.devices(t, true)
	a, _ := ParseAction("SECURITY_INFO")
	k := fast()
	k.Stages = []Stage{{Count: 3}, {Share: 1}}
	p, _, _ := Build(context.Background(), e.c, Request{Action: a, Knobs: k, Devices: devs, Now: t0})
	j, _ := CreateJournal(e.dir, p)
	_, st, _ := ReadJournal(j.Path())
	r := NewRunner(e.c, j, e.audit)
	r.HoldReturns = true
	done := make(chan error, 1)
	go func() { _, err := r.Run(context.Background(), p, st); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), "stage 1 of 2 done") {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a held run did not return")
	}
	j.Close()
	if _, st, _ := ReadJournal(j.Path()); st.Held != 0 || st.Ended != "" {
		t.Fatalf("held %d, ended %q: not resumable", st.Held, st.Ended)
	}
}
