package mass

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// DevicePlatform is the catalogue platform of an inventory device.
func DevicePlatform(d ops.Device) Platform { return PlatformOf(d.Kind, d.Model, d.Shared) }

// misfit says why a command cannot be sent to a device ("" when it can).
func misfit(a Action, d ops.Device) string {
	if a.Kind != KindCommand {
		return ""
	}
	spec, ok := LookupCommand(a.CommandType)
	if !ok {
		return a.CommandType + " is not in the command catalogue"
	}
	platform := DevicePlatform(d)
	if ok, why := spec.AppliesTo(platform); !ok {
		return why
	}
	if spec.Supervised && platform != MacOS && d.Unsupervised {
		return fmt.Sprintf("%s needs a supervised device, and this %s is not supervised", spec.Type, platform)
	}
	return ""
}

// CommandMisfit says why commandType cannot be sent to the device ("" when
// it can): the platform and supervision checks of the preflight, for the
// console's single-device sends.
func CommandMisfit(commandType string, d ops.Device) string {
	return misfit(Action{Kind: KindCommand, CommandType: commandType}, d)
}

// FittingCommands lists the catalogue's commands that fit at least one of
// the devices (platform and supervision), in catalogue order: what the
// console offers for a selection.
func FittingCommands(devices []ops.Device) []CommandSpec {
	// Devices alike in what a command asks of them answer alike: check one
	// of each kind, not every device of a 20,000-device selection.
	type kind struct {
		platform     Platform
		unsupervised bool
	}
	kinds := map[kind]ops.Device{}
	for _, d := range devices {
		k := kind{DevicePlatform(d), d.Unsupervised && d.Kind != jamf.PlatformComputer}
		if _, ok := kinds[k]; !ok {
			kinds[k] = d
		}
	}
	var out []CommandSpec
	for _, c := range Catalogue() {
		a := Action{Kind: KindCommand, CommandType: c.Type}
		for _, d := range kinds {
			if misfit(a, d) == "" {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// checkFields validates an action's parameters against the catalogue and
// against the platforms of the devices it will be sent to: a parameter
// only for Macs on a job of iPhones is refused rather than sent.
func checkFields(a Action, devices []ops.Device) error {
	if a.Kind != KindCommand {
		return nil
	}
	spec, ok := LookupCommand(a.CommandType)
	if !ok {
		return fmt.Errorf("%s is not in the command catalogue", a.CommandType)
	}
	if err := spec.ValidateFields(a.Fields); err != nil {
		return err
	}
	if a.ReturnToService != nil {
		if err := a.ReturnToService.check(a, devices); err != nil {
			return err
		}
	}
	have := map[Platform]bool{}
	for _, d := range devices {
		have[DevicePlatform(d)] = true
	}
	for _, p := range spec.Params {
		if _, set := a.Fields[p.Field]; !set || p.Platforms == nil {
			continue
		}
		if !slices.ContainsFunc(p.Platforms, func(q Platform) bool { return have[q] }) {
			return fmt.Errorf("--%s applies to %s only, and no target is", p.Flag, platformNames(p.Platforms))
		}
	}
	return nil
}

func platformNames(ps []Platform) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// duplicates reads the devices' queues and returns the IDs of those that
// already hold the command type pending (or not now).
func duplicates(ctx context.Context, c *jamf.Client, commandType string, devices []ops.Device) (map[string]bool, error) {
	byMgmt := map[string]string{}
	ids := make([]string, 0, len(devices))
	for _, d := range devices {
		if d.ManagementID != "" {
			byMgmt[d.ManagementID] = d.ID
			ids = append(ids, d.ManagementID)
		}
	}
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	cmds, _, err := c.MDM.CommandsOfTypeForDevices(ctx, ids, commandType)
	if err != nil {
		return nil, err
	}
	for _, cmd := range cmds {
		if cmd.CommandType != commandType {
			continue
		}
		if cmd.CommandState == jamf.StatePending || cmd.CommandState == jamf.StateNotNow {
			if id, ok := byMgmt[cmd.Client.ManagementID]; ok {
				out[id] = true
			}
		}
	}
	return out, nil
}

// DuplicateReason is the skip reason of a device that already holds the
// command pending.
func DuplicateReason(commandType string) string {
	return "already has " + commandType + " pending (--allow-duplicates sends anyway)"
}

// SkipSummary lists the preflight's skip reasons, most frequent first.
func (pf *Preflight) SkipSummary() []string {
	type kv struct {
		why string
		n   int
	}
	var list []kv
	for why, n := range pf.Skipped {
		list = append(list, kv{why, n})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].why < list[j].why
	})
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = fmt.Sprintf("%d: %s", e.n, e.why)
	}
	return out
}

// ParamsText shows an action's parameters for previews and confirmations,
// by their flag names: message "Call IT", phone "555 0100". A PIN is
// masked.
func (a Action) ParamsText() string {
	spec, _ := LookupCommand(a.CommandType)
	var parts []string
	for _, prm := range spec.Params {
		v, ok := a.Fields[prm.Field]
		if !ok {
			continue
		}
		switch x := v.(type) {
		case string:
			if prm.Kind == ParamPIN6 {
				x = "••••••"
			}
			parts = append(parts, fmt.Sprintf("%s %q", prm.Flag, x))
		default:
			parts = append(parts, fmt.Sprintf("%s %v", prm.Flag, x))
		}
	}
	if a.ReturnToService != nil {
		parts = append(parts, a.ReturnToService.text())
	}
	return strings.Join(parts, ", ")
}
