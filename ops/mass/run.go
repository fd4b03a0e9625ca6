package mass

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"

	"github.com/jamfops/jamfops/internal/ctxtime"
	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// EventKind says what an Event reports.
type EventKind int

// Event kinds.
const (
	EvProgress EventKind = iota // a batch finished
	EvWaiting                   // sending is held back (window, backlog, pause)
	EvHold                      // a stage ended; waiting for a go-ahead
	EvDone                      // the job ended (Note says how)
)

// Event is what the runner reports while it works.
type Event struct {
	Kind                                  EventKind
	Stage, Stages                         int
	Sent, Failed, Skipped, Pending, Total int
	Cancelled                             int
	Rate                                  float64 // current requests per second
	Backlog                               int     // estimated pending commands (-1 unknown)
	// Unverified counts targets whose fate could not be established.
	Unverified int
	Note       string
	// Until is when a wait the server asked for ends (zero otherwise).
	Until time.Time
}

// ErrHeld is returned (wrapped with the reason) when a job stops after a
// stage to wait for a go-ahead that this run cannot give (HoldReturns). The
// job stays resumable.
var ErrHeld = errors.New("held for a go-ahead")

// Runner sends a plan's batches. Create it with NewRunner.
type Runner struct {
	Client *jamf.Client
	// JSC changes risk for KindRisk jobs.
	JSC     *jsc.Client
	Journal *Journal
	Audit   *ops.AuditLog
	// Events, if set, receives progress (dropped when the reader is slow)
	// and every hold and the end (always delivered).
	Events chan<- Event
	// Poll is how often waits are re-checked (default 15 s).
	Poll time.Duration
	// Now tells the local time for the window and for learning the
	// server's clock (default time.Now).
	Now func() time.Time
	// HoldReturns makes Run return ErrHeld at a hold instead of waiting:
	// headless runs set it so that they always return.
	HoldReturns bool
	// MaxWait caps a wait the server asks for (default MaxServerWait).
	MaxWait time.Duration

	mu        sync.Mutex
	paused    bool
	cancel    bool
	goAhead   chan struct{}
	wake      chan struct{}
	limiter   *rate.Limiter
	ceiling   float64
	pace      pacer
	backlog   int
	notUntil  time.Time // the server asked for a pause (Retry-After), capped
	holdNote  string
	holdUntil time.Time
	lastSend  time.Time     // when the last batch was dispatched
	srvOffset time.Duration // the server's clock minus Now
	srvKnown  bool
}

// NewRunner returns a runner for a journal.
func NewRunner(c *jamf.Client, j *Journal, audit *ops.AuditLog) *Runner {
	return &Runner{Client: c, Journal: j, Audit: audit, Poll: 15 * time.Second, Now: time.Now,
		goAhead: make(chan struct{}, 1), wake: make(chan struct{}, 1), backlog: -1}
}

func (r *Runner) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Pause stops sending new batches (requests in flight finish).
func (r *Runner) Pause() { r.mu.Lock(); r.paused = true; r.mu.Unlock() }

// Resume continues after Pause.
func (r *Runner) Resume() { r.mu.Lock(); r.paused = false; r.mu.Unlock(); r.poke() }

// Cancel ends the job: requests in flight finish, nothing more is sent.
func (r *Runner) Cancel() { r.mu.Lock(); r.cancel = true; r.mu.Unlock(); r.poke() }

// GoAhead lets a held job start its next stage.
func (r *Runner) GoAhead() {
	select {
	case r.goAhead <- struct{}{}:
	default:
	}
	r.poke()
}

func (r *Runner) flags() (paused, cancelled bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paused, r.cancel
}

// run holds the per-run counters guarded by mu.
type run struct {
	r  *Runner
	p  *Plan
	st *State
	// fields are the command body's fields as sent (Action.CommandFields).
	fields map[string]any
	// secrets are the values of fields never recorded (sentSecrets).
	secrets []string
	mu      sync.Mutex
	batch   int
	stop    string // why the job stopped early ("" while fine)
}

