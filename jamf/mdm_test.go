package jamf_test

import (
	"slices"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// splitByContact separates computers seen in the last day from those gone
// quiet for days.
func splitByContact(list []jamf.Computer, now time.Time) (online, offline []jamf.Computer) {
	for _, c := range list {
		if now.Sub(c.General.LastCheckIn.Time) < 24*time.Hour {
			online = append(online, c)
		} else {
			offline = append(offline, c)
		}
	}
	return online, offline
}

func mgmtIDs(list []jamf.Computer) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.General.ManagementID
	}
	return out
}

func TestMDMCommandLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 300})
	ctx := t.Context()
	list, _, err := c.Computers.List(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	online, offline := splitByContact(list, start)
	if len(offline) < 5 || len(online) < 200 {
		t.Fatalf("fleet has %d online and %d offline computers", len(online), len(offline))
	}
	targets := append(mgmtIDs(online[:100]), mgmtIDs(offline)...)
	refs, _, err := c.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "DEVICE_INFORMATION", Fields: map[string]any{"queries": []string{"OSVersion"}}}, targets)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != len(targets) {
		t.Fatalf("%d command references for %d devices", len(refs), len(targets))
	}
	for _, id := range targets {
		if n := srv.Log().CommandCount(id, "DEVICE_INFORMATION"); n != 1 {
			t.Fatalf("device %s got the command %d times", id, n)
		}
	}
	states := func() map[string]jamf.CommandState {
		cmds, _, err := c.MDM.ListCommands(ctx, &jamf.ListOptions{Filter: jamf.And(jamf.In("clientManagementId", targets...), jamf.Eq("command", "DEVICE_INFORMATION"), jamf.Ge("dateSent", start.Format(time.RFC3339)))})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]jamf.CommandState{}
		for _, cmd := range cmds {
			out[cmd.Client.ManagementID] = cmd.CommandState
		}
		return out
	}
	before := states()
	for _, id := range targets {
		if before[id] != jamf.StatePending {
			t.Fatalf("right after sending, %s is %s", id, before[id])
		}
	}
	// Online devices answer the push within a minute.
	clockOf(srv).Advance(2 * time.Minute)
	after := states()
	count := map[jamf.CommandState]int{}
	for _, id := range mgmtIDs(online[:100]) {
		count[after[id]]++
	}
	if count[jamf.StateAcknowledged] < 80 {
		t.Fatalf("online devices after 2 minutes: %v; want most acknowledged", count)
	}
	for _, id := range mgmtIDs(offline) {
		if after[id] != jamf.StatePending {
			t.Fatalf("offline device %s is %s, want still pending", id, after[id])
		}
	}
	// A day later, offline devices are still pending and every online one
	// has an outcome (NotNow devices retried; lost pushes re-pushed at 6 h).
	clockOf(srv).Advance(24 * time.Hour)
	final := states()
	for _, id := range mgmtIDs(online[:100]) {
		if final[id] == jamf.StatePending {
			t.Errorf("online device %s still pending after a day", id)
		}
	}
	for _, id := range mgmtIDs(offline) {
		if final[id] != jamf.StatePending {
			t.Errorf("offline device %s is %s after a day", id, final[id])
		}
	}
	// Failed commands carry Apple's error text.
	failed, _, err := c.MDM.ListCommands(ctx, &jamf.ListOptions{Filter: jamf.Eq("status", "Error")})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failed {
		if f.CommandError.Text() == "" || f.DateCompleted.IsZero() {
			t.Fatalf("failed command without error or date: %+v", f)
		}
	}
}

