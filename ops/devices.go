// Package ops holds jamfops's domain logic: resolving groups and devices,
// reading command queues, and (later) mass actions. It knows nothing of the
// terminal UI.
package ops

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jamf"
)

// GroupSummary is a group as jamfops shows and prints it.
type GroupSummary struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Kind        jamf.Platform `json:"kind"`
	Smart       bool          `json:"smart"`
	MemberCount int           `json:"memberCount"`
	Description string        `json:"-"`
}

// Summarise turns Jamf groups into summaries, sorted by kind then name.
func Summarise(groups []jamf.Group) []GroupSummary {
	out := make([]GroupSummary, len(groups))
	for i, g := range groups {
		out[i] = GroupSummary{ID: g.ID, Name: g.Name, Kind: g.Platform(), Smart: g.Smart, MemberCount: g.MembershipCount, Description: g.Description}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == jamf.PlatformComputer
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out
}

// FindGroup picks one group by ID or exact name (case-insensitive). An
// empty kind accepts either family; an ID shared by a computer and a mobile
// group is ambiguous without a kind.
func FindGroup(groups []GroupSummary, ref string, kind jamf.Platform) (GroupSummary, error) {
	ref = strings.TrimSpace(ref)
	var hits []GroupSummary
	_, numErr := strconv.Atoi(ref)
	for _, g := range groups {
		if kind != "" && g.Kind != kind {
			continue
		}
		if (numErr == nil && g.ID == ref) || strings.EqualFold(g.Name, ref) {
			hits = append(hits, g)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return GroupSummary{}, fmt.Errorf("no group matches %q (list them with: jamfops groups)", ref)
	}
	var names []string
	for _, h := range hits {
		names = append(names, fmt.Sprintf("%s group %s %q", h.Kind, h.ID, h.Name))
	}
	return GroupSummary{}, fmt.Errorf("%q matches %d groups (%s); say which with --kind computer or --kind mobile", ref, len(hits), strings.Join(names, ", "))
}

// Device is a computer or mobile device as jamfops shows and prints it.
type Device struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Serial       string        `json:"serial"`
	UDID         string        `json:"udid"`
	ManagementID string        `json:"managementId"`
	Model        string        `json:"model"`
	OS           string        `json:"os"`
	User         string        `json:"user"`
	LastCheckIn  *time.Time    `json:"lastCheckIn"`
	Kind         jamf.Platform `json:"-"`
	// Shared is true for a Shared iPad.
	Shared bool `json:"shared,omitempty"`
	// Unsupervised is true for a mobile device the inventory says is not
	// supervised. It is the negative on purpose: a record that does not say
	// (a computer, a job journalled by an older jamfops) is never taken for
	// an unsupervised device and skipped.
	Unsupervised bool `json:"unsupervised,omitempty"`
}

func timePtr(t jamf.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// FromComputer converts an inventory record.
func FromComputer(c jamf.Computer) Device {
	d := Device{ID: c.ID, UDID: c.UDID, Kind: jamf.PlatformComputer}
	if g := c.General; g != nil {
		d.Name, d.ManagementID, d.LastCheckIn = g.Name, g.ManagementID, timePtr(g.LastCheckIn)
	}
	if h := c.Hardware; h != nil {
		d.Serial, d.Model = h.SerialNumber, h.Model
	}
	if o := c.OperatingSystem; o != nil {
		d.OS = strings.TrimSpace(o.Name + " " + o.Version)
	}
	if u := c.UserAndLocation; u != nil {
		d.User = u.Username
	}
	return d
}

// FromMobileDevice converts a mobile inventory record.
func FromMobileDevice(m jamf.MobileDevice) Device {
	return Device{ID: m.MobileDeviceID, Name: m.DisplayName, Serial: m.SerialNumber, UDID: m.UDID, ManagementID: m.ManagementID,
		Model: m.Model, OS: m.OSVersion, User: m.Username, LastCheckIn: timePtr(m.LastContactDate), Kind: jamf.PlatformMobile, Shared: m.SharedIpad,
		Unsupervised: m.Supervised != nil && !*m.Supervised}
}

// GroupMembers returns a group's devices with their inventory summary,
// sorted by name. Mobile members come from the membership endpoint in pages
// of jamf.MaxPageSize. Computer members are resolved through the inventory
// in whichever way costs fewer requests: id=in=(…) chunks of 200 for a group
// that is a small part of the fleet, or paging the whole inventory at 2,000
// a page (keeping only members) for one that covers most of it, so a
// 100,000-member group costs ⌈N ÷ 2000⌉ + 2 requests, not ⌈N ÷ 200⌉ + 1.
func GroupMembers(ctx context.Context, c *jamf.Client, g GroupSummary) ([]Device, error) {
	var out []Device
	if g.Kind == jamf.PlatformMobile {
		list, _, err := c.Groups.MobileMembers(ctx, g.ID, g.Smart, &jamf.ListOptions{PageSize: jamf.MaxPageSize})
		if err != nil {
			return nil, err
		}
		out = make([]Device, 0, len(list))
		for _, m := range list {
			out = append(out, FromMobileDevice(m))
		}
	} else {
		ids, _, err := c.Groups.ComputerMemberIDs(ctx, g.ID, g.Smart)
		if err != nil {
			return nil, err
		}
		list, err := computersByID(ctx, c, ids)
		if err != nil {
			return nil, err
		}
		out = make([]Device, 0, len(list))
		for _, cm := range list {
			out = append(out, FromComputer(cm))
		}
	}
	SortDevicesByName(out)
	return out, nil
}

// idsPerChunk is how many IDs the client puts in one id=in=(…) filter.
const idsPerChunk = 200

// computersByID reads the inventory of the given computers. With more IDs
// than one chunk it first asks for the fleet's size (one request of one
// record) and pages the whole inventory instead when that is cheaper.
func computersByID(ctx context.Context, c *jamf.Client, ids []string) ([]jamf.Computer, error) {
	if len(ids) <= idsPerChunk {
		list, _, err := c.Computers.ListByIDs(ctx, ids, nil)
		return list, err
	}
	_, probe, err := c.Computers.FirstPage(ctx, []string{jamf.SectionGeneral}, &jamf.ListOptions{PageSize: 1})
	if err != nil {
		return nil, err
	}
	chunks := (len(ids) + idsPerChunk - 1) / idsPerChunk
	pages := (probe.TotalCount + jamf.MaxPageSize - 1) / jamf.MaxPageSize
	if pages >= chunks {
		list, _, err := c.Computers.ListByIDs(ctx, ids, nil)
		return list, err
	}
	want := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		want[id] = struct{}{}
	}
	all, _, err := c.Computers.List(ctx, nil, &jamf.ListOptions{PageSize: jamf.MaxPageSize})
	if err != nil {
		return nil, err
	}
	kept := all[:0]
	for _, cm := range all {
		if _, ok := want[cm.ID]; ok {
			kept = append(kept, cm)
		}
	}
	return kept, nil
}

// SortDevicesByName sorts devices by name (case-insensitively), then ID,
// computing each lower-cased key once rather than in every comparison.
func SortDevicesByName(devices []Device) {
	keys := make([]string, len(devices))
	for i, d := range devices {
		keys[i] = strings.ToLower(d.Name)
	}
	idx := make([]int, len(devices))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	sorted := make([]Device, len(devices))
	for i, j := range idx {
		sorted[i] = devices[j]
	}
	copy(devices, sorted)
}

// FindDevice resolves a device named by inventory ID, serial number, UDID,
// management ID or exact name. kind narrows the search (an inventory ID
// needs one, as computer and mobile IDs overlap; computer is assumed).
// Ambiguous names are refused with the candidates listed.
func FindDevice(ctx context.Context, c *jamf.Client, ref string, kind jamf.Platform) (Device, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Device{}, fmt.Errorf("no device given")
	}
	var hits []Device
	if _, err := strconv.Atoi(ref); err == nil {
		if kind == jamf.PlatformMobile {
			list, _, err := c.MobileDevices.List(ctx, &jamf.ListOptions{Filter: jamf.Eq("mobileDeviceId", ref)})
			if err != nil {
				return Device{}, err
			}
			for _, m := range list {
				hits = append(hits, FromMobileDevice(m))
			}
		} else {
			list, _, err := c.Computers.List(ctx, nil, &jamf.ListOptions{Filter: jamf.Eq("id", ref)})
			if err != nil {
				return Device{}, err
			}
			for _, cm := range list {
				hits = append(hits, FromComputer(cm))
			}
		}
	} else {
		if kind != jamf.PlatformMobile {
			f := jamf.Or(jamf.Eq("hardware.serialNumber", ref), jamf.Eq("udid", ref), jamf.Eq("general.managementId", ref), jamf.Eq("general.name", ref))
			list, _, err := c.Computers.List(ctx, nil, &jamf.ListOptions{Filter: f})
			if err != nil {
				return Device{}, err
			}
			for _, cm := range list {
				hits = append(hits, FromComputer(cm))
			}
		}
		if kind != jamf.PlatformComputer {
			f := jamf.Or(jamf.Eq("serialNumber", ref), jamf.Eq("udid", ref), jamf.Eq("managementId", ref), jamf.Eq("displayName", ref))
			list, _, err := c.MobileDevices.List(ctx, &jamf.ListOptions{Filter: f})
			if err != nil {
				return Device{}, err
			}
			for _, m := range list {
				hits = append(hits, FromMobileDevice(m))
			}
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return Device{}, fmt.Errorf("no device matches %q (try its serial number, or an inventory ID with --kind)", ref)
	}
	var names []string
	for i, h := range hits {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(hits)-5))
			break
		}
		names = append(names, fmt.Sprintf("%s %s %q serial %s", h.Kind, h.ID, h.Name, h.Serial))
	}
	return Device{}, fmt.Errorf("%q matches %d devices (%s); name one by serial number", ref, len(hits), strings.Join(names, "; "))
}
