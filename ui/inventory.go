package ui

import (
	"context"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// allDevicesName is the title of a whole-inventory list.
func allDevicesName(kind jamf.Platform) string {
	if kind == jamf.PlatformMobile {
		return "All mobile devices"
	}
	return "All computers"
}

// newAllDevicesModel lists every computer or every mobile device, so that
// no device is reachable only through a group that happens to hold it.
func newAllDevicesModel(c *common, kind jamf.Platform) membersModel {
	m := newMembersModel(c, ops.GroupSummary{Name: allDevicesName(kind), Kind: kind})
	m.all = true
	return m
}

// inventory reads the whole inventory of one kind, jamf.MaxPageSize
// records a request (⌈N ÷ 2000⌉ requests), sorted by name.
func inventory(ctx context.Context, c *jamf.Client, kind jamf.Platform) ([]ops.Device, error) {
	var out []ops.Device
	opts := &jamf.ListOptions{PageSize: jamf.MaxPageSize}
	if kind == jamf.PlatformMobile {
		list, _, err := c.MobileDevices.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		out = make([]ops.Device, len(list))
		for i, d := range list {
			out[i] = ops.FromMobileDevice(d)
		}
	} else {
		list, _, err := c.Computers.List(ctx, nil, opts)
		if err != nil {
			return nil, err
		}
		out = make([]ops.Device, len(list))
		for i, d := range list {
			out[i] = ops.FromComputer(d)
		}
	}
	ops.SortDevicesByName(out)
	return out, nil
}
