package mass

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// UpdateDevice is a device as the software-update preflight sees it.
type UpdateDevice struct {
	Device     ops.Device
	ObjectType jamf.UpdateObjectType
	// OSVersion is the reported version (zero when unknown).
	OSVersion jamf.OSVersion
	// AppleSilicon is what the inventory says (nil when it did not say).
	AppleSilicon *bool
}

// Key identifies the device among plans and statuses ("COMPUTER/17").
func (d UpdateDevice) Key() string { return planKey(d.ObjectType, d.Device.ID) }

// PlanDevice is the device as a plan names it.
func (d UpdateDevice) PlanDevice() jamf.PlanDevice {
	return jamf.PlanDevice{DeviceID: d.Device.ID, ObjectType: d.ObjectType}
}

func planKey(t jamf.UpdateObjectType, id string) string { return string(t) + "/" + id }

// NewUpdateDevice reads the object type and OS version from an inventory
// summary. Apple TVs are mobile devices whose model says "Apple TV".
func NewUpdateDevice(d ops.Device) UpdateDevice {
	u := UpdateDevice{Device: d, ObjectType: jamf.ObjectComputer}
	if d.Kind == jamf.PlatformMobile {
		u.ObjectType = jamf.ObjectMobileDevice
		if PlatformOf(d.Kind, d.Model, false) == TvOS {
			u.ObjectType = jamf.ObjectAppleTV
		}
	}
	fields := strings.Fields(d.OS)
	if len(fields) > 0 {
		if v, err := jamf.ParseOSVersion(fields[len(fields)-1]); err == nil {
			u.OSVersion = v
		}
	}
	return u
}

// WithHardware fills AppleSilicon (and the OS version) of the computers from
// the inventory's HARDWARE and OPERATING_SYSTEM sections, 200 IDs a request,
// so that the preflight can tell which Macs cannot run a major version.
func WithHardware(ctx context.Context, c *jamf.Client, devices []UpdateDevice) ([]UpdateDevice, int, error) {
	var ids []string
	for _, d := range devices {
		if d.ObjectType == jamf.ObjectComputer {
			ids = append(ids, d.Device.ID)
		}
	}
	if len(ids) == 0 {
		return devices, 0, nil
	}
	requests := 0
	byID := map[string]jamf.Computer{}
	for part := range slices.Chunk(ids, 200) {
		list, resp, err := c.Computers.List(ctx, []string{"HARDWARE", "OPERATING_SYSTEM"}, &jamf.ListOptions{Filter: jamf.In("id", part...), PageSize: 200})
		if resp != nil {
			requests += resp.Requests
		}
		if err != nil {
			return nil, requests, fmt.Errorf("reading the computers' hardware: %w", err)
		}
		for _, m := range list {
			byID[m.ID] = m
		}
	}
	out := slices.Clone(devices)
	for i, d := range out {
		m, ok := byID[d.Device.ID]
		if d.ObjectType != jamf.ObjectComputer || !ok {
			continue
		}
		if m.Hardware != nil {
			silicon := m.Hardware.AppleSilicon
			out[i].AppleSilicon = &silicon
		}
		if m.OperatingSystem != nil {
			if v, err := jamf.ParseOSVersion(m.OperatingSystem.Version); err == nil {
				out[i].OSVersion = v
			}
		}
	}
	return out, requests, nil
}

// MaxMajor is the newest major version the device's model runs, when the
// inventory says: Apple named macOS 26 the last release for Intel Macs.
// ok is false when nothing is known of a limit.
func MaxMajor(d UpdateDevice) (major int, ok bool) {
	if d.ObjectType == jamf.ObjectComputer && d.AppleSilicon != nil && !*d.AppleSilicon {
		return 26, true
	}
	return 0, false
}

// UpdateTarget is one device of a software-update job.
type UpdateTarget struct {
	Device UpdateDevice
	// Target is the version the device should reach (zero when the server
	// alone can tell, as for Apple TVs with a latest-* version).
	Target jamf.OSVersion
	// Skip says why no plan is created ("" = one is).
	Skip string
}

