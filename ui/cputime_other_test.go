//go:build !unix

package ui

import "time"

// cpuTime is not measured here: tests fall back to wall time.
func cpuTime() (time.Duration, bool) { return 0, false }
