package ops

import (
	"context"
	"errors"
	"fmt"

	"github.com/jamfops/jamfops/jamf"
)

// Resend queues commandType once more on one device through the Jamf Pro
// API (POST /api/v2/mdm/commands) and records the send in the audit log,
// whatever its outcome. of is the UUID of the command being re-sent ("" if
// unknown); alreadyPending is how many commands of the type already waited
// on the device when the user confirmed (written in the entry's params, so
// a duplicate send is visible afterwards).
func (a Actor) Resend(ctx context.Context, d Device, commandType, of string, alreadyPending int) error {
	if a.Audit == nil {
		return errors.New("no audit log: refusing to write without a record")
	}
	if d.ManagementID == "" {
		return fmt.Errorf("%s has no management ID: Jamf Pro cannot send it commands", Clean(d.Name))
	}
	_, _, err := a.Client.MDM.SendCommand(ctx, d.Kind, jamf.CommandData{CommandType: commandType}, []string{d.ManagementID})
	t := AuditTarget{Device: string(d.Kind) + "/" + d.ID, Name: d.Name, Kind: string(d.Kind), ID: d.ID, Serial: d.Serial, Outcome: "ok"}
	if err != nil {
		t.Outcome, t.Detail = "failed", err.Error()
		var ou *jamf.OutcomeUnknownError
		if errors.As(err, &ou) {
			t.Outcome = "unknown"
		}
	}
	params := map[string]any{"commandType": commandType, "alreadyPending": alreadyPending}
	if of != "" {
		params["resendOf"] = of
	}
	aerr := a.Audit.Append(AuditEntry{Server: a.Server, Credential: a.Client.Credential(), Action: "send " + commandType, Params: params, Targets: []AuditTarget{t}})
	return errors.Join(err, aerr)
}
