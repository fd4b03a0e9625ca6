package ui

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/jamfops/jamfops/ops"
)

// memberIndex is what a members screen computes once per load so that a
// keystroke never lower-cases or compares raw records: the lower-cased
// filter text and name key of every device, and the devices' order for
// each column sorted so far (a reversed sort reads the same order
// backwards; count columns, which change as counts arrive, are re-sorted).
type memberIndex struct {
	search  []string // lower-case filter text per device
	nameKey []string // lower-case name per device
	orders  [6][]int // every device sorted by each count-free column, ascending
	counted []int    // the count column's order (direction included)
	current []int    // the order of the current sort
	// knownAt and countAt hold the counts by position, so sorting by a
	// count reads no map.
	knownAt []bool
	countAt [][2]int
	sorted  bool // current matches sortCol/desc and the counts
}

// newMemberIndex computes the per-load keys of devs and their order by name.
func newMemberIndex(devs []ops.Device) memberIndex {
	x := memberIndex{search: make([]string, len(devs)), nameKey: make([]string, len(devs)),
		knownAt: make([]bool, len(devs)), countAt: make([][2]int, len(devs))}
	for i, d := range devs {
		x.nameKey[i] = strings.ToLower(d.Name)
		x.search[i] = strings.ToLower(ops.Clean(d.Name + " " + d.Serial + " " + d.Model + " " + d.OS + " " + d.User))
	}
	// Every column that does not depend on counts is sorted here, once,
	// off the UI's goroutine (the load's command builds the index), so that
	// no sort key press ever sorts 100,000 strings.
	x.orders[0] = byKey(x.nameKey)
	for col := 1; col <= 4; col++ {
		keys := make([]string, len(devs))
		for i := range devs {
			keys[i] = [...]string{"", devs[i].Serial, devs[i].Model, devs[i].OS, devs[i].User}[col]
		}
		x.orders[col] = byKey(keys)
	}
	stamps := make([]int64, len(devs))
	for i := range devs {
		if t := devs[i].LastCheckIn; t != nil {
			stamps[i] = t.UnixNano()
		}
	}
	x.orders[5] = byKey(stamps)
	return x
}

// keyed is a sort key beside its device's position.
type keyed[K cmp.Ordered] struct {
	k K
	i int
}

// byKey returns positions 0..len(keys)-1 ordered by key, ties by position.
// Keys sit next to positions so that comparisons read contiguous memory,
// not the device records.
func byKey[K cmp.Ordered](keys []K) []int {
	pairs := make([]keyed[K], len(keys))
	for i, k := range keys {
		pairs[i] = keyed[K]{k, i}
	}
	slices.SortFunc(pairs, func(a, b keyed[K]) int {
		if c := cmp.Compare(a.k, b.k); c != 0 {
			return c
		}
		return a.i - b.i
	})
	out := make([]int, len(pairs))
	for i, p := range pairs {
		out[i] = p.i
	}
	return out
}

// sortOrder makes idx.current the devices' order for the current sort.
// Count columns sort devices whose counts are not known yet last in either
// direction, so that sorting never asks for counts of rows it then pushes
// off screen.
func (m *membersModel) sortOrder() {
	devs, col := m.devices, m.sortCol
	if col == 6 || col == 7 {
		vals := make([]int, len(devs)) // known counts, direction applied; unknown last
		for i := range devs {
			switch c, ok := m.idx.countAt[i], m.idx.knownAt[i]; {
			case !ok:
				vals[i] = math.MaxInt
			case m.desc:
				vals[i] = -c[col-6]
			default:
				vals[i] = c[col-6]
			}
		}
		m.idx.counted = byKey(vals)
		m.idx.current, m.idx.sorted = m.idx.counted, true
		return
	}
	m.idx.current, m.idx.sorted = m.idx.orders[col], true
}

// filtered returns the devices whose filter text contains q, in the
// current sort order.
func (m *membersModel) filtered(q string) []int {
	if !m.idx.sorted {
		m.sortOrder()
	}
	order := m.idx.current
	reverse := m.desc && m.sortCol != 6 && m.sortCol != 7
	// Match in load order (the filter texts lie in memory in that order),
	// then walk the sort order picking the matches.
	var hit []bool
	if q != "" {
		hit = make([]bool, len(order))
		for i, text := range m.idx.search {
			hit[i] = strings.Contains(text, q)
		}
	}
	view := make([]int, 0, len(order))
	for j := range order {
		i := order[j]
		if reverse {
			i = order[len(order)-1-j]
		}
		if hit == nil || hit[i] {
			view = append(view, i)
		}
	}
	return view
}
