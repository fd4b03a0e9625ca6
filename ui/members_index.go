package ui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/jamfops/jamfops/ops"
)

// memberIndex is what a members screen computes once per load so that a
// keystroke never lower-cases or compares raw records: the lower-cased
// filter text and name key of every device, and the devices' order for
// the current sort (rebuilt only when the sort or the counts change).
type memberIndex struct {
	search  []string // lower-case filter text per device
	nameKey []string // lower-case name per device
	order   []int    // every device, in the current sort order
	sorted  bool     // order matches sortCol/desc and the counts
}

// index computes the per-load keys of devs.
func newMemberIndex(devs []ops.Device) memberIndex {
	x := memberIndex{search: make([]string, len(devs)), nameKey: make([]string, len(devs))}
	for i, d := range devs {
		x.nameKey[i] = strings.ToLower(d.Name)
		x.search[i] = strings.ToLower(ops.Clean(d.Name + " " + d.Serial + " " + d.Model + " " + d.OS + " " + d.User))
	}
	return x
}

// sortOrder sorts every device by column col (desc reverses), ties by
// position in the load. Count columns sort devices whose counts are not
// known yet last in either direction, so that sorting never asks for
// counts of rows it then pushes off screen.
func (m *membersModel) sortOrder() {
	n := len(m.devices)
	order := m.idx.order[:0]
	if cap(order) < n {
		order = make([]int, 0, n)
	}
	for i := range n {
		order = append(order, i)
	}
	devs, keys, col, desc := m.devices, m.idx.nameKey, m.sortCol, m.desc
	dir := func(c int) int {
		if desc {
			return -c
		}
		return c
	}
	switch col {
	case 6, 7:
		vals := make([]int, n) // -1: not known yet
		for i := range devs {
			vals[i] = -1
			if m.known[devs[i].ID] {
				vals[i] = m.counts[devs[i].ID][col-6]
			}
		}
		slices.SortFunc(order, func(a, b int) int {
			if (vals[a] < 0) != (vals[b] < 0) {
				return cmp.Compare(vals[b], vals[a]) // known first
			}
			if c := dir(cmp.Compare(vals[a], vals[b])); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
	case 5:
		stamps := make([]int64, n)
		for i := range devs {
			if t := devs[i].LastCheckIn; t != nil {
				stamps[i] = t.UnixNano()
			}
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := dir(cmp.Compare(stamps[a], stamps[b])); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
	default:
		field := func(i int) string { return keys[i] }
		switch col {
		case 1:
			field = func(i int) string { return devs[i].Serial }
		case 2:
			field = func(i int) string { return devs[i].Model }
		case 3:
			field = func(i int) string { return devs[i].OS }
		case 4:
			field = func(i int) string { return devs[i].User }
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := dir(strings.Compare(field(a), field(b))); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
	}
	m.idx.order, m.idx.sorted = order, true
}

// filtered returns the sorted devices whose filter text contains q.
func (m *membersModel) filtered(q string) []int {
	if !m.idx.sorted {
		m.sortOrder()
	}
	if q == "" {
		return slices.Clone(m.idx.order)
	}
	view := make([]int, 0, len(m.idx.order)/4)
	for _, i := range m.idx.order {
		if strings.Contains(m.idx.search[i], q) {
			view = append(view, i)
		}
	}
	return view
}
