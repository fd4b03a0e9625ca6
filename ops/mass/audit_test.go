package mass

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
)

// TestMassAuditNamesDevicesBySerial: a job run from its journal (where a
// device's kind is not stored) still records "computer/ID", the kind, the
// serial and the job's parameters, so the entry is found by serial.
func TestMassAuditNamesDevicesBySerial(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 40}, "", "")
	devs := e.devices(t, true)
	a, err := ParseAction("RESTART_DEVICE")
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := Build(context.Background(), e.c, Request{Server: "test", Label: "test", Action: a, Knobs: fast(), Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	j, err := CreateJournal(e.dir, p)
	if err != nil {
		t.Fatal(err)
	}
	stored, st, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewRunner(e.c, j, e.audit).Run(context.Background(), stored, st); err != nil {
		t.Fatal(err)
	}
	entries, _, _ := e.audit.Read()
	if len(entries) == 0 {
		t.Fatal("no audit entries")
	}
	found := 0
	for _, en := range entries {
		if en.Params["jobId"] != p.ID || en.Params["commandType"] != "RESTART_DEVICE" {
			t.Fatalf("params %+v", en.Params)
		}
		for _, tg := range en.Targets {
			if tg.Kind != "computer" || tg.Device != "computer/"+tg.ID || tg.Serial == "" || tg.Name == "" {
				t.Fatalf("target %+v", tg)
			}
		}
		if ops.AuditMatches(en, strings.ToLower(devs[0].Serial)) {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("the serial %s is in %d entries, want 1", devs[0].Serial, found)
	}
}

// TestRiskAuditCarriesLevels: each risk entry names the device by serial
// and records the level before (from the plan) and the level asked.
func TestRiskAuditCarriesLevels(t *testing.T) {
	t.Parallel()
	rs := jsctest.NewServer(jsctest.Options{Devices: []jsctest.ExternalDevice{{UDID: "0000AAAA-000001", Name: "Mac one", OSType: "MAC_OS"}}})
	t.Cleanup(rs.Close)
	rc, _ := jsc.NewClient(rs.URL, jsctest.DemoAppID, jsctest.DemoAppSecret)
	list, err := rc.ListDevices(context.Background(), nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("%v %d", err, len(list))
	}
	before := list[0].Risk
	fleet := ops.JoinRisk(list, nil)
	fleet[0].Jamf = &ops.Device{ID: "7", Name: "Mac one", Serial: "C02TESTSERIAL", Kind: "computer"}
	p, _, err := BuildRisk(rc, RiskRequest{Server: rs.URL, Label: "test", Level: jsc.High, Reason: "drill", Knobs: RiskKnobs(), Devices: fleet})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	j, _ := CreateJournal(dir, p)
	stored, st, _ := ReadJournal(j.Path())
	audit, _ := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	r := NewRunner(nil, j, audit)
	r.JSC = rc
	if _, err := r.Run(context.Background(), stored, st); err != nil {
		t.Fatal(err)
	}
	entries, _, _ := audit.Read()
	if len(entries) != 1 {
		t.Fatalf("%d entries", len(entries))
	}
	tg := entries[0].Targets[0]
	if tg.Kind != "jsc" || tg.ID != list[0].ID || tg.Device != "jsc/"+list[0].ID || tg.Serial != "C02TESTSERIAL" || tg.Name != "Mac one" ||
		tg.Before != string(before) || tg.After != "HIGH" || before == "" {
		t.Fatalf("target %+v (before %q)", tg, before)
	}
	if entries[0].Params["jobId"] != p.ID || !ops.AuditMatches(entries[0], "c02testserial") {
		t.Fatalf("entry %+v", entries[0])
	}
}
