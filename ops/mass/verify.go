package mass

import (
	"context"
	"fmt"
	"time"
)

// settleUnknown verifies targets left with an intent and no result.
func (x *run) settleUnknown(ctx context.Context) error {
	var idx []int
	for i, s := range x.st.Targets {
		if s == StateUnknown {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil
	}
	found, err := x.verify(ctx, idx)
	if err != nil {
		return fmt.Errorf("verifying the interrupted batch: %w", err)
	}
	outcomes, reasons := make([]string, len(idx)), make([]string, len(idx))
	for k, i := range idx {
		if found[i] {
			outcomes[k], reasons[k] = StateSent, "confirmed in the device's command list after an interruption"
		} else {
			outcomes[k] = StatePending // never arrived: it will be sent
		}
	}
	return x.result(0, idx, outcomes, reasons)
}

// verify reports which targets already hold this job's command.
func (x *run) verify(ctx context.Context, idx []int) (map[int]bool, error) {
	found := map[int]bool{}
	if x.p.Action.Kind == KindRisk {
		// Setting a level is idempotent: an unknown change is simply sent
		// again (found stays empty).
		return found, nil
	}
	if x.p.Action.Kind != KindCommand {
		// A blank push leaves no trace, and a flush is idempotent: treat an
		// unknown one as done rather than push or flush twice.
		for _, i := range idx {
			found[i] = true
		}
		return found, nil
	}
	byMgmt := map[string]int{}
	ids := make([]string, 0, len(idx))
	for _, i := range idx {
		m := x.p.Targets[i].Device.ManagementID
		byMgmt[m] = i
		ids = append(ids, m)
	}
	cmds, _, err := x.r.Client.MDM.CommandsForDevices(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, c := range cmds {
		if c.CommandType == x.p.Action.CommandType && !c.DateSent.Before(x.p.Created.Add(-time.Minute)) {
			if i, ok := byMgmt[c.Client.ManagementID]; ok {
				found[i] = true
			}
		}
	}
	return found, nil
}