func TestBlankPushAndFlush(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 300})
	ctx := t.Context()
	list, _, err := c.Computers.List(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, offline := splitByContact(list, start)
	target := offline[0]
	mgmt := target.General.ManagementID
	if _, _, err := c.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "RESTART_DEVICE"}, []string{mgmt}); err != nil {
		t.Fatal(err)
	}
	failedIDs, _, err := c.MDM.BlankPush(ctx, []string{mgmt, "00000000-0000-4000-8000-000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(failedIDs, []string{"00000000-0000-4000-8000-000000000000"}) {
		t.Fatalf("errorUuids = %q", failedIDs)
	}
	if n := srv.Log().BlankPushes(mgmt); n != 1 {
		t.Fatalf("blank pushes = %d", n)
	}
	pending := func() int {
		cmds, _, err := c.MDM.ListCommands(ctx, &jamf.ListOptions{Filter: jamf.And(jamf.Eq("clientManagementId", mgmt), jamf.Eq("active", "true"))})
		if err != nil {
			t.Fatal(err)
		}
		return len(cmds)
	}
	if pending() < 1 {
		t.Fatal("no pending command on the offline device")
	}
	h, _, err := c.Classic.ComputerCommandHistory(ctx, target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(h.Pending, func(e jamf.HistoryCommand) bool { return e.Name == "RestartDevice" }) {
		t.Fatalf("history before flush has no pending RestartDevice: %+v", h.Pending)
	}
	n, err := c.MDM.Flush(ctx, jamf.FlushComputers, []string{target.ID}, jamf.FlushPending)
	if err != nil || n != 1 {
		t.Fatalf("flush: %d, %v", n, err)
	}
	if p := pending(); p != 0 {
		t.Fatalf("%d commands still pending after the flush", p)
	}
	flushes := srv.Log().Flushes()
	if len(flushes) != 1 || flushes[0].ManagementID != mgmt || flushes[0].Removed < 1 {
		t.Fatalf("admin log flushes = %+v", flushes)
	}
	h, _, err = c.Classic.ComputerCommandHistory(ctx, target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Pending) != 0 {
		t.Fatalf("history after flush still has %d pending", len(h.Pending))
	}
}

func TestClassicHistoryHasLastPush(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 100})
	ctx := t.Context()
	list, _, _ := c.Computers.List(ctx, nil, nil)
	_, offline := splitByContact(list, start)
	if _, _, err := c.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "SHUT_DOWN_DEVICE"}, []string{offline[0].General.ManagementID}); err != nil {
		t.Fatal(err)
	}
	clockOf(srv).Advance(7 * time.Hour) // past one 6-hour re-push
	h, _, err := c.Classic.ComputerCommandHistory(ctx, offline[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var found *jamf.HistoryCommand
	for i := range h.Pending {
		if h.Pending[i].Name == "ShutDownDevice" {
			found = &h.Pending[i]
		}
	}
	if found == nil {
		t.Fatalf("pending history = %+v", h.Pending)
	}
	// Jamf re-pushes a device with pending commands every 6 hours (on the
	// device's own schedule), so within 7 hours there was a later push.
	if !found.Issued.Equal(start) || !found.LastPush.After(found.Issued) || found.LastPush.After(start.Add(7*time.Hour)) {
		t.Fatalf("issued %v, last push %v; want %v and a re-push within 7 h", found.Issued, found.LastPush, start)
	}
}

func TestUserTokenInvalidatedOnClose(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, jamftest.Options{})
	c, _ := jamf.NewClient(srv.URL, jamf.WithUserCredentials(jamftest.DemoUsername, jamftest.DemoPassword))
	ctx := t.Context()
	if _, _, err := c.Auth.Version(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Log().Requests("POST /api/v1/auth/invalidate-token"); n != 1 {
		t.Fatalf("invalidate-token calls = %d", n)
	}
	if c.Credential() != jamftest.DemoUsername {
		t.Fatalf("Credential() = %q", c.Credential())
	}
	// A later call simply logs in again.
	if _, _, err := c.Auth.Version(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Log().Requests("POST /api/v1/auth/token"); n != 2 {
		t.Fatalf("user token requests = %d, want 2", n)
	}
}

func TestMobileInventoryAndHistory(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{})
	ctx := t.Context()
	list, _, err := c.MobileDevices.List(ctx, &jamf.ListOptions{PageSize: 30})
	if err != nil || len(list) != 100 {
		t.Fatalf("%d mobile devices, %v", len(list), err)
	}
	m := list[0]
	if m.ManagementID == "" || m.SerialNumber == "" || m.UDID == "" || m.Model == "" || m.OSVersion == "" {
		t.Fatalf("incomplete mobile record: %+v", m)
	}
	byID, _, err := c.MobileDevices.ListByIDs(ctx, []string{m.MobileDeviceID})
	if err != nil || len(byID) != 1 || byID[0].SerialNumber != m.SerialNumber {
		t.Fatalf("ListByIDs = %+v, %v", byID, err)
	}
	if _, _, err := c.MDM.SendCommand(ctx, jamf.PlatformMobile, jamf.CommandData{CommandType: "DEVICE_LOCK"}, []string{m.ManagementID}); err != nil {
		t.Fatal(err)
	}
	clockOf(srv).Advance(time.Minute)
	h, _, err := c.Classic.MobileDeviceCommandHistory(ctx, m.MobileDeviceID)
	if err != nil {
		t.Fatal(err)
	}
	total := len(h.Pending) + len(h.Completed) + len(h.Failed)
	if total == 0 {
		t.Fatal("empty mobile history")
	}
	var lock bool
	for _, l := range [][]jamf.HistoryCommand{h.Pending, h.Completed, h.Failed} {
		for _, e := range l {
			if e.Name == "DeviceLock" && e.Issued.Equal(start) {
				lock = true
			}
		}
	}
	if !lock {
		t.Fatalf("the lock is not in the mobile history: %+v", h)
	}
}
