package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops/mass"
)

// TestPlanFormFitsTheSelectionAndRemembersItsKnobs: for Macs the form
// offers no Lost Mode or Shared iPad log-out; parameters reach the
// preflight and the confirmation; the knobs are kept for the next plan.
func TestPlanFormFitsTheSelectionAndRemembersItsKnobs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := planFor(t, f)
	var offered []string
	for range 30 {
		v := topOf(m).(planModel).fields[fAction].value
		if slices.Contains(offered, v) {
			break
		}
		offered = append(offered, v)
		m = press(t, m, "l")
	}
	if slices.Contains(offered, "ENABLE_LOST_MODE") || slices.Contains(offered, "LOG_OUT_USER") || !slices.Contains(offered, "DEVICE_LOCK") {
		t.Fatalf("offered for Macs: %v", offered)
	}
	for topOf(m).(planModel).fields[fAction].value != "DEVICE_LOCK" {
		m = press(t, m, "l")
	}
	m = setField(t, m, fParams, "message=Call IT; phone=555 0100")
	m = setField(t, m, fBatch, "25")
	m = setField(t, m, fSkipOffline, "0")
	m = press(t, m, "P")
	view := screenText(m, f.srv)
	if !strings.Contains(view, `parameters: message "Call IT", phone "555 0100"`) || !strings.Contains(view, "stages 3 → 27 → 270") {
		t.Fatalf("preflight:\n%s", view)
	}
	m = press(t, m, "S")
	if view := screenText(m, f.srv); !strings.Contains(view, `DEVICE_LOCK (message "Call IT", phone "555 0100") is destructive (group All Managed Clients)`) {
		t.Fatalf("confirmation:\n%s", view)
	}
	m = press(t, m, "esc", "esc", "M")
	p := topOf(m).(planModel)
	if p.fields[fBatch].value != "25" || p.fields[fAction].value != "DEVICE_LOCK" || !strings.Contains(p.fields[fParams].value, "Call IT") {
		t.Fatalf("the form forgot its knobs: batch %q action %q", p.fields[fBatch].value, p.fields[fAction].value)
	}
	// A missing Lost Mode message is refused before anything is read.
	m = setField(t, m, fParams, "pin=12")
	m = press(t, m, "P")
	if view := screenText(m, f.srv); !strings.Contains(view, "six digits") {
		t.Fatalf("a short PIN:\n%s", view)
	}
}

// TestPlanFormStagesASoftwareUpdate: the form offers software-update,
// refuses a bad version before any request, and plans one plan per
// eligible device with the preflight's skips.
func TestPlanFormStagesASoftwareUpdate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{}, "", "")
	m := planFor(t, f)
	for i := 0; topOf(m).(planModel).fields[fAction].value != softwareUpdate; i++ {
		if i > 40 {
			t.Fatal("the form does not offer software-update")
		}
		m = press(t, m, "l")
	}
	before := f.srv.Log().TotalRequests()
	m = setField(t, m, fParams, "version=26.x")
	m = press(t, m, "P")
	if view := screenText(m, f.srv); !strings.Contains(view, "26.x") || f.srv.Log().TotalRequests() != before {
		t.Fatalf("a bad version was not refused before any request:\n%s", view)
	}
	m = setField(t, m, fParams, "version=latest-any; share=80%")
	m = setField(t, m, fSkipOffline, "0")
	m = press(t, m, "P")
	p := topOf(m).(planModel)
	if p.err != nil || p.plan == nil || p.plan.Action.Kind != mass.KindSoftwareUpdate || p.plan.Action.Update.Share != 0.8 {
		t.Fatalf("preflight: %v %+v\n%s", p.err, p.plan, screenText(m, f.srv))
	}
	if len(f.srv.Log().Plans()) != 0 {
		t.Fatal("the preflight created plans")
	}
}

// TestPlanFormCanaryGroupMistakes: a canary group on a plan with no
// devices is refused without a crash, and a group of the other platform
// is named as such (as the CLI says), not as "no group matches".
func TestPlanFormCanaryGroupMistakes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, jamftest.Options{Computers: 10, MobileDevices: 5}, "", "")
	m := start(t, f.deps, 120, 40)
	m = drive(t, m, navigate(navigateMsg{to: screenPlan, devices: nil, label: "nothing"}))
	for topOf(m).(planModel).fields[fAction].value != "software-update" {
		m = press(t, m, "l")
	}
	m = setField(t, m, fParams, "version=latest-minor")
	m = setField(t, m, fCanary, "Executive iPhones")
	m = press(t, m, "P")
	if err := topOf(m).(planModel).err; err == nil || !strings.Contains(err.Error(), "no target devices") {
		t.Fatalf("no devices with a canary group: %v", err)
	}
	m = planFor(t, f)
	m = setField(t, m, fCanary, "Executive iPhones")
	m = press(t, m, "P")
	if err := topOf(m).(planModel).err; err == nil || !strings.Contains(err.Error(), `"Executive iPhones" is a mobile device group; this job targets computers`) {
		t.Fatalf("a mobile canary group for Macs: %v", err)
	}
}
