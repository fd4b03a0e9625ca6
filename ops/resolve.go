package ops

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jamfops/jamfops/jamf"
)

// resolveLimit is how many candidates a device reference looks at.
const resolveLimit = 20

// Resolution is the device a reference names.
type Resolution struct {
	SearchMatch
	// Also are devices the reference names as well that a rule set aside:
	// a bare inventory ID is a computer's unless the kind says mobile, so
	// mobile device 12 is set aside for "12".
	Also []SearchMatch
}

// DeviceMatchError is a device reference that names no device, or several:
// Candidates lists them (best first; More when there are others).
type DeviceMatchError struct {
	Ref        string
	Candidates []SearchMatch
	More       bool
}

func (e *DeviceMatchError) Error() string {
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("no device matches %q", e.Ref)
	}
	n := strconv.Itoa(len(e.Candidates))
	if e.More {
		n = "more than " + n
	}
	return fmt.Sprintf("%q matches %s devices", e.Ref, n)
}

// ResolveDevice picks the one device a reference names. The reference is
// whatever SearchDevices accepts (serial number, name, user name, email,
// full name, UDID, management ID, asset tag, inventory ID): a unique exact
// match wins; without one, a unique match of any rank; otherwise a
// *DeviceMatchError lists the candidates (the exact ones when there are
// several, else all), or none. A bare number matching a computer's and a
// mobile device's inventory ID names the computer (kind mobile names the
// other); the mobile one is returned in Also.
func ResolveDevice(ctx context.Context, c *jamf.Client, ref string, kind jamf.Platform) (Resolution, error) {
	ref = strings.TrimSpace(ref)
	res, err := SearchDevices(ctx, c, ref, SearchOptions{Kind: kind, Limit: resolveLimit})
	if err != nil {
		return Resolution{}, err
	}
	var exact []SearchMatch
	for _, m := range res.Matches {
		if m.Rank == RankExact {
			exact = append(exact, m)
		}
	}
	if len(exact) == 2 && exact[0].Field == "id" && exact[1].Field == "id" && exact[0].Kind != exact[1].Kind {
		comp, mob := exact[0], exact[1]
		if comp.Kind != jamf.PlatformComputer {
			comp, mob = mob, comp
		}
		return Resolution{SearchMatch: comp, Also: []SearchMatch{mob}}, nil
	}
	switch {
	case len(exact) == 1:
		return Resolution{SearchMatch: exact[0]}, nil
	case len(exact) > 1:
		return Resolution{}, &DeviceMatchError{Ref: ref, Candidates: exact, More: res.More && len(exact) == len(res.Matches)}
	case len(res.Matches) == 1 && !res.More:
		return Resolution{SearchMatch: res.Matches[0]}, nil
	}
	return Resolution{}, &DeviceMatchError{Ref: ref, Candidates: res.Matches, More: res.More}
}
