package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// bigRiskFleet is n JSC devices, nine in ten matched to Jamf Pro.
func bigRiskFleet(n int) []ops.RiskDevice {
	levels := jsc.Levels()
	out := make([]ops.RiskDevice, n)
	for i := range out {
		seen := t0.Add(-time.Duration(i%5000) * time.Minute)
		d := ops.RiskDevice{JSC: jsc.Device{ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), ExternalID: fmt.Sprintf("udid-%d", i),
			Risk: levels[(i*7)%4], Name: fmt.Sprintf("jsc-%06d", i), UserName: "bob.brown", LastSeen: seen}}
		if i%10 != 0 {
			d.Jamf = &ops.Device{ID: fmt.Sprint(i + 1), Name: fmt.Sprintf("ENG-MBP-%06d", i), Serial: fmt.Sprintf("C02X%06d", i),
				UDID: fmt.Sprintf("udid-%d", i), Model: "MacBook Pro (14-inch, M3 Pro, 2023)", User: "alice.anderson", LastCheckIn: &seen, Kind: jamf.PlatformComputer}
		}
		out[i] = d
	}
	return out
}

// split returns the JSC listing and the Jamf Pro fleet of a joined fleet.
func split(fleet []ops.RiskDevice) ([]jsc.Device, []ops.Device) {
	var j []jsc.Device
	var p []ops.Device
	for _, d := range fleet {
		j = append(j, d.JSC)
		if d.Jamf != nil {
			p = append(p, *d.Jamf)
		}
	}
	return j, p
}

// bigRisk builds a risk screen holding n devices, as after a load.
func bigRisk(n int) riskModel {
	c := &common{styles: newStyles(true, ""), deps: Deps{Now: func() time.Time { return t0 }}, width: 160, height: 45, tags: &tagSource{}}
	m := newRiskModel(c, nil, "")
	m.req = 7
	j, p := split(bigRiskFleet(n))
	m.jamfDevices = p
	m, _ = m.Update(riskLoadedMsg{req: 7, devices: j})
	m.setSize(160, 42)
	return m
}

// BenchmarkRiskLoad138k is what a load of 138,000 devices costs the
// screen (joined with Jamf Pro, keys and sort orders computed, first view
// built).
func BenchmarkRiskLoad138k(b *testing.B) {
	j, p := split(bigRiskFleet(138_000))
	c := &common{styles: newStyles(true, ""), deps: Deps{Now: func() time.Time { return t0 }}, width: 160, height: 45, tags: &tagSource{}}
	b.ReportAllocs()
	for b.Loop() {
		m := newRiskModel(c, nil, "")
		m.req = 7
		m.jamfDevices = p
		m, _ = m.Update(riskLoadedMsg{req: 7, devices: j})
	}
}

// BenchmarkRiskFilter138k is one filter keystroke on 138,000 devices.
func BenchmarkRiskFilter138k(b *testing.B) {
	m := bigRisk(138_000)
	m.filter.input.SetValue("mbp-0004")
	b.ReportAllocs()
	for b.Loop() {
		m.rebuild()
	}
}

// BenchmarkRiskSort138k is one sort change (s) on 138,000 devices.
func BenchmarkRiskSort138k(b *testing.B) {
	m := bigRisk(138_000)
	b.ReportAllocs()
	for b.Loop() {
		m.sortCol = (m.sortCol + 1) % 3
		m.rebuild()
	}
}
