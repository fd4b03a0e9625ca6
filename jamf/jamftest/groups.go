package jamftest

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// criterion is a smart-group criterion as Jamf Pro shows it.
type criterion struct {
	Name       string
	SearchType string
	Value      string
	AndOr      string
}

// group is a computer or mobile-device group.
type group struct {
	id          int
	mobile      bool
	name        string
	description string
	smart       bool
	criteria    []criterion
	// match decides smart membership at a time; static groups use members.
	match   func(d *device, now time.Time) bool
	members []int
	// platformID is the group's UUID in the unified /v2/groups API.
	platformID string
}

// membership returns the member device IDs at now, in ID order.
func (g *group) membership(f *fleet, now time.Time) []int {
	if !g.smart {
		return g.members
	}
	var out []int
	for _, d := range f.devices(g.mobile) {
		if g.match(d, now) {
			out = append(out, d.id)
		}
	}
	return out
}

// versionLess compares dotted version strings numerically.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

func one(name, search, value string) []criterion {
	return []criterion{{Name: name, SearchType: search, Value: value, AndOr: "and"}}
}

// defaultGroups builds the demo fleet's groups. Static groups take a
// deterministic slice of the fleet so that their members are stable.
func defaultGroups(f *fleet, g *generator) []*group {
	epoch := f.epoch
	staleFor := func(days int) func(d *device, now time.Time) bool {
		return func(d *device, now time.Time) bool {
			return now.Sub(d.lastCheckIn(now, epoch)) > time.Duration(days)*24*time.Hour
		}
	}
	computers := []*group{
		{name: "All Managed Clients", description: "Every managed computer", smart: true,
			match: func(d *device, _ time.Time) bool { return d.managed }},
		{name: "Macs - FileVault off", description: "Computers whose disks are not encrypted", smart: true,
			criteria: one("FileVault 2 Status", "is not", "All Partitions Encrypted"),
			match:    func(d *device, _ time.Time) bool { return d.fileVault != "ALL_ENCRYPTED" }},
		{name: "Macs - macOS older than 26", description: "Candidates for the macOS 26 upgrade", smart: true,
			criteria: one("Operating System Version", "less than", "26.0"),
			match:    func(d *device, _ time.Time) bool { return versionLess(d.osVer, "26.0") }},
		{name: "Macs - macOS 26 below 26.1", description: "On macOS 26 but not yet on 26.1", smart: true,
			criteria: []criterion{
				{Name: "Operating System Version", SearchType: "greater than or equal", Value: "26.0", AndOr: "and"},
				{Name: "Operating System Version", SearchType: "less than", Value: "26.1", AndOr: "and"},
			},
			match: func(d *device, _ time.Time) bool {
				return !versionLess(d.osVer, "26.0") && versionLess(d.osVer, "26.1")
			}},
		{name: "Macs - no check-in for 30 days", description: "Stale computers", smart: true,
			criteria: one("Last Check-in", "more than x days ago", "30"), match: staleFor(30)},
		{name: "Macs - no check-in for 7 days", description: "Recently quiet computers", smart: true,
			criteria: one("Last Check-in", "more than x days ago", "7"), match: staleFor(7)},
		{name: "Engineering Macs", description: "Department is Engineering", smart: true,
			criteria: one("Department", "is", "Engineering"),
			match:    func(d *device, _ time.Time) bool { return d.department == "Engineering" }},
		{name: "Sales Macs", description: "Department is Sales", smart: true,
			criteria: one("Department", "is", "Sales"),
			match:    func(d *device, _ time.Time) bool { return d.department == "Sales" }},
		{name: "Intel Macs", description: "Computers without Apple silicon", smart: true,
			criteria: one("Apple Silicon", "is", "No"),
			match:    func(d *device, _ time.Time) bool { return !d.silicon }},
		{name: "Executive Macs", description: "Hand-picked computers of the leadership team"},
		{name: "Loaner Pool", description: "Computers the help desk lends out"},
	}
	mobiles := []*group{
		{name: "All Managed iPads", description: "Every managed iPad", smart: true,
			criteria: one("Model", "like", "iPad"),
			match:    func(d *device, _ time.Time) bool { return d.short == "IPAD" }},
		{name: "All Managed iPhones", description: "Every managed iPhone", smart: true,
			criteria: one("Model", "like", "iPhone"),
			match:    func(d *device, _ time.Time) bool { return d.short == "IPHONE" }},
		{name: "iOS older than 26", description: "iPhones and iPads to update", smart: true,
			criteria: []criterion{
				{Name: "OS Version", SearchType: "less than", Value: "26.0", AndOr: "and"},
				{Name: "Model", SearchType: "not like", Value: "Apple TV", AndOr: "and"},
			},
			match: func(d *device, _ time.Time) bool { return d.devType == "iOS" && versionLess(d.osVer, "26.0") }},
		{name: "Mobile - not seen for 14 days", description: "Stale mobile devices", smart: true,
			criteria: one("Last Inventory Update", "more than x days ago", "14"), match: staleFor(14)},
		{name: "Shared iPad carts", description: "Classroom cart iPads", smart: true,
			criteria: one("Display Name", "like", "Cart-"),
			match:    func(d *device, _ time.Time) bool { return strings.HasPrefix(d.name, "Cart-") }},
		{name: "Conference Room Apple TVs", description: "Apple TVs", smart: true,
			criteria: one("Model", "like", "Apple TV"),
			match:    func(d *device, _ time.Time) bool { return d.devType == "tvOS" }},
		{name: "Executive iPhones", description: "Hand-picked phones of the leadership team"},
		{name: "Kiosk iPads", description: "Lobby kiosks"},
	}
	pickStatic := func(list []*device, n int, prefer func(*device) bool) []int {
		var ids []int
		for _, d := range list {
			if len(ids) < n && prefer(d) {
				ids = append(ids, d.id)
			}
		}
		for len(ids) < n && len(ids) < len(list) {
			id := list[g.pick(len(list))].id
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		return ids
	}
	exec := func(d *device) bool { return d.position == "Vice President" }
	none := func(*device) bool { return false }
	size := func(total, want int) int { return min(want, total) }
	computers[9].members = pickStatic(f.computers, size(len(f.computers), 25), exec)
	computers[10].members = pickStatic(f.computers, size(len(f.computers), 40), none)
	mobiles[6].members = pickStatic(f.mobiles, size(len(f.mobiles), 15), func(d *device) bool { return exec(d) && d.short == "IPHONE" })
	mobiles[7].members = pickStatic(f.mobiles, size(len(f.mobiles), 12), none)
	for i, grp := range computers {
		grp.id = i + 1
		grp.platformID = g.uuid()
	}
	for i, grp := range mobiles {
		grp.id, grp.mobile = i+1, true
		grp.platformID = g.uuid()
	}
	return append(computers, mobiles...)
}
