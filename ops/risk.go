package ops

import (
	"context"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
)

// RiskDevice is a JSC device joined with its Jamf Pro identity.
type RiskDevice struct {
	JSC jsc.Device
	// Jamf is the matching Jamf Pro device, nil when JSC knows a device
	// Jamf Pro does not manage (or no Jamf Pro connection was given).
	Jamf *Device
}

// Name is the Jamf Pro name when known, else JSC's.
func (r RiskDevice) Name() string {
	if r.Jamf != nil && r.Jamf.Name != "" {
		return r.Jamf.Name
	}
	return r.JSC.Name
}

// Serial is the Jamf Pro serial number, or "".
func (r RiskDevice) Serial() string {
	if r.Jamf != nil {
		return r.Jamf.Serial
	}
	return ""
}

// JoinRisk matches JSC devices to Jamf Pro devices: JSC's external ID is
// the device's UDID in lower case. The result keeps JSC's order.
func JoinRisk(jscDevices []jsc.Device, jamfDevices []Device) []RiskDevice {
	byUDID := make(map[string]*Device, len(jamfDevices))
	for i := range jamfDevices {
		if u := strings.ToLower(jamfDevices[i].UDID); u != "" {
			byUDID[u] = &jamfDevices[i]
		}
	}
	out := make([]RiskDevice, len(jscDevices))
	for i, d := range jscDevices {
		out[i] = RiskDevice{JSC: d, Jamf: byUDID[strings.ToLower(d.ExternalID)]}
	}
	return out
}

// JamfFleet lists every computer and mobile device of Jamf Pro (all pages,
// within the client's concurrency limit).
func JamfFleet(ctx context.Context, c *jamf.Client) ([]Device, error) {
	var comps []jamf.Computer
	var mobiles []jamf.MobileDevice
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		comps, _, err = c.Computers.List(gctx, nil, &jamf.ListOptions{PageSize: 1000})
		return err
	})
	g.Go(func() error {
		var err error
		mobiles, _, err = c.MobileDevices.List(gctx, &jamf.ListOptions{PageSize: 1000})
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make([]Device, 0, len(comps)+len(mobiles))
	for _, cm := range comps {
		out = append(out, FromComputer(cm))
	}
	for _, m := range mobiles {
		out = append(out, FromMobileDevice(m))
	}
	return out, nil
}

// LoadRiskFleet lists every JSC device (all pages, unlike Jamf's Lambda
// which read only the first) and joins it with the whole Jamf Pro fleet
// when jc is not nil.
func LoadRiskFleet(ctx context.Context, rc *jsc.Client, jc *jamf.Client) ([]RiskDevice, error) {
	var jscDevices []jsc.Device
	var jamfDevices []Device
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		jscDevices, err = rc.ListDevices(gctx, nil)
		return err
	})
	if jc != nil {
		g.Go(func() error {
			var err error
			jamfDevices, err = JamfFleet(gctx, jc)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return JoinRisk(jscDevices, jamfDevices), nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// RiskOutcome is what happened to one device.
type RiskOutcome struct {
	Device RiskDevice
	Err    error
}

// RiskCounts counts devices per level.
func RiskCounts(fleet []RiskDevice) map[jsc.Level]int {
	out := map[jsc.Level]int{}
	for _, d := range fleet {
		out[d.JSC.Risk]++
	}
	return out
}

// SortRisk orders devices riskiest first, then by name.
func SortRisk(fleet []RiskDevice) {
	sort.SliceStable(fleet, func(i, j int) bool {
		a, b := fleet[i], fleet[j]
		if a.JSC.Risk.Rank() != b.JSC.Risk.Rank() {
			return a.JSC.Risk.Rank() > b.JSC.Risk.Rank()
		}
		return strings.ToLower(a.Name()) < strings.ToLower(b.Name())
	})
}

// ago renders a time for source notes.
func ago(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }
