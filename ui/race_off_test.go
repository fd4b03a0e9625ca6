//go:build !race

package ui

// raceEnabled: the race detector slows code several times, so timing
// tests only report.
const raceEnabled = false
