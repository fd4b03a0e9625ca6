package ops

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jamfops/jamfops/jamf"
)

// Actor performs writes against Jamf Pro and records each one in the audit
// log before it returns.
type Actor struct {
	Client *jamf.Client
	Audit  *AuditLog
	// Server names the connection in audit entries (profile name or URL).
	Server string
}

func (a Actor) record(action, reason string, params map[string]any, targets []AuditTarget) error {
	if a.Audit == nil {
		return errors.New("no audit log: refusing to write without a record")
	}
	return a.Audit.Append(AuditEntry{Server: a.Server, Credential: a.Client.Credential(), Action: action, Reason: reason, Params: params, Targets: targets})
}

func targetsOf(devices []Device, outcome, detail string) []AuditTarget {
	out := make([]AuditTarget, len(devices))
	for i, d := range devices {
		out[i] = AuditTargetOf(d, outcome, detail)
	}
	return out
}

// BlankPush wakes devices so they fetch their pending commands.
func (a Actor) BlankPush(ctx context.Context, devices []Device) (ok, failed int, err error) {
	var ids []string
	for _, d := range devices {
		ids = append(ids, d.ManagementID)
	}
	errIDs, _, err := a.Client.MDM.BlankPush(ctx, ids)
	targets := targetsOf(devices, "ok", "")
	if err != nil {
		targets = targetsOf(devices, outcomeOf(err), err.Error())
	} else {
		bad := map[string]bool{}
		for _, id := range errIDs {
			bad[id] = true
		}
		for i, d := range devices {
			if bad[d.ManagementID] {
				targets[i].Outcome, targets[i].Detail = "failed", "the server could not push this device"
				failed++
			}
		}
		ok = len(devices) - failed
	}
	if aerr := a.record("blank push", "", nil, targets); aerr != nil {
		return ok, failed, errors.Join(err, aerr)
	}
	return ok, failed, err
}

// Flush removes pending and/or failed commands from devices (grouped by
// family, since computers and mobile devices have separate IDs).
func (a Actor) Flush(ctx context.Context, devices []Device, status jamf.FlushStatus, preview map[string]int) error {
	var comps, mobiles []Device
	for _, d := range devices {
		if d.Kind == jamf.PlatformMobile {
			mobiles = append(mobiles, d)
		} else {
			comps = append(comps, d)
		}
	}
	detail := previewText(preview)
	var errs []error
	var targets []AuditTarget
	for _, part := range []struct {
		list   []Device
		target jamf.FlushTarget
		kind   jamf.Platform
	}{{comps, jamf.FlushComputers, jamf.PlatformComputer}, {mobiles, jamf.FlushMobileDevices, jamf.PlatformMobile}} {
		if len(part.list) == 0 {
			continue
		}
		for i := range part.list {
			if part.list[i].Kind == "" {
				part.list[i].Kind = part.kind // flushed as this kind: record it so
			}
		}
		ids := make([]string, len(part.list))
		for i, d := range part.list {
			ids[i] = d.ID
		}
		n, err := a.Client.MDM.Flush(ctx, part.target, ids, status)
		targets = append(targets, targetsOf(part.list[:n], "ok", detail)...)
		if err != nil {
			errs = append(errs, err)
			targets = append(targets, targetsOf(part.list[n:], "failed", err.Error())...)
		}
	}
	action := "flush " + strings.ToLower(strings.ReplaceAll(string(status), "+", " and "))
	params := map[string]any{"flushStatus": string(status)}
	if detail != "" {
		params["preview"] = detail
	}
	if err := a.record(action, "", params, targets); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// previewText renders "3 DEVICE_INFORMATION, 1 RESTART_DEVICE".
func previewText(preview map[string]int) string {
	var parts []string
	for _, k := range SortedByCount(preview) {
		parts = append(parts, fmt.Sprintf("%d %s", preview[k], k))
	}
	return strings.Join(parts, ", ")
}

// SortedByCount returns the map's keys, largest count first, then by name.
func SortedByCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Largest count first, then by name.
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return keys
}
