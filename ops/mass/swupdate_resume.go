package mass

import (
	"context"
	"fmt"

	"github.com/jamfops/jamfops/jamf"
)

// PlanCheck is what the server says of devices that may have a plan.
type PlanCheck struct {
	// Without are the devices with no plan of this job: send them.
	Without []jamf.PlanDevice
	// Planned maps the devices that have one ("COMPUTER/17") to its UUID.
	Planned map[string]string
	// Requests counts the reads.
	Requests int
}

// DevicesWithoutPlan asks the server which of the devices already have a
// plan of this job and returns the others, so that a resume after a crash
// between a plan request and its answer never creates a second plan. A plan
// is this job's when its UUID is not in baseline (the plans the devices had
// before the job, from the preflight) and it asks for the job's update
// action, version type and version. Requests: ⌈N ÷ 200⌉ per object type.
func DevicesWithoutPlan(ctx context.Context, c *jamf.Client, su SoftwareUpdate, devices []jamf.PlanDevice, baseline []string) (*PlanCheck, error) {
	known := make(map[string]bool, len(baseline))
	for _, id := range baseline {
		known[id] = true
	}
	cfg := su.Config()
	want := cfg.SpecificVersion
	if want == "" {
		want = "NO_SPECIFIC_VERSION"
	}
	types, byType := byObjectType(devices)
	out := &PlanCheck{Planned: map[string]string{}}
	for _, t := range types {
		plans, resp, err := c.SoftwareUpdates().PlansForDevices(ctx, t, byType[t])
		if resp != nil {
			out.Requests += resp.Requests
		}
		if err != nil {
			return nil, fmt.Errorf("checking which devices already have a plan: %w", err)
		}
		for _, p := range plans {
			if known[p.PlanUUID] || p.UpdateAction != cfg.UpdateAction || p.VersionType != cfg.VersionType || p.SpecificVersion != want {
				continue
			}
			key := planKey(p.Device.ObjectType, p.Device.DeviceID)
			if _, dup := out.Planned[key]; !dup {
				out.Planned[key] = p.PlanUUID
			}
		}
	}
	for _, d := range devices {
		if _, ok := out.Planned[planKey(d.ObjectType, d.DeviceID)]; !ok {
			out.Without = append(out.Without, d)
		}
	}
	return out, nil
}
