package ops_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

func newActor(t *testing.T, c *jamf.Client) (ops.Actor, *ops.AuditLog) {
	t.Helper()
	log, err := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return ops.Actor{Client: c, Audit: log, Server: "test"}, log
}

// TestSendCommandToDeviceRefusesADuplicate: a command type already pending
// on the device is refused with the pending ones listed, unless allowed.
func TestSendCommandToDeviceRefusesADuplicate(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{}, "", "")
	ctx := t.Context()
	a, log := newActor(t, c)
	d := offlineComputer(t, c)
	entries, _, err := ops.DeviceCommands(ctx, c, d)
	if err != nil {
		t.Fatal(err)
	}
	typ, classic := "", ""
	for _, ty := range [][2]string{{"DEVICE_INFORMATION", "DeviceInformation"}, {"SECURITY_INFO", "SecurityInfo"}, {"PROFILE_LIST", "ProfileList"}, {"CERTIFICATE_LIST", "CertificateList"}} {
		if len(ops.AlreadyPending(entries, ty[0])) == 0 {
			typ, classic = ty[0], ty[1]
			break
		}
	}
	if typ == "" {
		t.Fatal("the test device has every candidate command pending")
	}
	before := srv.Log().CommandCount(d.ManagementID, typ)
	uuid, err := a.SendCommandToDevice(ctx, d, jamf.CommandData{CommandType: typ}, false)
	if err != nil || uuid == "" {
		t.Fatalf("first send: %q, %v", uuid, err)
	}
	_, err = a.SendCommandToDevice(ctx, d, jamf.CommandData{CommandType: typ}, false)
	var dup *ops.DuplicateCommandError
	if !errors.As(err, &dup) || len(dup.Pending) != 1 || dup.Pending[0].UUID != uuid || dup.CommandType != typ {
		t.Fatalf("second send: %v (%+v)", err, dup)
	}
	if !strings.Contains(err.Error(), "already pending") || !strings.Contains(err.Error(), uuid) {
		t.Fatalf("error text %q", err)
	}
	if n := srv.Log().CommandCount(d.ManagementID, typ) - before; n != 1 {
		t.Fatalf("%d commands reached the server after a refused duplicate, want 1", n)
	}
	// The Classic spelling is the same command.
	if _, err := a.SendCommandToDevice(ctx, d, jamf.CommandData{CommandType: classic}, false); !errors.As(err, &dup) {
		t.Fatalf("Classic spelling: %v", err)
	}
	if _, err := a.SendCommandToDevice(ctx, d, jamf.CommandData{CommandType: typ}, true); err != nil {
		t.Fatalf("allowed duplicate: %v", err)
	}
	if n := srv.Log().CommandCount(d.ManagementID, typ) - before; n != 2 {
		t.Fatalf("%d commands after an allowed duplicate, want 2", n)
	}
	// Two sends recorded (the refusals were not writes), findable by serial.
	got, _, _ := log.Read()
	if len(got) != 2 {
		t.Fatalf("%d audit entries, want 2: %+v", len(got), got)
	}
	e := got[0]
	tg := e.Targets[0]
	if tg.Kind != "computer" || tg.ID != d.ID || tg.Serial != d.Serial || tg.Device != "computer/"+d.ID || tg.Outcome != "ok" {
		t.Fatalf("target %+v", tg)
	}
	if e.Params["commandType"] != typ || e.Params["uuid"] == "" || e.Params["duplicateAllowed"] != true {
		t.Fatalf("params %+v", e.Params)
	}
	if !ops.AuditMatches(e, strings.ToLower(d.Serial)) {
		t.Fatal("the send is not found by its serial")
	}
}

// TestSendCommandToDeviceRedactsSecrets: a PIN reaches the server but not
// the audit log.
func TestSendCommandToDeviceRedactsSecrets(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{}, "", "")
	a, log := newActor(t, c)
	d := offlineComputer(t, c)
	if _, err := a.SendCommandToDevice(t.Context(), d, jamf.CommandData{CommandType: "DEVICE_LOCK", Fields: map[string]any{"pin": "123456", "message": "call IT"}}, false); err != nil {
		t.Fatal(err)
	}
	got, _, _ := log.Read()
	fields, _ := got[0].Params["fields"].(map[string]any)
	if fields["pin"] == "123456" || fields["message"] != "call IT" {
		t.Fatalf("fields in the audit log: %+v", got[0].Params)
	}
}

// TestAuditEntriesFindableBySerial: blank push and flush entries name each
// device by kind, ID, name and serial, carry their parameters, and
// AuditMatches finds them by serial, name, ID, action and credential.
func TestAuditEntriesFindableBySerial(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{}, "", "")
	ctx := t.Context()
	a, log := newActor(t, c)
	mac := offlineComputer(t, c)
	phone, err := ops.FindDevice(ctx, c, "3", jamf.PlatformMobile)
	if err != nil {
		t.Fatal(err)
	}
	devs := []ops.Device{mac, phone}
	if _, _, err := a.BlankPush(ctx, devs); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(ctx, devs, jamf.FlushPendingAndFailed, map[string]int{"RESTART_DEVICE": 2}); err != nil {
		t.Fatal(err)
	}
	entries, _, _ := log.Read()
	if len(entries) != 2 {
		t.Fatalf("%d entries", len(entries))
	}
	flush, push := entries[0], entries[1]
	if flush.Params["flushStatus"] != string(jamf.FlushPendingAndFailed) {
		t.Fatalf("flush params %+v", flush.Params)
	}
	for _, e := range entries {
		if len(e.Targets) != 2 {
			t.Fatalf("%s: %d targets", e.Action, len(e.Targets))
		}
		for _, tg := range e.Targets {
			if tg.Kind == "" || tg.ID == "" || tg.Serial == "" || tg.Name == "" || tg.Device != tg.Kind+"/"+tg.ID {
				t.Fatalf("%s: target %+v", e.Action, tg)
			}
		}
		for _, q := range []string{mac.Serial, strings.ToLower(phone.Serial), phone.Name, "mobile/" + phone.ID, e.Action, strings.ToUpper(e.Credential)} {
			if !ops.AuditMatches(e, q) {
				t.Errorf("%s: %q does not find it", e.Action, q)
			}
		}
		if ops.AuditMatches(e, "NO-SUCH-SERIAL") {
			t.Errorf("%s: matched an unknown serial", e.Action)
		}
	}
	if !ops.AuditMatches(push, "") {
		t.Error("empty text should match every entry")
	}
}

func TestAuditMatchesReasonAndOldEntries(t *testing.T) {
	t.Parallel()
	old := ops.AuditEntry{Action: "flush pending", Credential: "helpdesk", Reason: "Ticket 4711",
		Targets: []ops.AuditTarget{{Device: "computer/573", Name: "Lab Mac", Outcome: "ok"}}}
	for _, q := range []string{"ticket 4711", "573", "lab mac", "HELPDESK"} {
		if !ops.AuditMatches(old, q) {
			t.Errorf("%q does not match %+v", q, old)
		}
	}
	if ops.AuditMatches(old, "C02") {
		t.Error("matched a serial the entry does not carry")
	}
}
