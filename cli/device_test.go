package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
)

// deviceOut is the documented JSON of jamfops device (README, "device").
type deviceOut struct {
	Device struct {
		Kind         string  `json:"kind"`
		ID           string  `json:"id"`
		Name         string  `json:"name"`
		Serial       string  `json:"serial"`
		Model        string  `json:"model"`
		OS           string  `json:"os"`
		User         string  `json:"user"`
		Email        string  `json:"email"`
		FullName     string  `json:"fullName"`
		UDID         string  `json:"udid"`
		ManagementID string  `json:"managementId"`
		AssetTag     string  `json:"assetTag"`
		LastCheckIn  *string `json:"lastCheckIn"`
	} `json:"device"`
	Commands map[string][]struct {
		UUID      string  `json:"uuid"`
		Command   string  `json:"command"`
		Status    string  `json:"status"`
		Issued    *string `json:"issued"`
		LastPush  *string `json:"lastPush"`
		Completed *string `json:"completed"`
		Error     string  `json:"error"`
		Meaning   string  `json:"meaning"`
	} `json:"commands"`
	Risk *struct {
		Level    string  `json:"level"`
		JSCID    string  `json:"jscId"`
		LastSeen *string `json:"lastSeen"`
	} `json:"risk"`
	Notes []string `json:"notes"`
}

