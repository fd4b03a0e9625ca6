package mass

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"strings"

	"github.com/jamfops/jamfops/ops"
)

// Stage orders: which devices go first, into the canary.
const (
	// OrderGiven keeps the targets' order (a group's members by name, a
	// device file's lines).
	OrderGiven = "given"
	// OrderRandom shuffles the targets with a seed recorded in the plan.
	OrderRandom = "random"
)

// ParseStageOrder reads --stage-order: given (default) or random.
func ParseStageOrder(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", OrderGiven:
		return OrderGiven, nil
	case OrderRandom:
		return OrderRandom, nil
	}
	return "", fmt.Errorf("stage order %q: use given or random", s)
}

// newSeed draws a non-zero random seed.
func newSeed() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	s := int64(binary.LittleEndian.Uint64(b[:]) & math.MaxInt64)
	if s == 0 {
		s = 1
	}
	return s
}

// stageOrder returns the order in which the send list fills the stages:
// the pilot group's members first (in the order below), then the others,
// each part shuffled with the seed when the order is random.
func stageOrder(send []int, targets []Target, k Knobs, pilot map[string]bool) []int {
	var first, rest []int
	for _, i := range send {
		if pilot[targets[i].Device.ID] {
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	if k.StageOrder == OrderRandom {
		rng := mrand.New(mrand.NewPCG(uint64(k.Seed), 0x6a616d666f7073))
		rng.Shuffle(len(first), func(a, b int) { first[a], first[b] = first[b], first[a] })
		rng.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
	}
	return append(first, rest...)
}

// StagesText shows the stage sizes for people: "1 → 1" for two devices,
// "3 → 27 → 270".
func StagesText(sizes []int) string {
	parts := make([]string, len(sizes))
	for i, n := range sizes {
		parts[i] = ops.FormatCount(n)
	}
	if len(parts) == 1 {
		return "one stage of " + parts[0]
	}
	return strings.Join(parts, " → ")
}
