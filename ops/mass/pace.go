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
//     (smoothed over a few answers, so that one slow answer is noise; an
//     answer quicker than quickest says nothing). Below slowRatio the rate
//     climbs; between slowRatio and backOffRatio it holds; above
//     backOffRatio it eases off;
//   - a refusal (429/503): the rate halves. Sends already on their way when
//     it came are the same episode. A first refusal may be a passing crowd
//     (other clients, the token and verification reads): its rate is only
//     suspected. A second one near it confirms the server's limit: the rate
//     then climbs back only to belowLimit of it, re-probing very slowly, so
//     that a server whose queue gives no warning is refused a few times in
//     a job, not once a cycle. Sending well past a suspected limit clears
//     the suspicion.
//
// A refusal below the ceiling also makes the pacer wary for the rest of the
// job: the server's capacity is near, a small burst gives little room, and
// the slope of its latency is the only warning. A wary pacer climbs at most
// wareStep an answer, holds from wareHold and eases off from wareEase, so
// that it settles just under the capacity (the bench's small-burst models,
// cmd/massbench) instead of meeting it again.
type pacer struct {
	fastest time.Duration // the quickest answer so far
	smooth  float64       // the latency ratio, smoothed over a few answers
	samples int
	suspect float64 // the rate of a first refusal (0: none)
	limit   float64 // a confirmed limit (0: none yet)
	// refusedAt is when the last counted refusal came back: a send that
	// left before it was already on its way, and is the same episode.
	refusedAt time.Time
	// wary: the server has refused this job below the ceiling, so its
	// capacity is near and its latency is the only warning: climb in small
	// steps, and heed a slowing server sooner.
	wary bool
}

// Pacing constants (see pacer).
const (
	slowRatio    = 1.8
	backOffRatio = 2.5
	wareHold     = 1.25 // wary: hold from here
	wareEase     = 1.45 // wary: ease off from here
	wareStep     = 0.01 // wary: grow by 1 % an answer at most
	easeCut      = 0.95
	belowLimit   = 0.92
	confirmCut   = 0.97
	reprobe      = 1.0003 // per answered send: about 280 sends to climb back up to a remembered limit
	refusedCut   = 0.5
	slowCut      = 0.85
	// quickest is the shortest latency that speaks of the server's load:
	// a few milliseconds more or less on a quicker answer are the
	// machine's scheduling, not a queue filling.
	quickest = 10 * time.Millisecond
)

// adapt sets the limiter after a send's answer (or refusal).
func (x *run) adapt(latency time.Duration, err error) {
	r := x.r
	x.mu.Lock()
	defer x.mu.Unlock()
	cur := float64(r.limiter.Limit())
	cur = r.pace.next(time.Now(), cur, r.ceiling, latency, err == nil, refused(err))
	r.limiter.SetLimit(rate.Limit(cur))
}

// next is the new rate after an answer that came at at, latency after its
// send left: ok (answered without error), refusedNow (429/503), or neither
// (an error that says nothing of load).
func (p *pacer) next(at time.Time, cur, ceiling float64, latency time.Duration, ok, refusedNow bool) float64 {
	switch {
	case refusedNow && !p.refusedAt.IsZero() && at.Add(-latency).Before(p.refusedAt):
		return cur // on its way when the last refusal came: already counted
	case refusedNow:
		p.refusedAt = at
		if p.limit > 0 || (p.suspect > 0 && cur >= 0.8*p.suspect) {
			p.limit = cur * confirmCut // refused above the limit: it lies a little below
		}
		p.suspect = cur
		p.wary = p.wary || cur < ceiling
		return max(0.1, cur*refusedCut)
	case !ok:
		return cur
	}
	if p.fastest == 0 || latency < p.fastest {
		p.fastest = latency
	}
	p.samples++
	if p.suspect > 0 && cur > 1.25*p.suspect {
		p.suspect = 0 // well past it without a refusal: it was a passing crowd
	}
	raw := float64(latency) / float64(max(p.fastest, quickest))
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
	hold, ease := slowRatio, backOffRatio
	if p.wary {
		hold, ease = wareHold, wareEase
	}
	switch {
	case p.samples >= 3 && ratio >= backOffRatio:
		return max(0.1, cur*slowCut) // the server is filling up: ease off
	case p.samples >= 3 && ratio >= ease:
		return max(0.1, cur*easeCut)
	case p.samples >= 3 && ratio >= hold:
		return min(cur, top) // slowing: hold
	}
	step := ceiling / 10
	if near := max(p.suspect, p.limit); near > 0 && cur > 0.7*near {
		step = ceiling / 40 // close to where the server refused: small steps
	}
	if p.wary {
		step = min(step, cur*wareStep)
	}
	return min(top, cur+step)
}

// paceTick is the longest a waiting send sleeps before it reads the rate
// again: a rise (an answer came back fast) reaches it at once, not after
// the slot it computed at the old rate.
const paceTick = 25 * time.Millisecond

// space paces dispatches: each goes at least one interval of the current
// rate after the last (a rate limiter of burst one, whose waiting send
// follows the rate as it changes; a server with little burst refuses two
// sends closer than that). A send that waited for its slot while a
// refusal came back also honours the pause the server asked for (holdOff
// said it).
func (x *run) space(ctx context.Context) error {
	r := x.r
	for {
		r.mu.Lock()
		gap := time.Duration(float64(time.Second) / max(float64(r.limiter.Limit()), 0.01))
		ready := r.lastSend.Add(gap)
		if r.notUntil.After(ready) {
			ready = r.notUntil
		}
		wait := time.Until(ready)
		if wait <= 0 {
			r.lastSend = time.Now()
			r.mu.Unlock()
			return nil
		}
		r.mu.Unlock()
		if err := ctxtime.Sleep(ctx, min(wait, paceTick)); err != nil {
			return err
		}
	}
}

// markSent counts a request other than a send (the server's clock read)
// in the spacing: on a server with little burst, a send right behind it
// (and the token request) would be refused.
func (r *Runner) markSent() {
	r.mu.Lock()
	r.lastSend = time.Now()
	r.mu.Unlock()
}
