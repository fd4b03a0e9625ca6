package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// noCacheLookups is how many devices a change looks up one by one when no
// risk cache says how large the tenant is: up to 100 lookups (1 % of a
// day's budget); more, and the tenant is listed once (and cached), since a
// listing of a tenant holding them costs at least one request per 100.
const noCacheLookups = 100

// riskCacheDir is where risk snapshots live.
func riskCacheDir(env *Env) (string, error) {
	if env.CacheDir != "" {
		return env.CacheDir, nil
	}
	return ops.RiskCacheDir()
}

// riskDataDir is where the shared day count lives.
func riskDataDir(env *Env) (string, error) {
	if env.DataDir != "" {
		return env.DataDir, nil
	}
	return ops.DataDir()
}

// loadSnapshot reads the tenant's risk cache; nil when there is none (or
// it is unreadable: it is only a cache).
func (s *riskSession) loadSnapshot() *ops.RiskSnapshot {
	if s.snapPath == "" {
		return nil
	}
	snap, err := ops.LoadRiskSnapshot(s.snapPath, s.server, s.jsc.AppID())
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(s.stderr, "note: %s; reading JSC afresh\n", ops.Clean(err.Error()))
		}
		return nil
	}
	return snap
}

// saveSnapshot writes a full listing to the cache; a failure is a note.
func (s *riskSession) saveSnapshot(snap *ops.RiskSnapshot) {
	if s.snapPath == "" || snap == nil {
		return
	}
	if err := ops.SaveRiskSnapshot(s.snapPath, snap); err != nil {
		fmt.Fprintf(s.stderr, "note: the risk cache was not saved: %s\n", ops.Clean(err.Error()))
	}
}

// listTenant reads every JSC device (one request per 100) and caches them.
func (s *riskSession) listTenant(ctx context.Context) ([]jsc.Device, error) {
	devs, err := s.jsc.ListDevices(ctx, nil)
	if err != nil {
		return nil, err
	}
	s.saveSnapshot(ops.NewRiskSnapshot(s.server, s.jsc.AppID(), time.Now(), devs))
	return devs, nil
}

// oneByOne decides whether n devices are read one request each rather
// than by listing the tenant: yes while that costs no more requests than a
// listing of the cached tenant size, or, with no cache, up to
// noCacheLookups devices.
func oneByOne(n int, snap *ops.RiskSnapshot) bool {
	if snap != nil {
		return n <= snap.Pages()
	}
	return n <= noCacheLookups
}

// readBack reads the current level of the devices a change touched: one
// request each, or one listing when that is cheaper (see oneByOne). It
// returns the levels by JSC ID and updates the cache with them.
func (s *riskSession) readBack(ctx context.Context, devices []ops.RiskDevice) (map[string]jsc.Level, error) {
	after := map[string]jsc.Level{}
	if len(devices) == 0 {
		return after, nil
	}
	snap := s.loadSnapshot()
	if !oneByOne(len(devices), snap) {
		devs, err := s.listTenant(ctx)
		if err != nil {
			return after, err
		}
		for _, d := range devs {
			after[d.ID] = d.Risk
		}
		return after, nil
	}
	now, ok, err := ops.ReadBackRisk(ctx, s.jsc, devices)
	var fresh []jsc.Device
	for i, d := range now {
		if ok[i] {
			after[d.JSC.ID] = d.JSC.Risk
			fresh = append(fresh, d.JSC)
		}
	}
	if snap != nil && len(fresh) > 0 {
		snap.Update(fresh)
		s.saveSnapshot(snap)
	}
	return after, err
}

// riskTargets resolves device references (Jamf Pro filtered lookups, then
// one JSC lookup each: never a tenant listing), or a Jamf Pro group's
// members: looked up one by one, or found in one listing of the tenant
// when the group is larger than the listing's page count (see oneByOne).
func riskTargets(ctx context.Context, s *riskSession, refs []string, f *riskFlags) ([]ops.RiskDevice, error) {
	if f.group == "" {
		return ops.LookupRisk(ctx, s.jsc, s.jamf, refs)
	}
	if s.jamf == nil {
		return nil, errors.New("--group needs a Jamf Pro connection (JAMF_URL and credentials, or a profile)")
	}
	kind, err := parseKind(f.kind)
	if err != nil {
		return nil, err
	}
	groups, _, err := s.jamf.Groups.List(ctx, nil)
	if err != nil {
		return nil, err
	}
	g, err := ops.FindGroup(ops.Summarise(groups), f.group, kind)
	if err != nil {
		return nil, err
	}
	members, err := ops.GroupMembers(ctx, s.jamf, g)
	if err != nil {
		return nil, err
	}
	var out []ops.RiskDevice
	if oneByOne(len(members), s.loadSnapshot()) {
		out, _, err = ops.LookupRiskByUDID(ctx, s.jsc, members)
		if err != nil {
			return nil, err
		}
	} else {
		fmt.Fprintf(s.stderr, "The group has %d members: listing the JSC tenant once costs fewer requests than looking each up.\n", len(members))
		devs, err := s.listTenant(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range ops.JoinRisk(devs, members) {
			if d.Jamf != nil {
				out = append(out, d)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("none of the %d members of %q is enrolled in JSC", len(members), g.Name)
	}
	return out, nil
}

// riskListFleet is what risk list shows: the cache when --max-age allows,
// else a fresh listing (cached for next time), joined with Jamf Pro.
func riskListFleet(ctx context.Context, s *riskSession, maxAge time.Duration) (fleet []ops.RiskDevice, asOf string, err error) {
	snap := s.loadSnapshot()
	if maxAge > 0 && snap != nil && snap.Age(time.Now()) <= maxAge {
		var jamfDevices []ops.Device
		if s.jamf != nil {
			if jamfDevices, err = ops.JamfFleet(ctx, s.jamf); err != nil {
				return nil, "", err
			}
		}
		return ops.JoinRisk(snap.JSCDevices(), jamfDevices), ops.RiskAsOf(snap.Taken, time.Now()), nil
	}
	if snap != nil {
		if w := ops.RiskBudgetWarning(s.jsc.Budget(), snap.Pages()); w != "" {
			fmt.Fprintf(s.stderr, "warning: listing every JSC device: %s (accept the cache with --max-age)\n", w)
		}
	}
	taken := time.Now()
	if fleet, err = ops.LoadRiskFleet(ctx, s.jsc, s.jamf); err != nil {
		return nil, "", err
	}
	devs := make([]jsc.Device, len(fleet))
	for i, d := range fleet {
		devs[i] = d.JSC
	}
	s.saveSnapshot(ops.NewRiskSnapshot(s.server, s.jsc.AppID(), taken, devs))
	return fleet, "", nil
}

// marks reads what jamfops set on this tenant, for SOURCE.
func (s *riskSession) marks() map[string]ops.RiskMark {
	entries, _, err := s.audit.Read()
	if err != nil {
		return nil
	}
	return ops.RiskMarks(entries, s.server)
}

// changeNeeds is about how many Risk API requests a change of targets
// still needs once they are found: the override batches and a read-back.
func changeNeeds(targets, batch int, snap *ops.RiskSnapshot) int {
	read := targets
	if !oneByOne(targets, snap) {
		read = snap.Pages()
	}
	return (targets+batch-1)/batch + read
}
