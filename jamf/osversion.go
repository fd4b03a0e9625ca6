package jamf

import (
	"fmt"
	"strconv"
	"strings"
)

// OSVersion is an Apple OS version such as 26.1 or 15.7.2. A missing patch
// number reads as 0, so 26.1 and 26.1.0 are equal.
type OSVersion struct {
	Major, Minor, Patch int
	// Parts is how many numbers the text had (2 or 3), to print it back.
	Parts int
}

// ParseOSVersion reads "X.Y" or "X.Y.Z" (decimal numbers, no sign, no
// leading or trailing text).
func ParseOSVersion(s string) (OSVersion, error) {
	fields := strings.Split(s, ".")
	if len(fields) < 2 || len(fields) > 3 {
		return OSVersion{}, fmt.Errorf("OS version %q is not X.Y or X.Y.Z", s)
	}
	var n [3]int
	for i, f := range fields {
		if f == "" || len(f) > 4 || strings.TrimLeft(f, "0123456789") != "" {
			return OSVersion{}, fmt.Errorf("OS version %q is not X.Y or X.Y.Z", s)
		}
		n[i], _ = strconv.Atoi(f)
	}
	if n[0] == 0 {
		return OSVersion{}, fmt.Errorf("OS version %q has no major number", s)
	}
	return OSVersion{Major: n[0], Minor: n[1], Patch: n[2], Parts: len(fields)}, nil
}

// Compare returns -1, 0 or +1 as v is older than, the same as or newer than w.
func (v OSVersion) Compare(w OSVersion) int {
	for _, d := range [3]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		switch {
		case d < 0:
			return -1
		case d > 0:
			return 1
		}
	}
	return 0
}

// IsZero reports whether v is the zero value (no version).
func (v OSVersion) IsZero() bool { return v.Major == 0 }

// String prints the version as it was written ("26.1", "15.7.2").
func (v OSVersion) String() string {
	if v.IsZero() {
		return ""
	}
	if v.Parts == 3 || v.Patch != 0 {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}
