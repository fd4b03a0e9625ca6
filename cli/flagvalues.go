package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// shareValue is a flag holding a share: "0.2" or "20%" both mean 0.2.
// NaN and infinities are refused when parsed; the range is the caller's.
type shareValue float64

func (v *shareValue) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }

func (v *shareValue) Set(s string) error {
	s = strings.TrimSpace(s)
	num, pct := strings.CutSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%q is not a share: use a number between 0 and 1 (0.2) or a percentage (20%%)", s)
	}
	if pct {
		f /= 100
	}
	*v = shareValue(f)
	return nil
}

func (v *shareValue) Type() string { return "share" }
