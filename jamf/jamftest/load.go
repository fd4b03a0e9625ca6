package jamftest

import (
	"math"
	"math/rand/v2"
	"time"
)

// LoadModel is the server's capacity. Above it, latency grows and the server
// turns requests away with 503 (or 429) and Retry-After, as an overloaded
// Jamf Pro behind a load balancer does.
type LoadModel struct {
	// Capacity is the work the server does per second, in request units
	// (0 = unlimited). A plain request costs 1; a bulk command costs more.
	Capacity float64
	// Burst is how many units may arrive at once (default: one second's worth).
	Burst float64
	// MaxConcurrent is how many requests it serves at once (0 = unlimited).
	MaxConcurrent int
	// BaseLatency is the service time of an idle server.
	BaseLatency time.Duration
	// PerDeviceCost is the extra cost per device named in a bulk command,
	// blank push or flush (default 0.02: 50 devices cost one more request).
	PerDeviceCost float64
	// Reject429 answers 429 instead of 503 when over capacity.
	Reject429 bool
}

func (l LoadModel) perDevice() float64 {
	if l.PerDeviceCost <= 0 {
		return 0.02
	}
	return l.PerDeviceCost
}

// Faults are failures injected into a share of requests.
type Faults struct {
	// ErrorRate is the share of requests answered with a 500.
	ErrorRate float64
	// SlowRate is the share delayed by SlowDelay.
	SlowRate  float64
	SlowDelay time.Duration
	// TimeoutRate is the share that the server carries out but never
	// answers in time: it holds the response for TimeoutDelay (default 60 s)
	// or until the client gives up, then sends 504. A write hit by this has
	// taken effect even though the client saw no answer.
	TimeoutRate  float64
	TimeoutDelay time.Duration
}

// tokenBucket meters request cost against capacity in real time.
type tokenBucket struct {
	tokens float64
	last   time.Time
}

func (b *tokenBucket) reset(capacity float64) {
	b.tokens = capacity
	b.last = time.Time{}
}

// take charges cost; when the bucket is short it returns how long until it
// would have enough, and charges nothing.
func (b *tokenBucket) take(l LoadModel, cost float64, now time.Time) (time.Duration, bool) {
	if l.Capacity <= 0 {
		return 0, true
	}
	burst := l.Burst
	if burst <= 0 {
		burst = l.Capacity
	}
	if b.last.IsZero() {
		b.tokens = burst
	} else {
		b.tokens = math.Min(burst, b.tokens+now.Sub(b.last).Seconds()*l.Capacity)
	}
	b.last = now
	need := math.Min(cost, burst)
	if b.tokens >= need {
		b.tokens -= need
		return 0, true
	}
	wait := time.Duration((need - b.tokens) / l.Capacity * float64(time.Second))
	return wait, false
}

// utilisation is how full the bucket is, from 0 (idle) to 1 (exhausted).
func (b *tokenBucket) utilisation(l LoadModel) float64 {
	if l.Capacity <= 0 {
		return 0
	}
	burst := l.Burst
	if burst <= 0 {
		burst = l.Capacity
	}
	return math.Max(0, math.Min(1, 1-b.tokens/burst))
}

// latency is the service time at a utilisation: flat when idle, up to four
// times the base when saturated.
func latency(l LoadModel, util float64) time.Duration {
	if l.BaseLatency <= 0 {
		return 0
	}
	f := 1 + 3*util*util
	jitter := 0.9 + 0.2*rand.Float64()
	return time.Duration(float64(l.BaseLatency) * f * jitter)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed*0x2545f4914f6cdd1d+1)) }