// UpdatePreflight is the software-update dry run: nothing has been created.
type UpdatePreflight struct {
	Offered jamf.AvailableOSUpdates
	// Targets are every device, in the order given, with skip reasons.
	Targets []UpdateTarget
	// ByObjectType are the devices that get a plan, split by object type
	// (one plan request never mixes them), in ObjectTypes order.
	ByObjectType map[jamf.UpdateObjectType][]jamf.PlanDevice
	ObjectTypes  []jamf.UpdateObjectType
	Send         int
	Skipped      map[string]int
	// Baseline are the UUIDs of the plans the devices had before the job;
	// journal them so that a resume can tell the job's plans apart.
	Baseline []string
	// Privileges are what creating and watching the plans need; Missing
	// those the credential lacks.
	Privileges, Missing []string
	// Requests counts the reads the preflight made.
	Requests int
}

// UpdatePreflightOptions tune PreflightSoftwareUpdate.
type UpdatePreflightOptions struct {
	// Now is the time offline spans are measured from (default time.Now).
	Now time.Time
	// SkipOfflineAfter skips devices silent for longer (0 = keep them; a
	// plan for an offline device never starts).
	SkipOfflineAfter time.Duration
}

// ErrVersionNotOffered is returned when the server offers the version to none
// of the job's platforms.
var ErrVersionNotOffered = errors.New("version not offered by the server")

