package mass

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// FollowUpOptions choose whom a follow-up job targets. Neither set means
// both.
type FollowUpOptions struct {
	// Failed: devices whose send failed or whose command ended in error.
	Failed bool
	// Unanswered: devices whose command never got an answer (still
	// pending, or gone from the queue unanswered) and devices a cancelled
	// job never reached.
	Unanswered bool
}

// FollowUp is who a follow-up of a finished job targets, and why.
type FollowUp struct {
	Devices []ops.Device
	// Why says, per device ID, "failed: …" or "unanswered: …".
	Why                map[string]string
	Failed, Unanswered int
	// Gone counts devices left out because they are no longer in Jamf Pro
	// (their Why says so): sending to an unknown management ID fails the
	// whole request.
	Gone int
}

// FindFollowUp reads the devices' command lists and picks the targets of
// a job whose command failed or is still unanswered. Only command jobs can
// be followed up: a blank push or a flush leaves nothing to check.
func FindFollowUp(ctx context.Context, c *jamf.Client, p *Plan, st *State, o FollowUpOptions) (*FollowUp, error) {
	if p.Action.Kind != KindCommand {
		return nil, fmt.Errorf("job %s sent %s: only command jobs can be followed up (a %s leaves no answer to check)", p.ID, p.Action, p.Action)
	}
	if st.Ended == "" {
		return nil, fmt.Errorf("job %s has not ended: resume it (jamfops mass resume %s) before following it up", p.ID, p.ID)
	}
	if !o.Failed && !o.Unanswered {
		o.Failed, o.Unanswered = true, true
	}
	// Every candidate's commands are read: a device the journal calls
	// failed or never reached may have got the command since (from an
	// earlier follow-up) and acknowledged it.
	var ids []string
	for i, t := range p.Targets {
		switch st.Targets[i] {
		case StateSent, StateUnverified, StateFailed, StateCancelled:
			ids = append(ids, t.Device.ManagementID)
		}
	}
	latest := map[string]jamf.Command{}
	if len(ids) > 0 {
		cmds, _, err := c.MDM.CommandsOfTypeForDevices(ctx, ids, p.Action.CommandType)
		if err != nil {
			return nil, fmt.Errorf("reading the devices' commands: %w", err)
		}
		for _, cmd := range cmds {
			if cmd.CommandType != p.Action.CommandType {
				continue
			}
			if prev, ok := latest[cmd.Client.ManagementID]; !ok || cmd.DateSent.After(prev.DateSent.Time) {
				latest[cmd.Client.ManagementID] = cmd
			}
		}
	}
	// A target never sent to has no intent of its own: the job's first
	// intent, on the server's clock, stands for it (its creation time is
	// the local clock's, which may be minutes off).
	var start time.Time
	for _, a := range st.Anchor {
		if !a.IsZero() && (start.IsZero() || a.Before(start)) {
			start = a
		}
	}
	if start.IsZero() {
		start = p.Created
	}
	out := &FollowUp{Why: map[string]string{}}
	for i, t := range p.Targets {
		var why string
		failed := false
		// The job's own command, or a later one: sent after the target's
		// intent, by the server's clock (the local one may be off).
		since := start
		if i < len(st.Anchor) && !st.Anchor[i].IsZero() {
			since = st.Anchor[i]
		}
		cmd, found := latest[t.Device.ManagementID]
		found = found && !cmd.DateSent.Before(since.Add(-time.Minute))
		switch st.Targets[i] {
		case StateFailed, StateCancelled:
			if found && cmd.CommandState == jamf.StateAcknowledged {
				continue // done since, by a follow-up
			}
			why, failed = "failed: "+st.Reasons[i], true
			if st.Targets[i] == StateCancelled {
				why, failed = "unanswered: never sent ("+st.Reasons[i]+")", false
			}
		case StateSent, StateUnverified:
			switch {
			case !found:
				why = "unanswered: the command is no longer in the device's queue"
			case cmd.CommandState == jamf.StateAcknowledged:
				continue
			case cmd.CommandState == jamf.StateError || cmd.CommandState == jamf.StateCommandFormatError:
				why, failed = "failed: the device answered with an error", true
			default:
				why = "unanswered: still " + strings.ToLower(strings.ReplaceAll(string(cmd.CommandState), "_", " "))
			}
		default:
			continue
		}
		if (failed && !o.Failed) || (!failed && !o.Unanswered) {
			continue
		}
		if failed {
			out.Failed++
		} else {
			out.Unanswered++
		}
		d := t.Device
		if d.Kind == "" {
			// A plan read from its journal does not store the kind: a
			// follow-up of a Mac job must not take the Macs for iPhones.
			d.Kind = jamf.Platform(p.Platform)
		}
		out.Devices = append(out.Devices, d)
		out.Why[d.ID] = why
	}
	if err := refreshFollowUp(ctx, c, out); err != nil {
		return nil, err
	}
	return out, nil
}