func (x *run) event(kind EventKind, stage int, note string) Event {
	x.mu.Lock()
	defer x.mu.Unlock()
	c := x.st.Counts()
	return Event{Kind: kind, Stage: stage, Stages: x.p.Stages, Sent: c[StateSent], Failed: c[StateFailed], Skipped: c[StateSkipped],
		Cancelled: c[StateCancelled], Pending: c[StatePending] + c[StateUnknown], Total: len(x.p.Targets), Unverified: c[StateUnverified],
		Rate: float64(x.r.limiter.Limit()), Backlog: x.r.backlog, Note: note}
}

func (x *run) emit(kind EventKind, stage int, note string) {
	if x.r.Events == nil {
		return
	}
	e := x.event(kind, stage, note)
	if kind == EvHold || kind == EvDone || kind == EvWaiting {
		// What the admin must read (a hold, a server-asked wait, the end)
		// is never dropped; progress may be, when the reader is slow.
		x.r.Events <- e
		return
	}
	select {
	case x.r.Events <- e:
	default:
	}
}

// Run sends every pending target of the plan, stage by stage, and returns
// the final state. It first settles targets a crash left unknown: the
// devices' command lists say whether the command arrived, and only those
// without it are sent again.
func (r *Runner) Run(ctx context.Context, p *Plan, st *State) (*State, error) {
	if p.NeedsJSC() && r.JSC == nil {
		return st, fmt.Errorf("job %s changes JSC risk: it needs a JSC connection", p.ID)
	}
	if !p.NeedsJSC() && r.Client == nil {
		return st, fmt.Errorf("job %s needs a Jamf Pro connection", p.ID)
	}
	r.ceiling = p.Knobs.Rate
	// Slow start: begin at one request a second (or the ceiling if lower)
	// and climb additively while the server keeps up. The Risk API
	// publishes its limit (and the JSC client paces to it), so risk jobs
	// start at their ceiling.
	start := min(p.Knobs.Rate, 1)
	if p.Action.Kind == KindRisk {
		start = p.Knobs.Rate
	}
	r.limiter = rate.NewLimiter(rate.Limit(start), 1)
	x := &run{r: r, p: p, st: st, batch: st.Batch}
	if p.Action.Kind == KindCommand {
		// The body as sent, read once: a profile that changed since the
		// job was planned stops the job before anything is sent.
		var err error
		if x.fields, err = p.Action.CommandFields(); err != nil {
			return st, fmt.Errorf("job %s: %w", p.ID, err)
		}
		x.secrets = sentSecrets(x.fields)
	}
	if len(st.Anchor) != len(st.Targets) {
		st.Anchor = make([]time.Time, len(st.Targets))
	}
	if (p.Action.Kind == KindCommand || p.Action.Kind == KindSoftwareUpdate) && r.Client != nil {
		// Learn the server's clock before the first intent. The read is
		// paced like a send: on a server with little burst, a send right
		// behind it (and the token request) would be refused.
		r.markSent()
		_, resp, err := r.Client.Auth.Version(ctx)
		r.observeResult(resp, err)
	}
	if err := x.settleUnknown(ctx); err != nil {
		return st, err
	}
	for stage := 0; stage < p.Stages; stage++ {
		if err := x.runStage(ctx, stage); err != nil {
			return st, err
		}
		if x.stop != "" {
			break
		}
		if _, cancelled := r.flags(); cancelled || ctx.Err() != nil {
			break
		}
		if stage < p.Stages-1 && !st.Passed[stage] {
			if err := x.between(ctx, stage); err != nil {
				return st, err
			}
		}
	}
	return st, x.finish(ctx)
}

func (x *run) result(batch int, idx []int, outcomes, reasons []string, req ...[]string) error {
	rec := record{T: "result", At: time.Now().UTC(), Batch: batch, IDs: idx, Outcomes: outcomes, Reasons: reasons}
	if len(req) > 0 {
		rec.Req = req[0]
	}
	x.mu.Lock()
	x.st.apply(rec)
	x.mu.Unlock()
	return x.r.Journal.write(rec)
}

// pendingOf lists the stage's targets still to send.
func (x *run) pendingOf(stage int) []int {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []int
	for i, t := range x.p.Targets {
		if t.Stage == stage && t.Skip == "" && x.st.Targets[i] == StatePending {
			out = append(out, i)
		}
	}
	return out
}

