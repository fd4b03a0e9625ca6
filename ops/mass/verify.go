package mass

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jamfops/jamfops/internal/ctxtime"

	"github.com/jamfops/jamfops/jamf"
)

// ErrUnverified is returned (wrapped, with the count) when a run ends with
// targets whose fate could not be established: the job is not done, and
// resuming it verifies them again.
var ErrUnverified = errors.New("devices unverified")

// refused reports a send the server turned away for load: nothing was done.
func refused(err error) bool {
	var rl *jamf.RateLimitError
	var er *jamf.ErrorResponse
	return errors.As(err, &rl) || (errors.As(err, &er) && er.StatusCode() == http.StatusServiceUnavailable)
}

// outcomeUnknown reports a send that may or may not have been carried out:
// no answer, or a 5xx answer (the server may have acted before failing).
func outcomeUnknown(err error) bool {
	var ou *jamf.OutcomeUnknownError
	var er *jamf.ErrorResponse
	return errors.As(err, &ou) || (errors.As(err, &er) && er.StatusCode() >= 500 && er.StatusCode() != http.StatusServiceUnavailable)
}

// settleUnknown verifies targets a crash left with an intent and no
// result, and targets a previous run could not verify.
func (x *run) settleUnknown(ctx context.Context) error {
	var idx []int
	for i, s := range x.st.Targets {
		if s == StateUnknown || (s == StateUnverified && (x.p.Action.Kind == KindCommand || x.p.Action.Kind == KindSoftwareUpdate)) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil
	}
	outcomes, reasons := x.settle(ctx, idx, "an interruption")
	return x.result(0, idx, outcomes, reasons)
}

// verifyRetries is how many times a verification read refused for load is
// tried again before the targets are left unverified.
const verifyRetries = 5

// settle decides what became of targets whose send may have reached the
// server (after why: "a lost answer", "an interruption"): a command found
// in the device's list is sent, one not found is sent again, and a target
// whose list cannot be read, or whose action leaves no trace, is
// unverified.
func (x *run) settle(ctx context.Context, idx []int, why string) (outcomes, reasons []string) {
	outcomes, reasons = make([]string, len(idx)), make([]string, len(idx))
	switch x.p.Action.Kind {
	case KindSoftwareUpdate:
		return x.settlePlans(ctx, idx, why)
	case KindRisk:
		// Setting a level is idempotent: an unknown change is sent again.
		for k := range idx {
			outcomes[k] = StatePending
		}
		return outcomes, reasons
	case KindBlankPush, KindFlush:
		what := "a blank push"
		if x.p.Action.Kind == KindFlush {
			what = "a flush"
		}
		for k := range idx {
			outcomes[k], reasons[k] = StateUnverified, fmt.Sprintf("cannot be verified after %s: %s leaves no trace on the server", why, what)
		}
		return outcomes, reasons
	}
	found, err := x.verify(ctx, idx)
	// A server shedding load refuses the verification read too: that says
	// nothing about the send, so wait and read again (1, 2, 4, 8, 16 s or
	// what the server asks, within the wait cap) before giving up.
	for attempt := 0; err != nil && refused(err) && attempt < verifyRetries; attempt++ {
		wait := time.Second << attempt
		var rl *jamf.RateLimitError
		if errors.As(err, &rl) && rl.RetryAfter > wait {
			wait = rl.RetryAfter
		}
		if max := x.r.maxWait(); wait > max {
			wait = max
		}
		if ctxtime.Sleep(ctx, wait) != nil {
			break
		}
		found, err = x.verify(ctx, idx)
	}
	for k, i := range idx {
		switch {
		case err != nil:
			outcomes[k], reasons[k] = StateUnverified, fmt.Sprintf("could not verify after %s: %v", why, err)
		case found[i]:
			outcomes[k], reasons[k] = StateSent, "confirmed in the device's command list after "+why
		default:
			outcomes[k] = StatePending // it never arrived: send again
		}
	}
	return outcomes, reasons
}

// verify reports which targets already hold this job's command: one of its
// type dated (by the server) no earlier than the target's intent.
func (x *run) verify(ctx context.Context, idx []int) (map[int]bool, error) {
	found := map[int]bool{}
	byMgmt := map[string]int{}
	ids := make([]string, 0, len(idx))
	for _, i := range idx {
		m := x.p.Targets[i].Device.ManagementID
		byMgmt[m] = i
		ids = append(ids, m)
	}
	cmds, resp, err := x.r.Client.MDM.CommandsOfTypeForDevices(ctx, ids, x.p.Action.CommandType)
	x.r.observeResult(resp, err)
	if err != nil {
		return nil, err
	}
	for _, c := range cmds {
		i, ok := byMgmt[c.Client.ManagementID]
		if ok && c.CommandType == x.p.Action.CommandType && !c.DateSent.Before(x.anchor(i)) {
			found[i] = true
		}
	}
	return found, nil
}
