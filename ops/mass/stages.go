package mass

import (
	"context"
	"fmt"
	"time"

	"github.com/jamfops/jamfops/internal/ctxtime"
	"github.com/jamfops/jamfops/jamf"
)

// between waits after a stage and decides whether the next may start.
func (x *run) between(ctx context.Context, stage int) error {
	if x.p.Action.Kind == KindSoftwareUpdate {
		return x.watchUpdateStage(ctx, stage) // judged by the devices' update statuses
	}
	k := x.p.Knobs
	if k.StageWait > 0 {
		x.emit(EvWaiting, stage, fmt.Sprintf("stage %d done; watching its outcome for %s", stage+1, k.StageWait))
		deadline := time.Now().Add(k.StageWait)
		for time.Now().Before(deadline) {
			wait := min(x.r.Poll, time.Until(deadline))
			if k.StageUntilResolved {
				if x.stageResolved(ctx, stage) {
					break
				}
			} else {
				wait = time.Until(deadline)
			}
			if err := ctxtime.Sleep(ctx, wait); err != nil {
				return nil
			}
		}
	}
	sent, failed := x.stageOutcome(ctx, stage)
	healthy := sent+failed == 0 || float64(failed)/float64(sent+failed) <= k.MaxFailureRate
	if k.AutoContinue && healthy {
		x.st.Passed[stage] = true
		return x.r.Journal.write(record{T: "go", Stage: stage, State: "auto"})
	}
	note := fmt.Sprintf("stage %d of %d done: %d succeeded, %d failed; waiting for a go-ahead", stage+1, x.p.Stages, sent, failed)
	if !healthy {
		note = fmt.Sprintf("stage %d failed too often (%d of %d); not continuing without a go-ahead", stage+1, failed, sent+failed)
	}
	return x.hold(ctx, stage, note)
}

// hold journals a hold after a stage, says why, and waits for a go-ahead,
// a cancel or the end of ctx; it returns ErrHeld (with the note) at once
// when the runner may not wait.
func (x *run) hold(ctx context.Context, stage int, note string) error {
	if err := x.r.Journal.write(record{T: "hold", Stage: stage}); err != nil {
		return err
	}
	x.st.Held = stage
	x.emit(EvHold, stage, note)
	if x.r.HoldReturns {
		return fmt.Errorf("%w: %s", ErrHeld, note)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-x.r.goAhead:
			x.st.Held, x.st.Passed[stage] = -1, true
			return x.r.Journal.write(record{T: "go", Stage: stage})
		case <-x.r.wake:
			if _, cancelled := x.r.flags(); cancelled {
				return nil
			}
		}
	}
}

// stageResolved reports whether every command the stage sent has an
// answer (always true for actions that leave no command).
func (x *run) stageResolved(ctx context.Context, stage int) bool {
	if x.p.Action.Kind != KindCommand {
		return true
	}
	ok, failed := x.stageOutcome(ctx, stage)
	sent := 0
	x.mu.Lock()
	for i, t := range x.p.Targets {
		if t.Stage == stage && x.st.Targets[i] == StateSent {
			sent++
		}
	}
	x.mu.Unlock()
	return ok+failed >= sent
}

// stageOutcome counts a stage's results: for commands, what the devices
// answered (acknowledged vs failed, from their command lists; still
// pending ones are not counted), plus sends the server refused.
func (x *run) stageOutcome(ctx context.Context, stage int) (ok, failed int) {
	var idx []int
	x.mu.Lock()
	for i, t := range x.p.Targets {
		if t.Stage != stage {
			continue
		}
		switch x.st.Targets[i] {
		case StateSent:
			idx = append(idx, i)
		case StateFailed:
			failed++
		}
	}
	x.mu.Unlock()
	if x.p.Action.Kind != KindCommand || len(idx) == 0 {
		return len(idx), failed
	}
	// A command counts as this job's when the server dated it no earlier
	// than the target's intent (its anchor, on the server's clock), so a
	// laptop clock minutes off neither hides the job's commands nor counts
	// older ones.
	since := map[string]time.Time{}
	ids := make([]string, len(idx))
	for k, i := range idx {
		ids[k] = x.p.Targets[i].Device.ManagementID
		since[ids[k]] = x.anchor(i)
	}
	cmds, _, err := x.r.Client.MDM.CommandsOfTypeForDevices(ctx, ids, x.p.Action.CommandType)
	if err != nil {
		return len(idx), failed // cannot tell: judge by sends alone
	}
	for _, c := range cmds {
		from, ours := since[c.Client.ManagementID]
		if !ours || c.CommandType != x.p.Action.CommandType || c.DateSent.Before(from) {
			continue
		}
		switch c.CommandState {
		case jamf.StateAcknowledged:
			ok++
		case jamf.StateError, jamf.StateCommandFormatError:
			failed++
		}
	}
	return ok, failed
}
