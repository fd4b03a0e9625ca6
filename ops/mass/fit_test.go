package mass

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// newMobileEnv is a server with mobile devices only (iPhones, iPads,
// Shared iPads on carts, Apple TVs).
func newMobileEnv(t *testing.T, n int) (env, []ops.Device) {
	t.Helper()
	return newMobileEnvWith(t, jamftest.Options{MobileDevices: n})
}

// newMobileEnvWith is newMobileEnv on a server with the given options (the
// clock and the absence of computers are set here).
func newMobileEnvWith(t *testing.T, opts jamftest.Options) (env, []ops.Device) {
	t.Helper()
	clock := jamftest.NewVirtualClock(t0)
	opts.Clock, opts.Computers = clock, -1
	srv, err := jamftest.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := c.MobileDevices.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	devs := make([]ops.Device, len(list))
	for i, m := range list {
		devs[i] = ops.FromMobileDevice(m)
	}
	audit, _ := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	return env{srv: srv, c: c, clock: clock, dir: t.TempDir(), audit: audit}, devs
}

func TestPreflightSkipsDevicesTheCommandDoesNotFit(t *testing.T) {
	t.Parallel()
	e, devs := newMobileEnv(t, 200)
	k := fast()
	k.AllowDuplicates = true
	shared, other := 0, 0
	for _, d := range devs {
		if DevicePlatform(d) == SharedIPad {
			shared++
		} else {
			other++
		}
	}
	if shared == 0 || other == 0 {
		t.Fatalf("the fleet has %d Shared iPads and %d other devices", shared, other)
	}
	p, pf, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "LOG_OUT_USER"}, Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range p.Targets {
		isShared := DevicePlatform(tg.Device) == SharedIPad
		switch {
		case isShared && tg.Skip != "":
			t.Fatalf("Shared iPad %s skipped: %s", tg.Device.Name, tg.Skip)
		case !isShared && !strings.Contains(tg.Skip, "LOG_OUT_USER is for Shared iPad, not "):
			t.Fatalf("%s (%s) not skipped with the reason: %q", tg.Device.Name, DevicePlatform(tg.Device), tg.Skip)
		}
	}
	if pf.Send != shared {
		t.Fatalf("send %d, want the %d Shared iPads", pf.Send, shared)
	}

	// A command that fits none of the devices is refused outright.
	macs := newEnv(t, jamftest.Options{Computers: 5}, "", "")
	_, _, err = Build(context.Background(), macs.c, Request{Action: Action{Kind: KindCommand, CommandType: "ENABLE_LOST_MODE",
		Fields: map[string]any{"lostModeMessage": "Call IT"}}, Knobs: k, Devices: macs.devices(t, true), Now: t0})
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "fits none") || !strings.Contains(err.Error(), "not macOS") {
		t.Fatalf("lost mode to Macs: %v", err)
	}
	if _, err := ParseAction("CLEAR_PASSCODE"); err == nil {
		t.Fatal("CLEAR_PASSCODE is accepted though it cannot be sent correctly")
	}
	// Parameters for another platform are refused.
	_, _, err = Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "ERASE_DEVICE",
		Fields: map[string]any{"pin": "123456"}}, Knobs: k, Devices: devs, Now: t0})
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "--pin applies to macOS") {
		t.Fatalf("a Mac PIN for mobile devices: %v", err)
	}
}

// TestPreflightSkipsUnsupervisedDevicesForSupervisedCommands: RESTART_DEVICE
// goes to supervised iPhones and iPads only, each unsupervised one skipped
// with the reason, and a job journalled before jamfops knew supervision (no
// "unsupervised" in its records) is not skipped for it.
func TestPreflightSkipsUnsupervisedDevicesForSupervisedCommands(t *testing.T) {
	t.Parallel()
	e, devs := newMobileEnv(t, 200)
	k := fast()
	k.AllowDuplicates = true
	unsupervised := 0
	for _, d := range devs {
		if d.Unsupervised {
			unsupervised++
		}
	}
	if unsupervised == 0 || unsupervised == len(devs) {
		t.Fatalf("%d of %d devices unsupervised", unsupervised, len(devs))
	}
	p, pf, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "RESTART_DEVICE"}, Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range p.Targets {
		want := ""
		if tg.Device.Unsupervised {
			want = "RESTART_DEVICE needs a supervised device, and this " + string(DevicePlatform(tg.Device)) + " is not supervised"
		}
		if tg.Skip != want {
			t.Fatalf("%s (unsupervised %v): skip %q, want %q", tg.Device.Name, tg.Device.Unsupervised, tg.Skip, want)
		}
	}
	if pf.Send != len(devs)-unsupervised {
		t.Fatalf("send %d, want the %d supervised devices", pf.Send, len(devs)-unsupervised)
	}
	// DEVICE_LOCK does not need supervision.
	_, pf, err = Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "DEVICE_LOCK"}, Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	for why := range pf.Skipped {
		if strings.Contains(why, "supervised") {
			t.Fatalf("DEVICE_LOCK skips %d devices: %s", pf.Skipped[why], why)
		}
	}
	// An older journal's device record says nothing of supervision.
	var legacy ops.Device
	if err := json.Unmarshal([]byte(`{"id":"9","name":"Old iPad","managementId":"m9","model":"iPad Air"}`), &legacy); err != nil {
		t.Fatal(err)
	}
	legacy.Kind = jamf.PlatformMobile
	if why := misfit(Action{Kind: KindCommand, CommandType: "RESTART_DEVICE"}, legacy); why != "" {
		t.Fatalf("a record without supervision is skipped: %s", why)
	}
}

