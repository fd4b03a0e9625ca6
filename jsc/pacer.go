package jsc

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Budget is the day's Risk API request budget.
type Budget struct {
	Limit int
	// Used is what the day has used: with a shared budget, by every
	// process sharing it (and at least what the server reported).
	Used      int
	Remaining int
	// Mine is what this client spent today.
	Mine int
	// Shared is true when Used counts every process (WithSharedBudget).
	Shared  bool
	ResetAt time.Time
}

// SharedCounter is a per-day request count shared by several processes
// (internal/daycount.Counter is one). Add counts n requests if the day's
// total stays within limit; Raise lifts the count to at least used; Used
// reads it.
type SharedCounter interface {
	Add(n, limit int, now time.Time) (used int, ok bool, err error)
	Raise(used int, now time.Time) (int, error)
	Used(now time.Time) (int, error)
}

// WithSharedBudget counts the day's requests in c, shared with every other
// client (process) using the same counter, instead of in this client
// alone: the daily budget then holds for all of them together, and Budget
// reports what they used together. When the counter cannot be read or
// written (a full disk), the client counts by itself and goes on; the
// server's own 429 still holds.
func WithSharedBudget(c SharedCounter) Option {
	return func(cl *Client) error {
		cl.pace.shared = c
		return nil
	}
}

// pacer keeps a client within its requests per second and its daily
// budget. Logins and data calls share one per-second pacer: that is safe
// whichever way a tenant counts them (apart or together). Only data calls
// count against the daily budget.
type pacer struct {
	perSecond *rate.Limiter
	mu        sync.Mutex
	limit     int
	used      int // this client's requests today
	day       time.Time
	now       func() time.Time
	shared    SharedCounter
	// sharedUsed is the shared count last seen.
	sharedUsed int
	sharedErr  error
}

// newPacer spaces requests evenly (burst 1) at 90% of the limit: a bucket
// with a burst of 5 would let 9 requests into one sliding second, and the
// margin keeps network jitter from bunching arrivals past the server's limit.
func newPacer(perSecond float64, perDay int, now func() time.Time) *pacer {
	r := rate.Limit(perSecond * 0.9)
	return &pacer{perSecond: rate.NewLimiter(r, 1), limit: perDay, now: now}
}

// setLimits changes the rates, keeping the shared counter.
func (p *pacer) setLimits(perSecond float64, perDay int) {
	p.perSecond = rate.NewLimiter(rate.Limit(perSecond*0.9), 1)
	p.limit = perDay
}

func (p *pacer) roll() {
	today := p.now().UTC().Truncate(24 * time.Hour)
	if !today.Equal(p.day) {
		p.day, p.used, p.sharedUsed = today, 0, 0
	}
}

// wait reserves one request of the day's budget, then waits its turn.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	p.roll()
	if err := p.reserve(); err != nil {
		p.mu.Unlock()
		return err
	}
	p.mu.Unlock()
	return p.perSecond.Wait(ctx)
}

// reserve counts one request, in the shared count when there is one.
// p.mu is held.
func (p *pacer) reserve() error {
	reset := p.day.Add(24 * time.Hour)
	if p.shared != nil {
		used, ok, err := p.shared.Add(1, p.limit, p.now())
		p.sharedErr = err
		if err == nil {
			p.sharedUsed = used
			if !ok {
				return &BudgetError{Limit: p.limit, ResetAt: reset, Shared: true}
			}
			p.used++
			return nil
		}
		// The shared file failed: count locally rather than stop.
	}
	if p.used >= p.limit {
		return &BudgetError{Limit: p.limit, ResetAt: reset}
	}
	p.used++
	return nil
}

// spent records that the server says the day's budget is spent (a 429
// asking to wait until the day resets): the shared count, and what Budget
// shows, become the whole limit.
func (p *pacer) spent() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.roll()
	if p.shared != nil {
		if used, err := p.shared.Raise(p.limit, p.now()); err == nil {
			p.sharedUsed = used
		}
	}
	p.used = max(p.used, p.limit)
}

// waitLogin waits a login's turn in the same per-second pace as data calls.
func (p *pacer) waitLogin(ctx context.Context) error { return p.perSecond.Wait(ctx) }

func (p *pacer) budget() Budget {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.roll()
	b := Budget{Limit: p.limit, Used: p.used, Mine: p.used, ResetAt: p.day.Add(24 * time.Hour)}
	if p.shared != nil {
		// Other processes move the shared count: read it each time (a
		// small locked file read).
		if used, err := p.shared.Used(p.now()); err == nil {
			p.sharedUsed, p.sharedErr = used, nil
		} else {
			p.sharedErr = err
		}
		if p.sharedErr == nil {
			b.Used, b.Shared = max(p.sharedUsed, p.used), true
		}
	}
	b.Remaining = max(0, b.Limit-b.Used)
	return b
}
