package mass

import (
	"context"
	"errors"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// PilotMembers resolves a canary group (name or ID) among the groups of
// the targets' platform and returns its members' inventory IDs and its
// name. A group of the other platform by that name is said as such, not as
// "no group matches".
func PilotMembers(ctx context.Context, c *jamf.Client, ref string, targets []ops.Device) ([]string, string, error) {
	if len(targets) == 0 {
		return nil, "", errors.New("no target devices")
	}
	groups, _, err := c.Groups.List(ctx, nil)
	if err != nil {
		return nil, "", err
	}
	kind := targets[0].Kind
	g, err := ops.FindGroup(ops.Summarise(groups), ref, kind)
	if err != nil {
		if other, err2 := ops.FindGroup(ops.Summarise(groups), ref, ""); err2 == nil && other.Kind != kind {
			return nil, "", usagef("%q is a %s group; this job targets %ss", other.Name, platformWords(other.Kind), platformWords(kind))
		}
		return nil, "", err
	}
	members, err := ops.GroupMembers(ctx, c, g)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(members))
	for i, d := range members {
		ids[i] = d.ID
	}
	return ids, g.Name, nil
}

// platformWords names a kind of device for people: computer, mobile device.
func platformWords(k jamf.Platform) string {
	if k == jamf.PlatformMobile {
		return "mobile device"
	}
	return "computer"
}

// checkPilot refuses a canary group none of whose members is among the
// devices to send to: the canary would be devices the admin did not
// choose while the preflight says the group's members go first.
func checkPilot(group string, members int, pilot map[string]bool, targets []Target) error {
	among, skipped := 0, 0
	for _, t := range targets {
		if !pilot[t.Device.ID] {
			continue
		}
		if t.Skip != "" {
			skipped++
		} else {
			among++
		}
	}
	switch {
	case among > 0:
		return nil
	case members == 0:
		return usagef("canary group %s has no members", group)
	case skipped > 0:
		return usagef("canary group %s: its %d members among the targets are all skipped, so the canary would be other devices", group, skipped)
	}
	return usagef("canary group %s: none of its %d members is among the devices to send to", group, members)
}