// runStage sends the stage's pending targets until none is left; requests
// the server refused for load go back in the queue for the next pass.
func (x *run) runStage(ctx context.Context, stage int) error {
	k := x.p.Knobs
	sem := semaphore.NewWeighted(int64(k.Concurrency))
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	for pass := 0; pass < 1000; pass++ {
		pend := x.pendingOf(stage)
		if len(pend) == 0 {
			break
		}
		for start := 0; start < len(pend); start += k.BatchSize {
			if err := x.gate(ctx, stage); err != nil || x.stopped() {
				wg.Wait()
				return err
			}
			if err := x.waitHoldOff(ctx, stage); err != nil {
				wg.Wait()
				return nil
			}
			if err := x.space(ctx); err != nil {
				wg.Wait()
				return nil
			}
			if err := sem.Acquire(ctx, 1); err != nil {
				wg.Wait()
				return nil
			}
			if x.stopped() { // a batch that just ended may have stopped the job
				sem.Release(1)
				break
			}
			batch := pend[start:min(len(pend), start+k.BatchSize)]
			x.mu.Lock()
			x.batch++
			seq := x.batch
			x.mu.Unlock()
			wg.Go(func() {
				defer sem.Release(1)
				if err := x.send(ctx, seq, batch); err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
					x.mu.Lock()
					x.stop = "journal write failed: " + err.Error()
					x.mu.Unlock()
				}
				x.emit(EvProgress, stage, "")
			})
			if k.Pause > 0 {
				if err := ctxtime.Sleep(ctx, k.Pause); err != nil {
					wg.Wait()
					return nil
				}
			}
		}
		wg.Wait()
		if firstErr != nil || x.stopped() {
			return firstErr
		}
	}
	return firstErr
}

func (x *run) stopped() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.stop != "" {
		return true
	}
	_, cancelled := x.r.flags()
	return cancelled
}

// gate waits while paused, outside the time window or over the backlog
// limit; it returns early on cancel.
func (x *run) gate(ctx context.Context, stage int) error {
	for {
		paused, cancelled := x.r.flags()
		if cancelled || ctx.Err() != nil {
			return nil
		}
		note := ""
		if paused {
			note = "paused"
		} else if ok, wait := x.p.Knobs.inWindow(x.r.Now()); !ok {
			note = fmt.Sprintf("outside the time window %s–%s; opens in %s", x.p.Knobs.WindowStart, x.p.Knobs.WindowEnd, wait.Round(time.Minute))
		} else if over, n := x.backlogOver(ctx); over {
			note = fmt.Sprintf("backlog guard: about %d pending commands on the targeted devices, limit %d", n, x.p.Knobs.BacklogLimit)
		}
		if note == "" {
			return nil
		}
		x.emit(EvWaiting, stage, note)
		select {
		case <-ctx.Done():
			return nil
		case <-x.r.wake:
		case <-time.After(x.r.Poll):
		}
	}
}

// backlogOver samples the pending commands of up to 100 devices already
// sent to and scales the count to all of them.
func (x *run) backlogOver(ctx context.Context) (bool, int) {
	limit := x.p.Knobs.BacklogLimit
	if limit <= 0 {
		return false, 0
	}
	x.mu.Lock()
	var sent []string
	for i := len(x.p.Targets) - 1; i >= 0; i-- {
		if x.st.Targets[i] == StateSent {
			sent = append(sent, x.p.Targets[i].Device.ManagementID)
		}
	}
	x.mu.Unlock()
	if len(sent) == 0 {
		return false, 0
	}
	sample := sent[:min(100, len(sent))]
	cmds, _, err := x.r.Client.MDM.ListCommands(ctx, &jamf.ListOptions{Filter: jamf.And(jamf.In("clientManagementId", sample...), jamf.Eq("active", "true")), PageSize: 1000})
	if err != nil {
		return false, -1 // do not stall a job on a failed sample
	}
	est := len(cmds) * len(sent) / len(sample)
	x.mu.Lock()
	x.r.backlog = est
	x.mu.Unlock()
	return est > limit, est
}

