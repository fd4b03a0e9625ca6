package mass

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestServerAskingADayIsHeldToTheCapAndSaid: the first send is answered
// 429 with Retry-After: 86399. The runner must say so within seconds (what
// the server asked, until when it holds) and hold no longer than its cap.
func TestServerAskingADayIsHeldToTheCapAndSaid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 40}, "", "")
	devs := e.devices(t, true)[:10]
	u, _ := url.Parse(e.srv.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	var mu sync.Mutex
	var refusedAt time.Time
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v2/mdm/commands" {
			mu.Lock()
			first := refusedAt.IsZero()
			if first {
				refusedAt = time.Now()
			}
			mu.Unlock()
			if first {
				w.Header().Set("Retry-After", "86399")
				http.Error(w, `{"httpStatus":429}`, http.StatusTooManyRequests)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	c, _ := jamf.NewClient(proxy.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(0, 0))
	a, _ := ParseAction("DEVICE_INFORMATION")
	k := fast()
	k.BatchSize, k.Concurrency = 5, 1
	p, _, _ := Build(context.Background(), c, Request{Action: a, Knobs: k, Devices: devs, Now: t0})
	j, _ := CreateJournal(e.dir, p)
	defer j.Close()
	_, st, _ := ReadJournal(j.Path())
	r := NewRunner(c, j, e.audit)
	r.MaxWait = 400 * time.Millisecond // MaxServerWait in production
	events := make(chan Event, 1)      // a reader that keeps up only barely
	r.Events = events
	done := make(chan error, 1)
	began := time.Now()
	go func() { _, err := r.Run(context.Background(), p, st); done <- err }()
	var said *Event
	var saidAt time.Time
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-events:
			if said == nil && strings.Contains(ev.Note, "server asked to wait 23h59m59s") {
				said, saidAt = &ev, time.Now()
			}
			if ev.Kind != EvDone {
				continue
			}
			if err := <-done; err != nil || ev.Note != "done" {
				t.Fatalf("end %q, %v", ev.Note, err)
			}
			if said == nil {
				t.Fatal("the wait the server asked for was never said")
			}
			mu.Lock()
			lag := saidAt.Sub(refusedAt)
			mu.Unlock()
			if lag > 2*time.Second || !strings.Contains(said.Note, "holding until") || !strings.Contains(said.Note, "the most jamfops waits") || said.Until.IsZero() {
				t.Fatalf("said %q (until %v) %s after the 429", said.Note, said.Until, lag)
			}
			if time.Since(began) > 10*time.Second {
				t.Fatalf("the job took %s: the cap did not hold", time.Since(began))
			}
			for _, d := range devs {
				if n := e.srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION"); n != 1 {
					t.Fatalf("device %s got the command %d times", d.ID, n)
				}
			}
			return
		case <-timeout:
			t.Fatalf("no end in 20 s (said: %v)", said != nil)
		}
	}
}

func TestMaxServerWaitIsFiveMinutes(t *testing.T) {
	if MaxServerWait != 5*time.Minute || (&Runner{}).maxWait() != MaxServerWait {
		t.Fatal("the documented cap is 5 minutes")
	}
}