// refreshFollowUp reads the follow-up's devices again: the plan's records
// are as old as the job. A device deleted from Jamf Pro since is left out
// (an unknown management ID fails the whole request it is in); the others
// take their current record (a re-enrolled device has a new management
// ID, a device may have gone offline or lost supervision).
func refreshFollowUp(ctx context.Context, c *jamf.Client, f *FollowUp) error {
	if len(f.Devices) == 0 {
		return nil
	}
	ids := make([]string, len(f.Devices))
	for i, d := range f.Devices {
		ids[i] = d.ID
	}
	now := map[string]ops.Device{}
	if f.Devices[0].Kind == jamf.PlatformMobile {
		list, _, err := c.MobileDevices.ListByIDs(ctx, ids)
		if err != nil {
			return fmt.Errorf("reading the devices again: %w", err)
		}
		for _, m := range list {
			d := ops.FromMobileDevice(m)
			now[d.ID] = d
		}
	} else {
		list, _, err := c.Computers.ListByIDs(ctx, ids, nil)
		if err != nil {
			return fmt.Errorf("reading the devices again: %w", err)
		}
		for _, cm := range list {
			d := ops.FromComputer(cm)
			now[d.ID] = d
		}
	}
	kept := f.Devices[:0]
	for _, d := range f.Devices {
		cur, ok := now[d.ID]
		if !ok {
			if strings.HasPrefix(f.Why[d.ID], "failed") {
				f.Failed--
			} else {
				f.Unanswered--
			}
			f.Gone++
			f.Why[d.ID] = "left out: no longer in Jamf Pro (deleted since the job)"
			continue
		}
		kept = append(kept, cur)
	}
	f.Devices = kept
	return nil
}

// ErrNothingToFollowUp is returned when no device of a job needs a
// follow-up.
var ErrNothingToFollowUp = errors.New("no device failed or is unanswered")

// nothingError is an ErrNothingToFollowUp with its own message.
type nothingError string

// Error is the message.
func (e nothingError) Error() string { return string(e) }

// Is makes errors.Is(err, ErrNothingToFollowUp) hold.
func (e nothingError) Is(target error) bool { return target == ErrNothingToFollowUp }

// FollowUpRequest builds the request of a follow-up job: the first job's
// action, knobs (with the duplicate skip on, so that devices that still
// hold the command pending are skipped) and server, linked to it.
func FollowUpRequest(p *Plan, f *FollowUp, o FollowUpOptions, now time.Time) (Request, error) {
	if len(f.Devices) == 0 {
		if f.Gone > 0 {
			return Request{}, nothingError(fmt.Sprintf("job %s: the %d devices to follow up are no longer in Jamf Pro", p.ID, f.Gone))
		}
		return Request{}, fmt.Errorf("job %s: %w", p.ID, ErrNothingToFollowUp)
	}
	k := p.Knobs
	k.AllowDuplicates, k.CanaryGroup = false, ""
	which := "failed or unanswered"
	switch {
	case o.Failed && !o.Unanswered:
		which = "failed"
	case o.Unanswered && !o.Failed:
		which = "unanswered"
	}
	return Request{Server: p.Server, Label: fmt.Sprintf("%s devices of job %s (%s)", which, p.ID, p.Label), Action: p.Action, Knobs: k,
		Devices: f.Devices, Now: now, Parent: p.ID}, nil
}
