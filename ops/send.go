package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jamfops/jamfops/jamf"
)

// DuplicateCommandError is a single-device send refused because the same
// command type already waits on the device (pending or NotNow): sending it
// again would queue it twice.
type DuplicateCommandError struct {
	Device      Device
	CommandType string
	// Pending are the device's commands of that type still waiting.
	Pending []CommandEntry
}

func (e *DuplicateCommandError) Error() string {
	var parts []string
	for _, p := range e.Pending {
		s := p.Status
		if p.UUID != "" {
			s += " " + p.UUID
		}
		if p.Issued != nil {
			s += " issued " + p.Issued.UTC().Format("2006-01-02 15:04Z")
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("%s is already pending on %s %s %q (%s); send it again only if you mean to queue it twice",
		Clean(e.CommandType), e.Device.Kind, Clean(e.Device.ID), Clean(e.Device.Name), Clean(strings.Join(parts, "; ")))
}

// SendCommandToDevice queues one MDM command on one device through the
// Jamf Pro API and records it in the audit log. Unless allowDuplicate is
// true it first reads the device's queue and refuses, with a
// *DuplicateCommandError listing them, when a command of the same type is
// still pending or NotNow there (the Jamf Pro API and Classic spellings
// compare equal); a queue that cannot be read refuses the send too. A
// blank push is not a command and is never checked (see BlankPush). It
// returns the queued command's UUID ("" when the server did not say).
func (a Actor) SendCommandToDevice(ctx context.Context, d Device, cmd jamf.CommandData, allowDuplicate bool) (string, error) {
	return a.sendToDevice(ctx, d, cmd, allowDuplicate, nil)
}

// sendToDevice is SendCommandToDevice with extra audit parameters.
func (a Actor) sendToDevice(ctx context.Context, d Device, cmd jamf.CommandData, allowDuplicate bool, extra map[string]any) (string, error) {
	if d.ManagementID == "" {
		return "", fmt.Errorf("%s %s %q has no management ID: it is not MDM-managed", d.Kind, Clean(d.ID), Clean(d.Name))
	}
	if a.Audit == nil {
		return "", errors.New("no audit log: refusing to write without a record")
	}
	params := map[string]any{"commandType": cmd.CommandType}
	for k, v := range extra {
		params[k] = v
	}
	if len(cmd.Fields) > 0 {
		params["fields"] = RedactFields(cmd.Fields)
	}
	if !allowDuplicate {
		entries, _, err := DeviceCommands(ctx, a.Client, d)
		if err != nil {
			return "", fmt.Errorf("checking the device's queue before sending %s: %w", Clean(cmd.CommandType), err)
		}
		if dup := AlreadyPending(entries, cmd.CommandType); len(dup) > 0 {
			return "", &DuplicateCommandError{Device: d, CommandType: cmd.CommandType, Pending: dup}
		}
	} else {
		params["duplicateAllowed"] = true
	}
	kind := d.Kind
	if kind == "" {
		kind = jamf.PlatformComputer
	}
	refs, _, err := a.Client.MDM.SendCommand(ctx, kind, cmd, []string{d.ManagementID})
	uuid := ""
	if len(refs) > 0 {
		uuid = refs[0].ID
		params["uuid"] = uuid
	}
	target := AuditTargetOf(d, "ok", "")
	if err != nil {
		target.Outcome, target.Detail = outcomeOf(err), err.Error()
	}
	e := AuditEntry{Server: a.Server, Credential: a.Client.Credential(), Action: "send " + cmd.CommandType, Params: params, Targets: []AuditTarget{target}}
	if aerr := a.Audit.Append(e); aerr != nil {
		return uuid, errors.Join(err, aerr)
	}
	return uuid, err
}

// outcomeOf names a failed write's outcome: "unknown" when the answer was
// lost (it may have happened), else "failed".
func outcomeOf(err error) string {
	var ou *jamf.OutcomeUnknownError
	if errors.As(err, &ou) {
		return "unknown"
	}
	return "failed"
}

// secretFields are command fields never written to the audit log as sent.
var secretFields = map[string]bool{"pin": true, "passcode": true, "password": true, "unlocktoken": true, "newpassword": true}

// RedactFields copies a command's fields for the audit log, with secrets
// (a PIN, a passcode, a password) replaced by "(redacted)".
func RedactFields(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		if secretFields[strings.ToLower(k)] {
			v = "(redacted)"
		}
		out[k] = v
	}
	return out
}
