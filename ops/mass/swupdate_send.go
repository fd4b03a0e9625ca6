package mass

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jamfops/jamfops/internal/ctxtime"
	"github.com/jamfops/jamfops/jamf"
)

// PlanSendResult counts what SendPlans did.
type PlanSendResult struct {
	// Planned maps every device given ("COMPUTER/17") that now has a plan
	// of this job to the plan's UUID.
	Planned map[string]string
	// Creates counts plan requests sent; Checks counts the reads made to
	// learn the outcome of requests whose answer was lost.
	Creates, Checks int
}

// PlanSendOptions pace SendPlans.
type PlanSendOptions struct {
	// PerRequest is the number of devices a plan request names (default 100).
	PerRequest int
	// Pause is the wait between requests.
	Pause time.Duration
	// Baseline are the plans the devices had before the job (see
	// UpdatePreflight.Baseline).
	Baseline []string
	// Before is called with each batch before its request is sent (for a
	// journal); an error stops the sending.
	Before func(batch []jamf.PlanDevice) error
}

// SendPlans creates one plan per device, PerRequest devices to a request,
// never mixing object types in a request. When a request's answer is lost
// (*jamf.OutcomeUnknownError) it asks the server which devices of the batch
// got a plan (DevicesWithoutPlan) and sends only the others, once more;
// a second lost answer stops it with the error. Call it again after a crash
// with the devices of the unanswered batch: it checks before it sends.
func SendPlans(ctx context.Context, c *jamf.Client, su SoftwareUpdate, devices []jamf.PlanDevice, opts PlanSendOptions) (*PlanSendResult, error) {
	per := opts.PerRequest
	if per <= 0 {
		per = 100
	}
	res := &PlanSendResult{Planned: map[string]string{}}
	var types []jamf.UpdateObjectType
	byType := map[jamf.UpdateObjectType][]jamf.PlanDevice{}
	for _, d := range devices {
		if _, ok := byType[d.ObjectType]; !ok {
			types = append(types, d.ObjectType)
		}
		byType[d.ObjectType] = append(byType[d.ObjectType], d)
	}
	send := func(batch []jamf.PlanDevice) error {
		if opts.Before != nil {
			if err := opts.Before(batch); err != nil {
				return err
			}
		}
		if res.Creates > 0 && opts.Pause > 0 {
			if err := ctxtime.Sleep(ctx, opts.Pause); err != nil {
				return err
			}
		}
		res.Creates++
		created, _, err := c.SoftwareUpdates().CreatePlan(ctx, batch, su.Config())
		for _, p := range created {
			res.Planned[planKey(p.Device.ObjectType, p.Device.DeviceID)] = p.PlanID
		}
		return err
	}
	for _, t := range types {
		for batch := range slices.Chunk(byType[t], per) {
			err := send(batch)
			var lost *jamf.OutcomeUnknownError
			for attempt := 0; err != nil && errors.As(err, &lost) && attempt < 1; attempt++ {
				check, cerr := DevicesWithoutPlan(ctx, c, su, batch, opts.Baseline)
				if cerr != nil {
					return res, fmt.Errorf("%w (and checking its outcome: %v)", err, cerr)
				}
				res.Checks += check.Requests
				for k, id := range check.Planned {
					res.Planned[k] = id
				}
				if len(check.Without) == 0 {
					err = nil
					break
				}
				err = send(check.Without)
			}
			if err != nil {
				return res, err
			}
		}
	}
	return res, nil
}