// send performs one batch: intent (synced), request, result (synced), audit.
func (x *run) send(ctx context.Context, seq int, idx []int) error {
	srv := x.r.serverNow()
	if err := x.r.Journal.write(record{T: "intent", Batch: seq, IDs: idx, Server: srv}); err != nil {
		return err
	}
	x.mu.Lock()
	for _, i := range idx {
		x.st.Anchor[i] = srv
	}
	x.mu.Unlock()
	stage := x.p.Targets[idx[0]].Stage
	ids := make([]string, len(idx))
	for k, i := range idx {
		ids[k] = x.p.Targets[i].Device.ManagementID
	}
	if x.p.Action.Kind == KindRisk {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		defer cancel()
		outcomes, reasons, reqIDs := x.sendRisk(rctx, stage, ids)
		if err := x.result(seq, idx, outcomes, reasons); err != nil {
			return err
		}
		x.checkFailureRate()
		return x.auditRisk(idx, outcomes, reasons, reqIDs)
	}
	// Cancelling the job must not abort a request already on its way: it
	// gets its own deadline.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	began := time.Now()
	var errUUIDs []string
	var refs []jamf.HrefResponse
	var resp *jamf.Response
	var err error
	switch x.p.Action.Kind {
	case KindBlankPush:
		errUUIDs, resp, err = x.r.Client.MDM.BlankPush(rctx, ids)
	case KindFlush:
		inv := make([]string, len(idx))
		for k, i := range idx {
			inv[k] = x.p.Targets[i].Device.ID
		}
		target := jamf.FlushComputers
		if x.p.Platform == string(jamf.PlatformMobile) {
			target = jamf.FlushMobileDevices
		}
		_, err = x.r.Client.MDM.Flush(rctx, target, inv, x.p.Action.FlushStatus)
	case KindSoftwareUpdate:
		resp, err = x.sendPlans(rctx, idx)
	default:
		refs, resp, err = x.r.Client.MDM.SendCommand(rctx, jamf.Platform(x.p.Platform), jamf.CommandData{CommandType: x.p.Action.CommandType, Fields: x.fields}, ids)
	}
	x.r.observeResult(resp, err)
	var rlWait *jamf.RateLimitError
	if errors.As(err, &rlWait) {
		x.holdOff(stage, askedWait(rlWait.Asked, rlWait.RetryAfter))
	}
	x.adapt(time.Since(began), err)
	outcomes, reasons := make([]string, len(idx)), make([]string, len(idx))
	switch {
	case err == nil:
		bad := map[string]bool{}
		for _, u := range errUUIDs {
			bad[u] = true
		}
		for k := range idx {
			outcomes[k] = StateSent
			if bad[ids[k]] {
				outcomes[k], reasons[k] = StateFailed, "the server could not push this device"
			}
		}
	case outcomeUnknown(err) && x.p.Action.Verifiable():
		// A write answered 5xx (503 included: a gateway may say so after
		// the server acted) or not at all: check before sending again.
		outcomes, reasons = x.settle(ctx, idx, "a lost answer ("+shortErr(err)+")")
	case refused(err):
		for k := range idx {
			outcomes[k] = StatePending // refused for load: nothing was done; try again
		}
	case outcomeUnknown(err):
		outcomes, reasons = x.settle(ctx, idx, "a lost answer ("+shortErr(err)+")")
	default:
		for k := range idx {
			outcomes[k], reasons[k] = StateFailed, scrubSecrets(err.Error(), x.secrets)
		}
	}
	var req []string
	if err == nil && len(refs) == len(idx) {
		req = make([]string, len(idx))
		for k, ref := range refs {
			req[k] = ref.ID
		}
	}
	if err := x.result(seq, idx, outcomes, reasons, req); err != nil {
		return err
	}
	x.checkFailureRate()
	return x.audit(idx, outcomes, reasons, req)
}

// shortErr names an error's HTTP status when it has one.
func shortErr(err error) string {
	var er *jamf.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.Status
	}
	var ou *jamf.OutcomeUnknownError
	if errors.As(err, &ou) {
		return "no answer"
	}
	return "error"
}

