package ops

import (
	"context"

	"github.com/jamfops/jamfops/jamf"
)

// Resend queues commandType once more on one device (a failed command's
// type, from the console's command detail) through SendCommandToDevice.
// of is the UUID of the command being re-sent ("" if unknown);
// alreadyPending is how many commands of the type the user saw waiting on
// the device when confirming: with none, the queue is checked again just
// before sending (a duplicate that arrived meanwhile is refused); with
// some, the user has confirmed the duplicate. Both go in the audit entry.
func (a Actor) Resend(ctx context.Context, d Device, commandType, of string, alreadyPending int) error {
	extra := map[string]any{"alreadyPending": alreadyPending}
	if of != "" {
		extra["resendOf"] = of
	}
	_, err := a.sendToDevice(ctx, d, jamf.CommandData{CommandType: commandType}, alreadyPending > 0, extra)
	return err
}
