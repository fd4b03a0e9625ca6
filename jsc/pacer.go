package jsc

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Budget is the day's Risk API request budget.
type Budget struct {
	Limit     int
	Used      int
	Remaining int
	ResetAt   time.Time
}

// pacer keeps a client within its requests per second and its daily
// budget. Logins and data calls share one per-second pacer: that is safe
// whichever way a tenant counts them (apart or together). Only data calls
// count against the daily budget.
type pacer struct {
	perSecond *rate.Limiter
	mu        sync.Mutex
	limit     int
	used      int
	day       time.Time
	now       func() time.Time
}

// newPacer spaces requests evenly (burst 1) at 90% of the limit: a bucket
// with a burst of 5 would let 9 requests into one sliding second, and the
// margin keeps network jitter from bunching arrivals past the server's limit.
func newPacer(perSecond float64, perDay int, now func() time.Time) *pacer {
	r := rate.Limit(perSecond * 0.9)
	return &pacer{perSecond: rate.NewLimiter(r, 1), limit: perDay, now: now}
}

func (p *pacer) roll() {
	today := p.now().UTC().Truncate(24 * time.Hour)
	if !today.Equal(p.day) {
		p.day, p.used = today, 0
	}
}

// wait reserves one request of the day's budget, then waits its turn.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	p.roll()
	if p.used >= p.limit {
		reset := p.day.Add(24 * time.Hour)
		p.mu.Unlock()
		return &BudgetError{Limit: p.limit, ResetAt: reset}
	}
	p.used++
	p.mu.Unlock()
	return p.perSecond.Wait(ctx)
}

// waitLogin waits a login's turn in the same per-second pace as data calls.
func (p *pacer) waitLogin(ctx context.Context) error { return p.perSecond.Wait(ctx) }

func (p *pacer) budget() Budget {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.roll()
	return Budget{Limit: p.limit, Used: p.used, Remaining: p.limit - p.used, ResetAt: p.day.Add(24 * time.Hour)}
}
