package ops

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
)

// uuidLike matches the 36-character form of JSC device IDs and Mac UDIDs.
var uuidLike = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// LookupRisk resolves the named devices without listing the JSC tenant: a
// reference is first resolved on Jamf Pro (when jc is given) by a filtered
// inventory query (serial number, UDID, management ID, exact name, or an
// inventory ID), then looked up on JSC by its external ID (the lowercase
// UDID). A reference that Jamf Pro does not know but that looks like a JSC
// device ID or an external ID is looked up on JSC directly (guid, then
// externalId). Each device costs one Risk API request (plus the login).
// Problems (unknown, ambiguous, not enrolled in JSC) are reported together.
func LookupRisk(ctx context.Context, rc *jsc.Client, jc *jamf.Client, refs []string) ([]RiskDevice, error) {
	var out []RiskDevice
	seen := map[string]bool{}
	var problems []string
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		d, err := lookupOne(ctx, rc, jc, ref)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var nf *riskNotFound
			if !errors.As(err, &nf) {
				return nil, err
			}
			problems = append(problems, err.Error())
			continue
		}
		if !seen[d.JSC.ID] {
			seen[d.JSC.ID] = true
			out = append(out, d)
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return out, nil
}

// riskNotFound is a reference that names no device, or several, or one
// that JSC does not know: a problem with the input, not with the servers.
type riskNotFound struct{ msg string }

func (e *riskNotFound) Error() string { return e.msg }

func lookupOne(ctx context.Context, rc *jsc.Client, jc *jamf.Client, ref string) (RiskDevice, error) {
	if jc != nil {
		dev, err := FindDevice(ctx, jc, ref, "")
		switch {
		case err == nil:
			list, err := rc.ListDevices(ctx, &jsc.ListOptions{ExternalID: strings.ToLower(dev.UDID)})
			if err != nil {
				return RiskDevice{}, err
			}
			if len(list) == 0 {
				return RiskDevice{}, &riskNotFound{fmt.Sprintf("%q is %s (serial %s) on Jamf Pro, but JSC has no device with its UDID: it is not enrolled in JSC", ref, Clean(dev.Name), orNone(dev.Serial))}
			}
			return RiskDevice{JSC: list[0], Jamf: &dev}, nil
		case isResolveMiss(err) && !uuidLike.MatchString(ref):
			return RiskDevice{}, &riskNotFound{Clean(err.Error())}
		case !isResolveMiss(err):
			return RiskDevice{}, err
		}
	}
	if !uuidLike.MatchString(ref) {
		return RiskDevice{}, &riskNotFound{fmt.Sprintf("%q: without a Jamf Pro connection a device is named by its JSC ID or UDID", ref)}
	}
	for _, opts := range []*jsc.ListOptions{{ID: ref}, {ExternalID: strings.ToLower(ref)}} {
		list, err := rc.ListDevices(ctx, opts)
		if err != nil {
			return RiskDevice{}, err
		}
		if len(list) > 0 {
			return RiskDevice{JSC: list[0]}, nil
		}
	}
	return RiskDevice{}, &riskNotFound{fmt.Sprintf("%q matches no JSC device", ref)}
}

// isResolveMiss reports whether FindDevice failed because of the reference
// (no match, several matches) rather than the server.
func isResolveMiss(err error) bool {
	var er *jamf.ErrorResponse
	if errors.As(err, &er) {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "no device matches") || strings.Contains(msg, "matches ") || strings.Contains(msg, "no device given")
}

// ReadBackRisk reads the current level of each device again, one Risk API
// request per device (by its JSC ID), and returns them in the same order.
// A device JSC no longer lists keeps its old record with ok false.
func ReadBackRisk(ctx context.Context, rc *jsc.Client, devices []RiskDevice) ([]RiskDevice, []bool, error) {
	out := make([]RiskDevice, len(devices))
	ok := make([]bool, len(devices))
	for i, d := range devices {
		out[i] = d
		list, err := rc.ListDevices(ctx, &jsc.ListOptions{ID: d.JSC.ID})
		if err != nil {
			return out, ok, err
		}
		if len(list) > 0 {
			out[i].JSC, ok[i] = list[0], true
		}
	}
	return out, ok, nil
}

// LookupRiskByUDID looks Jamf Pro devices up on JSC by their UDIDs (the
// external ID, lowercase), one Risk API request each, in order. Devices JSC
// does not know are left out and counted in missing.
func LookupRiskByUDID(ctx context.Context, rc *jsc.Client, devices []Device) (out []RiskDevice, missing int, err error) {
	seen := map[string]bool{}
	for i := range devices {
		d := &devices[i]
		if d.UDID == "" {
			missing++
			continue
		}
		list, err := rc.ListDevices(ctx, &jsc.ListOptions{ExternalID: strings.ToLower(d.UDID)})
		if err != nil {
			return nil, 0, err
		}
		if len(list) == 0 {
			missing++
			continue
		}
		if !seen[list[0].ID] {
			seen[list[0].ID] = true
			out = append(out, RiskDevice{JSC: list[0], Jamf: d})
		}
	}
	return out, missing, nil
}
