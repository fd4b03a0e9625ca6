package mass

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// paceServer is a count-and-clock simulation of jamftest's load model (a
// token bucket of Capacity units a second holding at most Burst; a send
// of 50 devices costs 2 units; service time BaseLatency×(1+3u²)×[0.9,1.1]
// where u is how empty the bucket is, or how full the 5 request slots are;
// a refusal asks for a whole second). It runs on virtual time, so its
// counts do not depend on the machine's speed.
type paceServer struct {
	capacity, burst float64
	base            time.Duration
	tokens          float64
	last            float64 // seconds
}

// take charges a send arriving at t; it reports the service time, or a
// refusal with the wait it asks for.
func (s *paceServer) take(t float64, inflight int, rnd *rand.Rand) (time.Duration, bool, float64) {
	if s.last == 0 {
		s.tokens = s.burst
	} else {
		s.tokens = math.Min(s.burst, s.tokens+(t-s.last)*s.capacity)
	}
	s.last = t
	const cost = 2
	if s.tokens < cost || inflight > 5 {
		wait := math.Max(1, math.Ceil((cost-s.tokens)/s.capacity))
		return time.Millisecond, false, wait
	}
	s.tokens -= cost
	u := math.Max(1-s.tokens/s.burst, float64(inflight)/5)
	f := (1 + 3*u*u) * (0.9 + 0.2*rnd.Float64())
	return time.Duration(float64(s.base) * f), true, 0
}

// paceRun drives the pacer as the runner does (slow start at one send a
// second, sends at least one interval of the current rate apart, at most
// concurrency in flight, a refusal's wait honoured) until sends are
// accepted. It returns the refusals and the virtual time taken.
func paceRun(s *paceServer, ceiling float64, concurrency, sends int, seed uint64) (refusals int, took float64) {
	rnd := rand.New(rand.NewPCG(seed, seed+1))
	var p pacer
	cur := min(ceiling, 1.0)
	t, lastSend, holdUntil := 1.0, -1.0, 0.0
	type flight struct {
		done    float64
		latency time.Duration
		ok      bool
		wait    float64
	}
	var inflight []flight
	accepted := 0
	for accepted < sends {
		// Next dispatch: a free slot, the rate's interval, the server's wait.
		next := math.Max(lastSend+1/cur, holdUntil)
		if len(inflight) >= concurrency {
			earliest := 0
			for i, f := range inflight {
				if f.done < inflight[earliest].done {
					earliest = i
				}
			}
			next = math.Max(next, inflight[earliest].done)
		}
		// Deliver the answers due by then (in time order).
		for {
			earliest := -1
			for i, f := range inflight {
				if f.done <= math.Max(next, t) && (earliest < 0 || f.done < inflight[earliest].done) {
					earliest = i
				}
			}
			if earliest < 0 {
				break
			}
			f := inflight[earliest]
			inflight = append(inflight[:earliest], inflight[earliest+1:]...)
			t = math.Max(t, f.done)
			if f.ok {
				accepted++
			} else {
				refusals++
				holdUntil = math.Max(holdUntil, f.done+f.wait)
			}
			cur = p.next(simEpoch.Add(time.Duration(f.done*float64(time.Second))), cur, ceiling, f.latency, f.ok, !f.ok)
			next = math.Max(math.Max(lastSend+1/cur, holdUntil), t)
		}
		if len(inflight) >= concurrency || accepted >= sends {
			continue
		}
		t = math.Max(t, next)
		lastSend = t
		// A send reaches the server a little after it leaves (journal sync,
		// scheduling): up to 5 ms.
		arrive := t + 0.005*rnd.Float64()
		lat, ok, wait := s.take(arrive, len(inflight)+1, rnd)
		inflight = append(inflight, flight{done: arrive + lat.Seconds(), latency: lat, ok: ok, wait: wait})
	}
	return refusals, t - 1
}

// simEpoch is where virtual time starts.
var simEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// TestPacerStaysUnderCapacityModels: with the default ceiling (10 sends a
// second) and concurrency (2), the pacer meets each of the bench's
// capacity models (cmd/massbench) with at most 1 % of 400 sends refused
// and within 1.15 times the ideal time, over several seeds.
func TestPacerStaysUnderCapacityModels(t *testing.T) {
	t.Parallel()
	models := []struct {
		name            string
		capacity, burst float64
		base            time.Duration
	}{
		{"default", 20, 5, 40 * time.Millisecond},
		{"small burst", 20, 3, 40 * time.Millisecond},
		{"slower, small burst", 8, 3, 40 * time.Millisecond},
		{"latency grows first", 20, 40, 120 * time.Millisecond},
	}
	for _, m := range models {
		for seed := range uint64(5) {
			s := &paceServer{capacity: m.capacity, burst: m.burst, base: m.base}
			refusals, took := paceRun(s, 10, 2, 400, seed)
			ideal := 400 / (m.capacity / 2)
			t.Logf("%s seed %d: %d refused, %.2f× ideal", m.name, seed, refusals, took/ideal)
			if refusals > 4 || took > 1.15*ideal {
				t.Errorf("%s (seed %d): %d of 400 sends refused, %.1f s for an ideal %.0f s", m.name, seed, refusals, took, ideal)
			}
		}
	}
}
