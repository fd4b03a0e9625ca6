package mass

import (
	"context"
	"fmt"
	"time"

	"github.com/jamfops/jamfops/internal/ctxtime"
)

// MaxServerWait is the longest jamfops holds a job because a server asked
// it to wait (Retry-After, a rate-limit reset): a server asking for more is
// held to this, and the wait is always said in an Event.
const MaxServerWait = 5 * time.Minute

func (r *Runner) maxWait() time.Duration {
	if r.MaxWait > 0 {
		return r.MaxWait
	}
	return MaxServerWait
}

// askedWait is what the server asked for: the clients report the asked
// wait uncapped (Asked, 0 when the server did not say) and the wait they
// honour (RetryAfter, already within their own cap); holdOff says the
// first and caps it itself.
func askedWait(asked, honoured time.Duration) time.Duration {
	if asked > 0 {
		return asked
	}
	return honoured
}

// holdOff delays the next dispatch because the server asked for a pause,
// capped at the runner's maximum, and says so at once.
func (x *run) holdOff(stage int, asked time.Duration) {
	if asked <= 0 {
		return
	}
	r := x.r
	hold := min(asked, r.maxWait())
	now := r.Now()
	until := now.Add(hold)
	note := fmt.Sprintf("server asked to wait %s; holding until %s", roundWait(asked), until.Format("15:04:05"))
	if hold < asked {
		note += fmt.Sprintf(" (%s, the most jamfops waits)", roundWait(hold))
	}
	note += ", ctrl+c to stop"
	r.mu.Lock()
	later := time.Now().Add(hold).After(r.notUntil)
	if later {
		r.notUntil, r.holdNote, r.holdUntil = time.Now().Add(hold), note, until
	}
	r.mu.Unlock()
	if later {
		x.emitWait(stage, note, until)
	}
}

// waitHoldOff sleeps out a pause the server asked for, saying so.
func (x *run) waitHoldOff(ctx context.Context, stage int) error {
	r := x.r
	r.mu.Lock()
	d := time.Until(r.notUntil)
	note, until := r.holdNote, r.holdUntil
	r.mu.Unlock()
	if d <= 0 {
		return nil
	}
	x.emitWait(stage, note, until)
	return ctxtime.Sleep(ctx, d)
}

// emitWait delivers a server-asked wait even to a slow reader: a job must
// never sit silently.
func (x *run) emitWait(stage int, note string, until time.Time) {
	if x.r.Events == nil {
		return
	}
	e := x.event(EvWaiting, stage, note)
	e.Until = until
	x.r.Events <- e
}

func roundWait(d time.Duration) time.Duration {
	if d >= time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}