func TestFittingCommandsOffersOnlyWhatFits(t *testing.T) {
	t.Parallel()
	mac := ops.Device{Kind: jamf.PlatformComputer, Model: "MacBook Pro"}
	phone := ops.Device{Kind: jamf.PlatformMobile, Model: "iPhone 16"}
	names := func(cs []CommandSpec) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Type)
		}
		return out
	}
	macs := names(FittingCommands([]ops.Device{mac}))
	if slices.Contains(macs, "ENABLE_LOST_MODE") || slices.Contains(macs, "LOG_OUT_USER") || !slices.Contains(macs, "RESTART_DEVICE") {
		t.Fatalf("for Macs: %v", macs)
	}
	phones := names(FittingCommands([]ops.Device{phone}))
	if !slices.Contains(phones, "ENABLE_LOST_MODE") || slices.Contains(phones, "LOG_OUT_USER") {
		t.Fatalf("for iPhones: %v", phones)
	}
	loose := ops.Device{Kind: jamf.PlatformMobile, Model: "iPhone 16", Unsupervised: true}
	unsupervised := names(FittingCommands([]ops.Device{loose, loose}))
	if slices.Contains(unsupervised, "RESTART_DEVICE") || slices.Contains(unsupervised, "ENABLE_LOST_MODE") || !slices.Contains(unsupervised, "DEVICE_LOCK") {
		t.Fatalf("for unsupervised iPhones: %v", unsupervised)
	}
	if both := names(FittingCommands([]ops.Device{loose, phone})); !slices.Contains(both, "RESTART_DEVICE") {
		t.Fatalf("for a supervised and an unsupervised iPhone: %v", both)
	}
}

func TestDuplicateSkip(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 200}, "", "")
	offline := e.devices(t, false)
	// Devices that went dark hold DEVICE_INFORMATION or SECURITY_INFO pending.
	var holding []string
	for _, d := range offline {
		cmds, _, err := e.c.MDM.CommandsForDevices(context.Background(), []string{d.ManagementID})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cmds {
			if c.CommandType == "DEVICE_INFORMATION" && c.CommandState == jamf.StatePending {
				holding = append(holding, d.ID)
				break
			}
		}
	}
	if len(holding) == 0 {
		t.Fatal("no offline device holds DEVICE_INFORMATION pending")
	}
	k := fast()
	k.AllowDuplicates = false
	p, pf, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "DEVICE_INFORMATION"}, Knobs: k, Devices: offline, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, tg := range p.Targets {
		if tg.Skip == DuplicateReason("DEVICE_INFORMATION") {
			skipped = append(skipped, tg.Device.ID)
		}
	}
	slices.Sort(skipped)
	slices.Sort(holding)
	if !slices.Equal(skipped, holding) || pf.Duplicates != len(holding) || pf.Skipped[DuplicateReason("DEVICE_INFORMATION")] != len(holding) {
		t.Fatalf("skipped %v, want %v (preflight %d)", skipped, holding, pf.Duplicates)
	}
	k.AllowDuplicates = true
	_, pf, err = Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "DEVICE_INFORMATION"}, Knobs: k, Devices: offline, Now: t0})
	if err != nil || pf.Duplicates != 0 || pf.Send != len(offline) {
		t.Fatalf("with duplicates allowed: %v, %+v", err, pf)
	}
}

