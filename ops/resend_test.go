package ops_test

import (
	"path/filepath"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// TestResendSendsOnceAndAudits: a re-send queues the type once on the
// device and writes an entry naming the device (kind, ID, serial), the
// command, the command it repeats and the duplicates already pending.
func TestResendSendsOnceAndAudits(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{}, "", "")
	list, _, err := c.MobileDevices.List(t.Context(), &jamf.ListOptions{PageSize: 1})
	if err != nil || len(list) == 0 {
		t.Fatal(err)
	}
	d := ops.FromMobileDevice(list[0])
	log, err := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION")
	a := ops.Actor{Client: c, Audit: log, Server: "test"}
	if err := a.Resend(t.Context(), d, "DEVICE_INFORMATION", "uuid-1", 2); err != nil {
		t.Fatal(err)
	}
	if got := srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION"); got != before+1 {
		t.Fatalf("server saw %d sends, want %d", got, before+1)
	}
	entries, _, err := log.Read()
	if err != nil || len(entries) != 1 {
		t.Fatal(err, len(entries))
	}
	e := entries[0]
	tg := e.Targets[0]
	if e.Action != "send DEVICE_INFORMATION" || tg.Kind != "mobile" || tg.ID != d.ID || tg.Serial != d.Serial || tg.Outcome != "ok" ||
		e.Params["resendOf"] != "uuid-1" || e.Params["alreadyPending"] != float64(2) {
		t.Fatalf("entry %+v", e)
	}
}

// TestResendRefusesWithoutAuditLog: no record, no write.
func TestResendRefusesWithoutAuditLog(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{}, "", "")
	list, _, err := c.MobileDevices.List(t.Context(), &jamf.ListOptions{PageSize: 1})
	if err != nil || len(list) == 0 {
		t.Fatal(err)
	}
	d := ops.FromMobileDevice(list[0])
	before := srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION")
	if err := (ops.Actor{Client: c}).Resend(t.Context(), d, "DEVICE_INFORMATION", "", 0); err == nil {
		t.Fatal("sent without an audit log")
	}
	if srv.Log().CommandCount(d.ManagementID, "DEVICE_INFORMATION") != before {
		t.Fatal("a command went out")
	}
}