func TestDeviceCommandJSON(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	mac, phone := fleetSample(t, srv)
	md := ops.FromComputer(mac)
	c, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
	// A pending command on the Mac (the virtual clock stands still).
	if _, _, err := c.MDM.SendCommand(t.Context(), jamf.PlatformComputer, jamf.CommandData{CommandType: "RESTART_DEVICE"}, []string{md.ManagementID}); err != nil {
		t.Fatal(err)
	}

	r := runWith(t, srv, nil, "device", md.Serial, "--json")
	if r.code != 0 {
		t.Fatalf("device: %d %s", r.code, r.stderr)
	}
	var out deviceOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	d := out.Device
	if d.Kind != "computer" || d.ID != md.ID || d.Serial != md.Serial || d.UDID != md.UDID || d.ManagementID != md.ManagementID ||
		d.Email != mac.UserAndLocation.Email || d.AssetTag != mac.General.AssetTag || d.LastCheckIn == nil || d.Model == "" || d.OS == "" {
		t.Fatalf("device part: %+v", d)
	}
	for _, sec := range []string{"pending", "failed", "completed"} {
		if _, ok := out.Commands[sec]; !ok {
			t.Fatalf("no %q section: %s", sec, r.stdout)
		}
	}
	if out.Risk != nil {
		t.Fatalf("risk without a JSC credential: %+v", out.Risk)
	}
	found := false
	for _, e := range out.Commands["pending"] {
		if e.Status != "pending" && e.Status != "notnow" {
			t.Fatalf("pending section holds %s", e.Status)
		}
		if e.Meaning == "" {
			t.Fatalf("pending command without a meaning: %+v", e)
		}
		if e.Command == "RESTART_DEVICE" && e.UUID != "" && e.Issued != nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("the pending RESTART_DEVICE is missing: %s", r.stdout)
	}
	for _, e := range out.Commands["failed"] {
		if e.Status != "failed" || e.Meaning == "" {
			t.Fatalf("failed entry %+v", e)
		}
	}
	for _, e := range out.Commands["completed"] {
		if e.Status != "completed" || e.Meaning != "" {
			t.Fatalf("completed entry %+v", e)
		}
	}
	var raw map[string]map[string]any
	_ = json.Unmarshal([]byte(r.stdout), &raw)
	for _, k := range []string{"kind", "id", "name", "serial", "model", "os", "user", "email", "fullName", "udid", "managementId", "assetTag", "lastCheckIn"} {
		if _, ok := raw["device"][k]; !ok {
			t.Errorf("device JSON lacks device.%s", k)
		}
	}

	// A mobile device by serial, in the human form.
	r = runWith(t, srv, nil, "device", phone.SerialNumber)
	if r.code != 0 || !strings.Contains(r.stdout, "mobile "+phone.MobileDeviceID) || !strings.Contains(r.stdout, phone.UDID) ||
		!strings.Contains(r.stdout, "Pending (") || !strings.Contains(r.stdout, "Failed (") || !strings.Contains(r.stdout, "Completed (") {
		t.Fatalf("mobile device: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestDeviceShowsFullErrorText: a failed command's whole error text and
// UUID are printed, never cut.
func TestDeviceShowsFullErrorText(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	c, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
	failed, _, err := c.MDM.ListCommands(t.Context(), &jamf.ListOptions{Filter: jamf.Eq("status", "Error")})
	if err != nil || len(failed) == 0 {
		t.Fatalf("no failed command in the demo fleet: %v", err)
	}
	var cmd jamf.Command
	for _, f := range failed {
		if len(f.CommandError.Text()) > len(cmd.CommandError.Text()) {
			cmd = f
		}
	}
	if len(cmd.CommandError.Text()) < 30 {
		t.Fatalf("no long error text: %q", cmd.CommandError.Text())
	}
	r := runWith(t, srv, nil, "device", cmd.Client.ManagementID)
	if r.code != 0 || !strings.Contains(r.stdout, cmd.CommandError.Text()) || !strings.Contains(r.stdout, cmd.UUID) {
		t.Fatalf("device: %d\n%s\n%s\nwant %q and %s", r.code, r.stdout, r.stderr, cmd.CommandError.Text(), cmd.UUID)
	}
}

func TestDeviceAmbiguousAndUnknown(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{Rename: map[int]string{4: "Lab Mac", 9: "Lab Mac"}})
	r := runWith(t, srv, nil, "device", "Lab Mac")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, `"Lab Mac" matches 2 devices:`) ||
		!strings.Contains(r.stderr, "computer  4 ") || !strings.Contains(r.stderr, "computer  9 ") || !strings.Contains(r.stderr, "SERIAL") {
		t.Fatalf("ambiguous: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runWith(t, srv, nil, "device", "Lab Mac", "--json")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "matches 2 devices") {
		t.Fatalf("ambiguous, JSON: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runWith(t, srv, nil, "device", "NO-SUCH-DEVICE-ZZ9")
	if r.code != 1 || !strings.Contains(r.stderr, `no device matches "NO-SUCH-DEVICE-ZZ9"`) {
		t.Fatalf("unknown: %d %q", r.code, r.stderr)
	}
	// commands --device resolves the same way.
	r = runWith(t, srv, nil, "commands", "--device", "Lab Mac")
	if r.code != 1 || !strings.Contains(r.stderr, `"Lab Mac" matches 2 devices:`) {
		t.Fatalf("commands, ambiguous: %d %q", r.code, r.stderr)
	}
	mac, _ := fleetSample(t, srv)
	r = runWith(t, srv, nil, "commands", "--device", strings.ToLower(mac.Hardware.SerialNumber), "--json")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "[") {
		t.Fatalf("commands by serial in lower case: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// A user with several devices lists them all.
	r = runWith(t, srv, nil, "device", mac.UserAndLocation.Username)
	if n := strings.Count(r.stderr, "user (exact)"); r.code != 0 && n < 2 {
		t.Fatalf("user with several devices: %d %q", r.code, r.stderr)
	}
	// A bare ID is a computer's, and says the mobile device exists too.
	r = runWith(t, srv, nil, "device", "5")
	if r.code != 0 || !strings.Contains(r.stdout, "computer 5") || !strings.Contains(r.stderr, "--kind mobile") {
		t.Fatalf("bare ID: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runWith(t, srv, nil, "device"); r.code != 2 {
		t.Fatalf("no REF: %d", r.code)
	}
}

func TestDeviceShowsJSCRisk(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	rs := jsctest.NewServer(jscDemoOptions(srv, 1))
	t.Cleanup(rs.Close)
	env := map[string]string{"JSC_URL": rs.URL, "JSC_APP_ID": jsctest.DemoAppID, "JSC_APP_SECRET": jsctest.DemoAppSecret}
	r := runWith(t, srv, env, "risk", "list", "--level", "HIGH", "--json")
	var rows []riskRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("risk list: %v %q", err, r.stderr)
	}
	var target riskRow
	for _, row := range rows {
		if row.Serial != "" && row.JamfID != "" {
			target = row
			break
		}
	}
	if target.Serial == "" {
		t.Fatal("no HIGH device known to Jamf Pro")
	}
	r = runWith(t, srv, env, "device", target.Serial, "--json")
	var out deviceOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
		t.Fatalf("device: %d %v %q", r.code, err, r.stderr)
	}
	if out.Risk == nil || out.Risk.Level != "HIGH" || out.Risk.JSCID != target.JSCID {
		t.Fatalf("risk = %+v, want HIGH %s", out.Risk, target.JSCID)
	}
	r = runWith(t, srv, env, "device", target.Serial)
	if r.code != 0 || !strings.Contains(r.stdout, "Risk (JSC)") || !strings.Contains(r.stdout, "HIGH") {
		t.Fatalf("device table: %d %q", r.code, r.stdout)
	}

	// A JSC that fails is a note, not a failure.
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusBadRequest)
	}))
	t.Cleanup(broken.Close)
	env["JSC_URL"] = broken.URL
	r = runWith(t, srv, env, "device", target.Serial, "--json")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 || out.Risk != nil || len(out.Notes) == 0 || !strings.Contains(r.stderr, "note: JSC risk") {
		t.Fatalf("broken JSC: %d %v %q %+v", r.code, err, r.stderr, out)
	}
}

// TestDeviceAndSearchAreSanitised: a hostile device name reaches neither
// output as terminal control sequences.
func TestDeviceAndSearchAreSanitised(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{HostileNames: true})
	for _, args := range [][]string{{"search", "PWNED"}, {"device", "PWNED-MAC"}} {
		r := runWith(t, srv, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "PWNED-MAC") {
			t.Fatalf("%q: %d %q %q", args, r.code, r.stdout, r.stderr)
		}
		if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07") {
			t.Fatalf("%q: terminal control characters reached the output", args)
		}
	}
}
