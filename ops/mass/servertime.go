package mass

import (
	"net/http"
	"time"

	"github.com/jamfops/jamfops/jamf"
)

// verifyMargin is how far before an intent's server time a command may be
// dated and still count as the job's: the Date header has one-second
// resolution and the estimate carries a request's latency.
const verifyMargin = 30 * time.Second

// observe learns the server's clock from a response's Date header: the
// offset between it and the runner's clock, so that intents record the
// server's time and verification never depends on the local clock.
func (r *Runner) observe(h http.Header) {
	if h == nil {
		return
	}
	d, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	r.mu.Lock()
	r.srvOffset, r.srvKnown = d.Sub(r.Now()), true
	r.mu.Unlock()
}

// observeResult learns the server's clock from a call's successful
// response. Error answers are not trusted for it: a proxy or load balancer
// in front of the server may have written them.
func (r *Runner) observeResult(resp *jamf.Response, err error) {
	if err == nil && resp != nil && resp.Response != nil {
		r.observe(resp.Header)
	}
}

// serverNow is the server's time now, as last learned (zero when unknown).
// It errs early by a second: a Date header is truncated to the second.
func (r *Runner) serverNow() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.srvKnown {
		return time.Time{}
	}
	return r.Now().Add(r.srvOffset - time.Second).UTC()
}

// anchor is the earliest server time at which a command of target i can
// count as this job's.
func (x *run) anchor(i int) time.Time {
	x.mu.Lock()
	a := x.st.Anchor[i]
	x.mu.Unlock()
	if a.IsZero() {
		// A journal from before server times were recorded.
		return x.p.Created.Add(-time.Minute)
	}
	return a.Add(-verifyMargin)
}
