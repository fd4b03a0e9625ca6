package mass

import (
	"context"
	"time"

	"golang.org/x/time/rate"

	"github.com/jamfops/jamfops/internal/ctxtime"
)

// pacer keeps the send rate under the server's capacity instead of finding
// it by overload. It watches two signals:
//
//   - latency against the fastest answer seen (the idle server): a server
//     fills up before it refuses, and its answers slow down as it does
//     (smoothed over a few answers, so that one slow answer is noise). Below
//     slowRatio the rate climbs; between slowRatio and backOffRatio it holds;
//     above backOffRatio it eases off;
//   - a refusal (429/503): the rate drops. A first refusal may be a
//     passing crowd (other clients, the token and verification reads): its
//     rate is only suspected. A second one near it confirms the server's
//     limit: the rate then climbs back only to belowLimit of it, re-probing
//     very slowly, so that a server whose queue gives no warning is refused
//     a few times in a job, not once a cycle. Sending well past a suspected
//     limit clears the suspicion.
type pacer struct {
	fastest time.Duration // the quickest answer so far
	smooth  float64       // the latency ratio, smoothed over a few answers
	samples int
	suspect float64 // the rate of a first refusal (0: none)
	limit   float64 // a confirmed limit (0: none yet)
	// answers counts the answers since the last counted refusal: sends
	// already in flight then (up to the concurrency) are refused too, and
	// are the same episode.
	answers int
}

// Pacing constants (see pacer).
const (
	slowRatio    = 1.8
	backOffRatio = 2.5
	belowLimit   = 0.92
	confirmCut   = 0.97
	episode      = 5      // answers (at most 5 requests are ever in flight)
	reprobe      = 1.0003 // per answered send: about 280 sends to climb back up to a remembered limit
	refusedCut   = 0.6
	slowCut      = 0.85
)

// adapt sets the limiter after a send's answer (or refusal).
func (x *run) adapt(latency time.Duration, err error) {
	r := x.r
	x.mu.Lock()
	defer x.mu.Unlock()
	cur := float64(r.limiter.Limit())
	cur = r.pace.next(cur, r.ceiling, latency, err == nil, refused(err))
	r.limiter.SetLimit(rate.Limit(cur))
}

// next is the new rate after an answer: ok (answered without error),
// refusedNow (429/503), or neither (an error that says nothing of load).
func (p *pacer) next(cur, ceiling float64, latency time.Duration, ok, refusedNow bool) float64 {
	switch {
	case refusedNow && p.suspect > 0 && p.answers < episode:
		p.answers++
		return cur // in flight when the last refusal came: already counted
	case refusedNow:
		p.answers = 0
		if p.limit > 0 || (p.suspect > 0 && cur >= 0.8*p.suspect) {
			p.limit = cur * confirmCut // refused above the limit: it lies a little below
		}
		p.suspect = cur
		return max(0.1, cur*refusedCut)
	case !ok:
		p.answers++
		return cur
	}
	p.answers++
	if p.fastest == 0 || latency < p.fastest {
		p.fastest = latency
	}
	p.samples++
	if p.suspect > 0 && cur > 1.25*p.suspect {
		p.suspect = 0 // well past it without a refusal: it was a passing crowd
	}
	raw := float64(latency) / float64(max(p.fastest, time.Microsecond))
	if p.smooth == 0 {
		p.smooth = raw
	}
	p.smooth = 0.7*p.smooth + 0.3*raw
	ratio := p.smooth
	top := ceiling
	if p.limit > 0 {
		p.limit = min(ceiling/belowLimit, p.limit*reprobe)
		top = min(ceiling, p.limit*belowLimit)
	}
	switch {
	case p.samples >= 3 && ratio >= backOffRatio:
		return max(0.1, cur*slowCut) // the server is filling up: ease off
	case p.samples >= 3 && ratio >= slowRatio:
		return min(cur, top) // slowing: hold
	}
	step := ceiling / 10
	if near := max(p.suspect, p.limit); near > 0 && cur > 0.7*near {
		step = ceiling / 40 // close to where the server refused: small steps
	}
	return min(top, cur+step)
}

// space keeps sends at least one interval of the current rate apart. The
// limiter alone lets two through at once when its rate rises while a send
// waits for a slot reserved at the old rate; a server with little burst
// refuses the second.
func (x *run) space(ctx context.Context) error {
	r := x.r
	r.mu.Lock()
	gap := time.Duration(float64(time.Second) / max(float64(r.limiter.Limit()), 0.01))
	wait := time.Until(r.lastSend.Add(gap))
	r.mu.Unlock()
	if wait > 0 {
		if err := ctxtime.Sleep(ctx, wait); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.lastSend = time.Now()
	r.mu.Unlock()
	return nil
}