// checkFailureRate stops the job when too many sends failed.
func (x *run) checkFailureRate() {
	x.mu.Lock()
	defer x.mu.Unlock()
	c := x.st.Counts()
	done := c[StateSent] + c[StateFailed]
	if done >= 20 && x.p.Knobs.MaxFailureRate > 0 && float64(c[StateFailed])/float64(done) > x.p.Knobs.MaxFailureRate && x.stop == "" {
		x.stop = fmt.Sprintf("stopped: %d of %d sends failed, over the %.0f%% threshold", c[StateFailed], done, 100*x.p.Knobs.MaxFailureRate)
	}
}

func (x *run) audit(idx []int, outcomes, reasons, req []string) error {
	if x.r.Audit == nil {
		return nil
	}
	targets := make([]ops.AuditTarget, len(idx))
	for k, i := range idx {
		d := x.p.Targets[i].Device
		o := outcomes[k]
		switch o {
		case StateSent:
			o = "ok"
		case StatePending:
			o = "retry"
		case StateUnverified:
			o = "unknown"
		}
		if d.Kind == "" && x.p.Action.Update != nil {
			d.Kind = x.p.Action.Update.platform(i) // a software update may mix platforms
		}
		if d.Kind == "" {
			d.Kind = jamf.Platform(x.p.Platform) // a plan read from its journal does not store the kind
		}
		targets[k] = ops.AuditTargetOf(d, o, reasons[k])
	}
	return x.r.Audit.Append(ops.AuditEntry{Server: x.p.Server, Credential: x.r.Client.Credential(),
		Action: "mass " + x.p.Action.String() + " (job " + x.p.ID + ")", Params: auditParams(x.p), Targets: targets, RequestIDs: nonEmpty(req)})
}

// auditParams are what the audit records of a job's action: the job, the
// command and its parameters as sent (secrets such as an unlock PIN
// redacted), the flush status, and the job it follows up.
func auditParams(p *Plan) map[string]any {
	out := map[string]any{"jobId": p.ID}
	if p.Action.CommandType != "" {
		out["commandType"] = p.Action.CommandType
	}
	if len(p.Action.Fields) > 0 {
		out["fields"] = ops.RedactFields(p.Action.Fields)
	}
	if p.Action.ReturnToService != nil {
		out["returnToService"] = p.Action.ReturnToService
	}
	if p.Action.FlushStatus != "" {
		out["flushStatus"] = string(p.Action.FlushStatus)
	}
	if p.Action.Update != nil {
		out["softwareUpdate"] = p.Action.Update.Request.Config()
	}
	if p.Parent != "" {
		out["retryOf"] = p.Parent
	}
	return out
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// finish marks what was never sent and records how the job ended. A job
// with unverified targets does not end: it stays resumable, and Run
// returns ErrUnverified.
func (x *run) finish(ctx context.Context) error {
	_, cancelled := x.r.flags()
	end := "done"
	switch {
	case x.stop != "":
		end = x.stop
	case cancelled:
		end = "cancelled"
	case ctx.Err() != nil:
		// Interrupted (a signal): leave the journal open for resume.
		return nil
	}
	if end != "done" {
		var idx []int
		var outs, reasons []string
		for i, s := range x.st.Targets {
			if s == StatePending {
				idx = append(idx, i)
				outs = append(outs, StateCancelled)
				reasons = append(reasons, end)
			}
		}
		if len(idx) > 0 {
			if err := x.result(0, idx, outs, reasons); err != nil {
				return err
			}
		}
	}
	if n := x.st.Unverified(); n > 0 {
		note := fmt.Sprintf("%d devices unverified: their outcome could not be established; resume the job to verify again", n)
		if end != "done" {
			note = end + "; " + note
		}
		x.emit(EvDone, x.p.Stages-1, note)
		return fmt.Errorf("%w: %s", ErrUnverified, note)
	}
	x.st.Ended = end
	if err := x.r.Journal.write(record{T: "end", State: end}); err != nil {
		return err
	}
	x.emit(EvDone, x.p.Stages-1, end)
	return nil
}