// PreflightSoftwareUpdate reads the versions the server offers (refusing a
// specific version it offers to none of the devices' platforms), the plans
// the devices already have, and the credential's privileges; it then decides
// each device: skipped when already on or above its target, when its model
// cannot run the target, when a plan is already running on it, or when it is
// not MDM-managed. Requests: 1 (available updates) + ⌈N ÷ 200⌉ per object
// type (existing plans) + 1 (privileges, cached per client).
func PreflightSoftwareUpdate(ctx context.Context, c *jamf.Client, su SoftwareUpdate, devices []UpdateDevice, opts UpdatePreflightOptions) (*UpdatePreflight, error) {
	if len(devices) == 0 {
		return nil, errors.New("no target devices")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	offered, resp, err := c.SoftwareUpdates().AvailableUpdates(ctx)
	pf := &UpdatePreflight{ByObjectType: map[jamf.UpdateObjectType][]jamf.PlanDevice{}, Skipped: map[string]int{}}
	if resp != nil {
		pf.Requests += resp.Requests
	}
	if err != nil {
		return nil, fmt.Errorf("reading the versions the server offers: %w", err)
	}
	pf.Offered = *offered
	macOS, iOS := parseVersions(offered.MacOS), parseVersions(offered.IOS)
	listFor := func(t jamf.UpdateObjectType) ([]jamf.OSVersion, bool) {
		switch t {
		case jamf.ObjectComputer:
			return macOS, true
		case jamf.ObjectMobileDevice:
			return iOS, true
		}
		return nil, false // the server lists no tvOS versions
	}
	// Deduplicate and see which object types the job has.
	seen := map[string]bool{}
	var unique []UpdateDevice
	for _, d := range devices {
		if !seen[d.Key()] {
			seen[d.Key()] = true
			unique = append(unique, d)
			if !slices.Contains(pf.ObjectTypes, d.ObjectType) {
				pf.ObjectTypes = append(pf.ObjectTypes, d.ObjectType)
			}
		}
	}
	if su.VersionType == jamf.VersionSpecific {
		offeredSomewhere := false
		for _, t := range pf.ObjectTypes {
			if list, ok := listFor(t); ok && slices.ContainsFunc(list, func(v jamf.OSVersion) bool { return v.Compare(su.Specific) == 0 }) {
				offeredSomewhere = true
			}
		}
		if !offeredSomewhere {
			return nil, fmt.Errorf("%w: %s (macOS: %s; iOS: %s)", ErrVersionNotOffered, su.Specific,
				strings.Join(offered.MacOS, ", "), strings.Join(offered.IOS, ", "))
		}
	}
	running := map[string]bool{}
	baseline := map[string]bool{}
	for _, t := range pf.ObjectTypes {
		var ids []string
		for _, d := range unique {
			if d.ObjectType == t {
				ids = append(ids, d.Device.ID)
			}
		}
		plans, resp, err := c.SoftwareUpdates().PlansForDevices(ctx, t, ids)
		if resp != nil {
			pf.Requests += resp.Requests
		}
		if err != nil {
			return nil, fmt.Errorf("reading the devices' plans: %w", err)
		}
		for _, p := range plans {
			baseline[p.PlanUUID] = true
			if !p.Status.Terminal() {
				running[planKey(p.Device.ObjectType, p.Device.DeviceID)] = true
			}
		}
	}
	for id := range baseline {
		pf.Baseline = append(pf.Baseline, id)
	}
	slices.Sort(pf.Baseline)
	for _, d := range unique {
		t := UpdateTarget{Device: d}
		list, listed := listFor(d.ObjectType)
		switch {
		case d.Device.ManagementID == "":
			t.Skip = "not MDM-managed"
		case opts.SkipOfflineAfter > 0 && (d.Device.LastCheckIn == nil || opts.Now.Sub(*d.Device.LastCheckIn) > opts.SkipOfflineAfter):
			t.Skip = "offline for more than " + spanText(opts.SkipOfflineAfter)
		case running[d.Key()]:
			t.Skip = "an update plan is already running on it"
		case !listed && su.VersionType == jamf.VersionSpecific:
			t.Skip = "the server lists no tvOS versions; only latest-* can be asked"
		case listed:
			t.Target, t.Skip = targetFor(d, su, list)
		}
		if t.Skip != "" {
			pf.Skipped[t.Skip]++
		} else {
			pf.Send++
			pf.ByObjectType[d.ObjectType] = append(pf.ByObjectType[d.ObjectType], d.PlanDevice())
		}
		pf.Targets = append(pf.Targets, t)
	}
	pf.Privileges = append(jamf.CreatePlanPrivileges(), jamf.PrivReadManagedSoftwareUpdates)
	if privs, err := c.Auth.Privileges(ctx); err == nil {
		pf.Missing = privs.Missing(pf.Privileges...)
	}
	return pf, nil
}

func parseVersions(list []string) []jamf.OSVersion {
	var out []jamf.OSVersion
	for _, s := range list {
		if v, err := jamf.ParseOSVersion(s); err == nil {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b jamf.OSVersion) int { return b.Compare(a) })
	return out
}

// targetFor picks a device's target from the offered versions (newest
// first), or says why it is skipped.
func targetFor(d UpdateDevice, su SoftwareUpdate, offered []jamf.OSVersion) (jamf.OSVersion, string) {
	maxMajor, limited := MaxMajor(d)
	runs := func(v jamf.OSVersion) bool { return !limited || v.Major <= maxMajor }
	cur := d.OSVersion
	newest := func(ok func(jamf.OSVersion) bool) (jamf.OSVersion, bool) {
		for _, v := range offered {
			if runs(v) && ok(v) {
				return v, true
			}
		}
		return jamf.OSVersion{}, false
	}
	already := func(jamf.OSVersion) string { return "already on or above the target" }
	switch su.VersionType {
	case jamf.VersionSpecific:
		v := su.Specific
		switch {
		case !slices.ContainsFunc(offered, func(o jamf.OSVersion) bool { return o.Compare(v) == 0 }):
			return v, fmt.Sprintf("%s is not offered for this platform", v)
		case !runs(v):
			return v, fmt.Sprintf("model cannot run %d (Intel Mac; macOS %d is its last)", v.Major, maxMajor)
		case !cur.IsZero() && cur.Compare(v) >= 0:
			return v, already(v)
		}
		return v, ""
	case jamf.VersionLatestMinor:
		if cur.IsZero() {
			return jamf.OSVersion{}, ""
		}
		v, ok := newest(func(o jamf.OSVersion) bool { return o.Major == cur.Major })
		if !ok || cur.Compare(v) >= 0 {
			return v, fmt.Sprintf("already on the latest %d.x", cur.Major)
		}
		return v, ""
	case jamf.VersionLatestMajor:
		if cur.IsZero() {
			return jamf.OSVersion{}, ""
		}
		v, ok := newest(func(o jamf.OSVersion) bool { return o.Major > cur.Major })
		if !ok {
			if limited && slices.ContainsFunc(offered, func(o jamf.OSVersion) bool { return o.Major > maxMajor }) {
				return jamf.OSVersion{}, fmt.Sprintf("model cannot run a newer major (Intel Mac; macOS %d is its last)", maxMajor)
			}
			return jamf.OSVersion{}, fmt.Sprintf("already on the newest major (%d)", cur.Major)
		}
		return v, ""
	}
	v, ok := newest(func(jamf.OSVersion) bool { return true })
	if !ok || (!cur.IsZero() && cur.Compare(v) >= 0) {
		return v, already(v)
	}
	return v, ""
}

// spanText shows a span in whole days when it is one ("30 days").
func spanText(d time.Duration) string {
	switch {
	case d == 24*time.Hour:
		return "1 day"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
