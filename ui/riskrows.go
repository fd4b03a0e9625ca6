package ui

import (
	"slices"
	"strings"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// riskKey is what filtering and sorting need of one device, computed once
// per load so that a keystroke costs a scan, not a rebuild of every key.
type riskKey struct {
	// nameEnd is where the row's name ends in riskIndex.blob (the text
	// of the row, lowercase and cleaned: name, serial, JSC ID, users, model).
	nameEnd int
	rank    int
	source  string // SOURCE column
	ours    bool   // jamfops set the level JSC still reports
	scoped  bool   // in the screen's scope
}

// riskIndex is the per-load index of the fleet: keys, counts and the three
// sort orders (risk, name, last seen), each ascending.
type riskIndex struct {
	keys []riskKey
	// blob holds every row's search text; row i is blob[starts[i]:starts[i+1]].
	blob   string
	starts []int
	orders [3][]int
	counts map[jsc.Level]int
	shown  int
}

// appendLower appends s in lower case (ASCII in place, anything else
// through strings.ToLower).
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(dst, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// buildRiskIndex computes keys and sort orders once for a load. Every
// row's search text goes, lowercase and cleaned, into one blob (the name
// first, so that the name order compares slices of it): no string per row.
func buildRiskIndex(fleet []ops.RiskDevice, marks map[string]ops.RiskMark, inScope func(ops.RiskDevice) bool) riskIndex {
	n := len(fleet)
	x := riskIndex{keys: make([]riskKey, n), counts: map[jsc.Level]int{}, starts: make([]int, n+1)}
	blob := make([]byte, 0, n*112)
	for i, d := range fleet {
		x.starts[i] = len(blob)
		blob = appendLower(blob, ops.Clean(d.Name()))
		nameEnd := len(blob)
		for _, part := range [...]string{d.Serial(), d.JSC.ID, d.JSC.UserName} {
			blob = append(blob, ' ')
			blob = appendLower(blob, ops.Clean(part))
		}
		if d.Jamf != nil {
			blob = append(blob, ' ')
			blob = appendLower(blob, ops.Clean(d.Jamf.User))
			blob = append(blob, ' ')
			blob = appendLower(blob, ops.Clean(d.Jamf.Model))
		}
		blob = append(blob, '\n')
		src := ops.RiskSourceOf(d, marks)
		k := riskKey{nameEnd: nameEnd, rank: d.JSC.Risk.Rank(), source: src, ours: src != "—", scoped: inScope(d)}
		x.keys[i] = k
		if k.scoped {
			x.counts[d.JSC.Risk]++
			x.shown++
		}
	}
	x.starts[n] = len(blob)
	x.blob = string(blob)
	name := func(i int) string { return x.blob[x.starts[i]:x.keys[i].nameEnd] }
	// The name order is sorted once (ties by position, so the sort is
	// stable); the risk order buckets it by level, riskiest first.
	byName := make([]int, n)
	for i := range byName {
		byName[i] = i
	}
	slices.SortFunc(byName, func(a, b int) int {
		if c := strings.Compare(name(a), name(b)); c != 0 {
			return c
		}
		return a - b
	})
	byRisk := make([]int, 0, n)
	for rank := 3; rank >= -1; rank-- {
		for _, i := range byName {
			if r := x.keys[i].rank; r == rank || (rank == -1 && r < 0) {
				byRisk = append(byRisk, i)
			}
		}
	}
	seen := make([]int64, n)
	bySeen := make([]int, n)
	for i := range bySeen {
		bySeen[i], seen[i] = i, fleet[i].JSC.LastSeen.UnixNano()
	}
	slices.SortFunc(bySeen, func(a, b int) int {
		if seen[a] != seen[b] {
			if seen[a] < seen[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	x.orders = [3][]int{byRisk, byName, bySeen}
	return x
}

// filter returns the rows that pass the filters, in the sort order (reversed
// when desc).
func (x *riskIndex) filter(sortCol int, desc bool, q, level, source string) []int {
	order := x.orders[sortCol]
	view := make([]int, 0, len(order))
	var hit []bool
	if q != "" {
		hit = x.search(q)
	}
	n := len(order)
	for j := range n {
		i := order[j]
		if desc {
			i = order[n-1-j]
		}
		k := &x.keys[i]
		if !k.scoped {
			continue
		}
		switch {
		case level == "elevated" && k.rank < 1, level != "" && level != "elevated" && jsc.Level(level).Rank() != k.rank:
			continue
		}
		if (source == "jamfops" && !k.ours) || (source == "other" && k.ours) {
			continue
		}
		if hit != nil && !hit[i] {
			continue
		}
		view = append(view, i)
	}
	return view
}

// search marks the rows whose text contains q, in one pass over the blob.
func (x *riskIndex) search(q string) []bool {
	hit := make([]bool, len(x.keys))
	if strings.ContainsRune(q, '\n') {
		return hit
	}
	off := 0
	for {
		j := strings.Index(x.blob[off:], q)
		if j < 0 {
			return hit
		}
		at := off + j
		// The row holding byte at: the last start at or before it.
		row, _ := slices.BinarySearch(x.starts, at+1)
		row--
		hit[row] = true
		off = x.starts[row+1] // on to the next row
	}
}