func TestTinyTargetsHaveNoEmptyStages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 40}, "", "")
	devs := e.devices(t, true)[:2]
	k := DefaultKnobs()
	p, pf, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindBlankPush}, Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pf.StageSizes, []int{1, 1}) || p.Stages != 2 || StagesText(pf.StageSizes) != "1 → 1" {
		t.Fatalf("stages %v (%d), %q", pf.StageSizes, p.Stages, StagesText(pf.StageSizes))
	}
}

func TestSeededRandomCanaryIsStableAcrossResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 300}, "", "")
	devs := e.devices(t, true)
	k := fast()
	k.Stages, k.StageOrder, k.Seed = []Stage{{Share: 0.05}, {Share: 1}}, OrderRandom, 42
	a := Action{Kind: KindCommand, CommandType: "DEVICE_INFORMATION"}
	p, pf, err := Build(context.Background(), e.c, Request{Action: a, Knobs: k, Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	canary := func(p *Plan) []string {
		var out []string
		for _, tg := range p.Targets {
			if tg.Stage == 0 && tg.Skip == "" {
				out = append(out, tg.Device.ID)
			}
		}
		return out
	}
	first := canary(p)
	var given []string
	for _, d := range devs[:len(first)] {
		given = append(given, d.ID)
	}
	if slices.Equal(first, given) || len(pf.FirstStage) != len(first) {
		t.Fatalf("the random canary %v is the first devices by name, or the preflight shows %v", first, pf.FirstStage)
	}
	// The same seed gives the same canary.
	p2, _, _ := Build(context.Background(), e.c, Request{Action: a, Knobs: k, Devices: devs, Now: t0})
	if !slices.Equal(canary(p2), first) {
		t.Fatal("the same seed gave another canary")
	}
	// Run until the hold, then resume from the journal: the canary is the one sent first.
	j, err := CreateJournal(e.dir, p)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(e.c, j, e.audit)
	r.HoldReturns = true
	_, st, _ := ReadJournal(j.Path())
	if _, err := r.Run(context.Background(), p, st); !errors.Is(err, ErrHeld) {
		t.Fatalf("run: %v", err)
	}
	j.Close()
	j2, p3, st3, err := OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if p3.Knobs.Seed != 42 || p3.Knobs.StageOrder != OrderRandom || !slices.Equal(canary(p3), first) {
		t.Fatalf("resumed plan: seed %d order %q canary %v", p3.Knobs.Seed, p3.Knobs.StageOrder, canary(p3))
	}
	var sent []string
	for _, rec := range e.srv.Log().Commands() {
		for _, d := range devs {
			if d.ManagementID == rec.ManagementID {
				sent = append(sent, d.ID)
			}
		}
	}
	slices.Sort(sent)
	want := slices.Clone(first)
	slices.Sort(want)
	if !slices.Equal(sent, want) {
		t.Fatalf("sent to %v before the hold, want the canary %v", sent, want)
	}
	_ = j2.RecordGoAhead(st3.Held)
	st3.Passed[st3.Held], st3.Held = true, -1
	r2 := NewRunner(e.c, j2, e.audit)
	r2.HoldReturns = true
	if _, err := r2.Run(context.Background(), p3, st3); err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if n := e.srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION"); n != 1 {
			t.Fatalf("%s got DEVICE_INFORMATION %d times", d.ID, n)
		}
	}
	// Without a seed, one is drawn and recorded.
	k.Seed = 0
	p4, _, _ := Build(context.Background(), e.c, Request{Action: a, Knobs: k, Devices: devs, Now: t0.Add(time.Second)})
	if p4.Knobs.Seed == 0 {
		t.Fatal("a random order without a seed recorded none")
	}
}

func TestCanaryGroupGoesFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 100}, "", "")
	devs := e.devices(t, true)
	pilot := []string{devs[len(devs)-1].ID, devs[len(devs)-2].ID}
	k := fast()
	k.Stages, k.CanaryGroup = []Stage{{Count: 2}, {Share: 1}}, "Pilot"
	p, pf, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindBlankPush}, Knobs: k, Devices: devs, Now: t0, Pilot: pilot})
	if err != nil {
		t.Fatal(err)
	}
	var first []string
	for _, tg := range p.Targets {
		if tg.Stage == 0 {
			first = append(first, tg.Device.ID)
		}
	}
	slices.Sort(first)
	slices.Sort(pilot)
	if !slices.Equal(first, pilot) || len(pf.FirstStage) != 2 {
		t.Fatalf("first stage %v, want the pilot %v (preflight %v)", first, pilot, pf.FirstStage)
	}
}
