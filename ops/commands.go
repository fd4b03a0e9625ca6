package ops

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/jamfops/jamfops/jamf"
)

// Command statuses as jamfops reports them.
const (
	StatusPending   = "pending"
	StatusNotNow    = "notnow"
	StatusFailed    = "failed"
	StatusCompleted = "completed"
)

// CommandEntry is one MDM command of a device, merged from the Jamf Pro API
// (UUID, state, error) and the Classic history (last push time).
type CommandEntry struct {
	UUID      string     `json:"uuid"`
	Command   string     `json:"command"`
	Status    string     `json:"status"`
	Issued    *time.Time `json:"issued"`
	LastPush  *time.Time `json:"lastPush"`
	Completed *time.Time `json:"completed"`
	Error     string     `json:"error"`
}

// Active reports whether the command still waits on the device.
func (e CommandEntry) Active() bool { return e.Status == StatusPending || e.Status == StatusNotNow }

// CommandSources says where a device's command list came from.
type CommandSources struct {
	// API is true when GET /api/v2/mdm/commands answered.
	API bool
	// Classic is true when the Classic history answered.
	Classic bool
	// Notes explains anything missing (for example a privilege).
	Notes []string
}

// statusOf maps a Jamf Pro API command state to a jamfops status.
func statusOf(s jamf.CommandState) string {
	switch s {
	case jamf.StatePending:
		return StatusPending
	case jamf.StateNotNow:
		return StatusNotNow
	case jamf.StateAcknowledged:
		return StatusCompleted
	}
	return StatusFailed
}

// CommandKey normalises a command name so that the Jamf Pro API's
// RESTART_DEVICE and the Classic history's RestartDevice compare equal.
func CommandKey(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == ' ' || r == '-' {
			return -1
		}
		return unicode.ToUpper(r)
	}, name)
}

// classicToAPIName turns RestartDevice into RESTART_DEVICE.
func classicToAPIName(name string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range strings.TrimSpace(name) {
		if r == ' ' || r == '-' {
			b.WriteByte('_')
			prevLower = false
			continue
		}
		if unicode.IsUpper(r) && prevLower {
			b.WriteByte('_')
		}
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func ptr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// DeviceCommands returns a device's commands, newest first. It prefers the
// Jamf Pro API; it adds last-push times from the Classic history when that
// is readable, and falls back to the Classic history alone when the
// credential may not read the Jamf Pro API's command list.
func DeviceCommands(ctx context.Context, c *jamf.Client, d Device) ([]CommandEntry, CommandSources, error) {
	var src CommandSources
	var entries []CommandEntry
	var apiErr error
	if d.ManagementID != "" {
		cmds, _, err := c.MDM.ListCommands(ctx, &jamf.ListOptions{Filter: jamf.Eq("clientManagementId", d.ManagementID), Sort: []string{"dateSent:desc"}})
		if err == nil {
			src.API = true
			for _, cmd := range cmds {
				entries = append(entries, CommandEntry{UUID: cmd.UUID, Command: cmd.CommandType, Status: statusOf(cmd.CommandState),
					Issued: ptr(cmd.DateSent.Time), Completed: ptr(cmd.DateCompleted.Time), Error: cmd.CommandError.Text()})
			}
		} else {
			apiErr = err
			if !isForbidden(err) {
				return nil, src, err
			}
			src.Notes = append(src.Notes, err.Error())
		}
	}
	var hist *jamf.CommandHistory
	var histErr error
	if d.Kind == jamf.PlatformMobile {
		hist, _, histErr = c.Classic.MobileDeviceCommandHistory(ctx, d.ID)
	} else {
		hist, _, histErr = c.Classic.ComputerCommandHistory(ctx, d.ID)
	}
	if histErr != nil {
		if ctx.Err() != nil {
			return nil, src, ctx.Err()
		}
		if !src.API {
			if apiErr != nil {
				return nil, src, apiErr
			}
			return nil, src, histErr
		}
		src.Notes = append(src.Notes, "last-push times unavailable: "+histErr.Error())
	} else {
		src.Classic = true
		if src.API {
			addLastPush(entries, hist)
		} else {
			entries = fromHistory(hist)
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return timeOf(entries[i].Issued).After(timeOf(entries[j].Issued)) })
	return entries, src, nil
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func isForbidden(err error) bool {
	var er *jamf.ErrorResponse
	return errors.As(err, &er) && er.StatusCode() == http.StatusForbidden
}

// addLastPush matches Classic pending entries to API commands by name and
// issue time (the Classic history carries no UUID) and copies last push.
func addLastPush(entries []CommandEntry, hist *jamf.CommandHistory) {
	used := make([]bool, len(hist.Pending))
	for i := range entries {
		e := &entries[i]
		if !e.Active() || e.Issued == nil {
			continue
		}
		for j, h := range hist.Pending {
			if used[j] || CommandKey(h.Name) != CommandKey(e.Command) {
				continue
			}
			if d := h.Issued.Sub(*e.Issued); d > 2*time.Second || d < -2*time.Second {
				continue
			}
			used[j] = true
			e.LastPush = ptr(h.LastPush)
			break
		}
	}
}

// fromHistory builds entries from the Classic history alone (no UUIDs).
func fromHistory(h *jamf.CommandHistory) []CommandEntry {
	var out []CommandEntry
	for _, c := range h.Pending {
		st := StatusPending
		if strings.EqualFold(c.Status, "NotNow") {
			st = StatusNotNow
		}
		out = append(out, CommandEntry{Command: classicToAPIName(c.Name), Status: st, Issued: ptr(c.Issued), LastPush: ptr(c.LastPush)})
	}
	for _, c := range h.Failed {
		out = append(out, CommandEntry{Command: classicToAPIName(c.Name), Status: StatusFailed, Issued: ptr(c.Issued), Completed: ptr(c.Failed), Error: c.Error})
	}
	for _, c := range h.Completed {
		out = append(out, CommandEntry{Command: classicToAPIName(c.Name), Status: StatusCompleted, Issued: ptr(c.Issued), Completed: ptr(c.Completed)})
	}
	return out
}
