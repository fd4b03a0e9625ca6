package ops

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/jamfops/jamfops/jamf"
)

// UpdateOverview is the OS-update state of a set of devices, as Jamf Pro's
// managed software update statuses report it.
type UpdateOverview struct {
	// Devices is how many devices were asked about; WithStatus how many of
	// them report an update status at all.
	Devices, WithStatus int
	// States counts devices per status (DOWNLOADING, INSTALLED, …).
	States map[jamf.UpdateStatusKind]int
	// Failures counts failed devices per reason in words.
	Failures map[string]int
	// ByDevice is each device's status, keyed by DeviceKey.
	ByDevice map[string]jamf.UpdateStatus
}

// DeviceKey names a device the way update statuses do: its kind and ID.
func DeviceKey(d Device) string { return string(d.Kind) + "/" + d.ID }

// ReadUpdateOverview reads the update statuses of a group's members in one
// request (the group status route), or of the given devices in chunks of
// IDs per kind, and counts them. Statuses of devices outside devices are
// ignored (a group's membership can change between reads).
func ReadUpdateOverview(ctx context.Context, c *jamf.Client, group *GroupSummary, devices []Device) (*UpdateOverview, error) {
	var statuses []jamf.UpdateStatus
	if group != nil {
		scope := jamf.ScopeComputerGroup
		if group.Kind == jamf.PlatformMobile {
			scope = jamf.ScopeMobileDeviceGroup
		}
		list, _, err := c.SoftwareUpdates().UpdateStatusesOf(ctx, scope, group.ID)
		if err != nil {
			return nil, err
		}
		statuses = list
	} else {
		byKind := map[jamf.UpdateObjectType][]string{}
		for _, d := range devices {
			t := jamf.ObjectComputer
			if d.Kind == jamf.PlatformMobile {
				t = jamf.ObjectMobileDevice
			}
			byKind[t] = append(byKind[t], d.ID)
		}
		for t, ids := range byKind {
			list, _, err := c.SoftwareUpdates().UpdateStatusesForDevices(ctx, t, ids)
			if err != nil {
				return nil, err
			}
			statuses = append(statuses, list...)
		}
	}
	return SummariseUpdates(devices, statuses), nil
}

// SummariseUpdates counts statuses for the given devices. A device with
// several statuses (several updates) counts by its most recently updated.
func SummariseUpdates(devices []Device, statuses []jamf.UpdateStatus) *UpdateOverview {
	o := &UpdateOverview{Devices: len(devices), States: map[jamf.UpdateStatusKind]int{}, Failures: map[string]int{}, ByDevice: map[string]jamf.UpdateStatus{}}
	want := make(map[string]bool, len(devices))
	for _, d := range devices {
		want[DeviceKey(d)] = true
	}
	for _, st := range statuses {
		kind := jamf.PlatformComputer
		if st.Device.ObjectType != jamf.ObjectComputer {
			kind = jamf.PlatformMobile
		}
		key := string(kind) + "/" + st.Device.DeviceID
		if !want[key] {
			continue
		}
		if old, ok := o.ByDevice[key]; ok && old.Updated.After(st.Updated.Time) {
			continue
		}
		o.ByDevice[key] = st
	}
	for _, st := range o.ByDevice {
		o.States[st.Status]++
		if st.Status.Failed() {
			o.Failures[jamf.UpdateFailureReason(string(st.Status))]++
		}
	}
	o.WithStatus = len(o.ByDevice)
	return o
}

// Line says the overview in one line: "OS updates: 12 downloading ·
// 3 installing · 40 installed · 2 failed (insufficient space 2)".
func (o *UpdateOverview) Line() string {
	if o.WithStatus == 0 {
		return "OS updates: no device reports an update status"
	}
	order := []jamf.UpdateStatusKind{jamf.UpdateDownloading, jamf.UpdateInstalling, jamf.UpdateIdle, jamf.UpdateInstalled, jamf.UpdateUnknown}
	var parts []string
	for _, k := range order {
		if n := o.States[k]; n > 0 {
			parts = append(parts, formatInt(n)+" "+strings.ToLower(string(k)))
		}
	}
	failed := 0
	for k, n := range o.States {
		if k.Failed() {
			failed += n
		}
	}
	if failed > 0 {
		reasons := make([]string, 0, len(o.Failures))
		for r := range o.Failures {
			reasons = append(reasons, r)
		}
		sort.Slice(reasons, func(i, j int) bool {
			if o.Failures[reasons[i]] != o.Failures[reasons[j]] {
				return o.Failures[reasons[i]] > o.Failures[reasons[j]]
			}
			return reasons[i] < reasons[j]
		})
		var rs []string
		for _, r := range reasons {
			rs = append(rs, r+" "+formatInt(o.Failures[r]))
		}
		parts = append(parts, formatInt(failed)+" failed ("+strings.Join(rs, ", ")+")")
	}
	return "OS updates (" + formatInt(o.WithStatus) + " of " + formatInt(o.Devices) + " devices report): " + strings.Join(parts, " · ")
}

// DeviceState is one device's update status in a word or two, "" when it
// reports none.
func (o *UpdateOverview) DeviceState(d Device) string {
	st, ok := o.ByDevice[DeviceKey(d)]
	if !ok {
		return ""
	}
	if st.Status.Failed() {
		return jamf.UpdateFailureReason(string(st.Status))
	}
	return strings.ToLower(string(st.Status))
}

func formatInt(n int) string { return strconv.Itoa(n) }
