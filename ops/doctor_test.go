package ops_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
)

// render returns the report's text and JSON, and checks the JSON decodes
// back to the same report.
func render(t *testing.T, r *ops.DoctorReport) (string, string) {
	t.Helper()
	var text, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back ops.DoctorReport
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("doctor JSON does not decode: %v", err)
	}
	if back.Failed != r.Failed || len(back.Privileges.Features) != len(r.Privileges.Features) {
		t.Fatalf("doctor JSON lost data")
	}
	return text.String(), js.String()
}

func featureStatus(r *ops.DoctorReport, id string) ops.FeatureStatus {
	for _, f := range r.Privileges.Features {
		if f.ID == id {
			return f
		}
	}
	return ops.FeatureStatus{}
}

func TestDoctorAdmin(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, jamftest.Options{Computers: 20, MobileDevices: 10}, "", "")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "profiles.json")
	if err := os.WriteFile(cfg, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := ops.RunDoctor(t.Context(), ops.DoctorInput{Jamf: c, Keychain: func() error { return nil }, ConfigPath: cfg, DataPath: dir})
	if r.Failed {
		t.Fatalf("admin doctor failed: %+v", r)
	}
	if r.Connection.Status != ops.StatusOK || r.Connection.URL != srv.URL || r.Connection.TLS || r.Connection.ServerVersion != "11.30.1-t1784555528405" {
		t.Errorf("connection = %+v", r.Connection)
	}
	if !r.Credential.TokenObtained || r.Credential.LifetimeSeconds != 300 || r.Credential.Identity != jamftest.DemoClientID || r.Credential.Kind != "API client" {
		t.Errorf("credential = %+v", r.Credential)
	}
	if !r.Privileges.Known || len(r.Privileges.Missing) != 0 || len(r.Privileges.Features) != len(ops.Features()) {
		t.Errorf("privileges = %+v", r.Privileges)
	}
	for _, f := range r.Privileges.Features {
		if f.Status != ops.StatusOK {
			t.Errorf("feature %s: %s, missing %q", f.ID, f.Status, f.Missing)
		}
	}
	// The admin holds privileges jamfops never uses: exactly those outside the table.
	var wantUnused []string
	for _, p := range jamftest.AllPrivileges() {
		if !slices.Contains(ops.PrivilegeNames(), p) {
			wantUnused = append(wantUnused, p)
		}
	}
	slices.Sort(wantUnused)
	if !slices.Equal(r.Privileges.Unused, wantUnused) || len(wantUnused) == 0 {
		t.Errorf("unused = %q, want %q", r.Privileges.Unused, wantUnused)
	}
	if r.Keychain.Status != ops.StatusOK || r.JSC.Status != ops.StatusSkip {
		t.Errorf("keychain %+v, jsc %+v", r.Keychain, r.JSC)
	}
	if len(r.Paths) != 2 || !r.Paths[0].Exists || r.Paths[0].Status != ops.StatusOK || !r.Paths[1].Exists || r.Paths[1].Status != ops.StatusOK {
		t.Errorf("paths = %+v", r.Paths)
	}
	text, _ := render(t, r)
	for _, want := range []string{"Connection", srv.URL, "TLS: no", "Jamf Pro 11.30.1", "token obtained, lifetime 5m0s",
		"Feature", "Needed", "Present", "Flush MDM Commands", "Least privilege", "Send MDM command information in Jamf Pro API"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "MISSING") || strings.Contains(text, jamftest.DemoClientSecret) {
		t.Errorf("admin text shows MISSING or the secret:\n%s", text)
	}
}

func TestDoctorHelpDeskNamesMissingPrivileges(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{Computers: 20, MobileDevices: 10}, jamftest.HelpDeskClientID, jamftest.HelpDeskSecret)
	r := ops.RunDoctor(t.Context(), ops.DoctorInput{Jamf: c})
	if r.Failed {
		t.Fatalf("a read-only credential is not a failure: %+v", r.Credential)
	}
	for _, id := range []string{ops.FeatureBrowse, ops.FeatureQueue, ops.FeatureBlankPush, ops.FeatureRisk} {
		if f := featureStatus(r, id); f.Status != ops.StatusOK {
			t.Errorf("help desk %s: %+v", id, f)
		}
	}
	if f := featureStatus(r, ops.FeatureFlush); f.Status != ops.StatusWarn || !slices.Equal(f.Missing, []string{jamf.PrivFlushMDMCommands}) {
		t.Errorf("help desk flush: %+v", f)
	}
	restart := featureStatus(r, ops.CommandFeatureID(jamf.PlatformComputer, "RESTART_DEVICE"))
	if !slices.Equal(restart.Missing, []string{"Send Computer Restart Command"}) {
		t.Errorf("help desk restart: %+v", restart)
	}
	if len(r.Privileges.Unused) != 0 || r.Privileges.Status != ops.StatusWarn {
		t.Errorf("help desk privileges: %+v", r.Privileges.Check)
	}
	text, js := render(t, r)
	for _, want := range []string{"MISSING", "Flush MDM Commands", "Send Computer Restart Command", "Missing privileges"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if !strings.Contains(js, `"missing": [`) || !strings.Contains(js, "Flush MDM Commands") {
		t.Errorf("JSON does not name the missing privileges")
	}
}

func TestDoctorWrongSecretFailsWithoutPrintingIt(t *testing.T) {
	t.Parallel()
	const secret = "not-the-secret-7f3a9c"
	srv, _ := setup(t, jamftest.Options{Computers: 5, MobileDevices: 5}, "", "")
	c, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, secret))
	if err != nil {
		t.Fatal(err)
	}
	js := jsctest.NewServer(jsctest.Options{Clock: jamftest.NewVirtualClock(start)})
	t.Cleanup(js.Close)
	const jscSecret = "wrong-jsc-secret-51b0"
	rc, err := jsc.NewClient(js.URL, jsctest.DemoAppID, jscSecret)
	if err != nil {
		t.Fatal(err)
	}
	r := ops.RunDoctor(t.Context(), ops.DoctorInput{Jamf: c, JSC: rc})
	if !r.Failed || r.Credential.Status != ops.StatusFail || r.Credential.TokenObtained || r.Connection.Status != ops.StatusOK {
		t.Fatalf("wrong secret: failed=%v credential=%+v connection=%+v", r.Failed, r.Credential, r.Connection)
	}
	if r.JSC.Status != ops.StatusFail {
		t.Errorf("wrong JSC secret: %+v", r.JSC)
	}
	text, jsonText := render(t, r)
	for _, out := range []string{text, jsonText} {
		if strings.Contains(out, secret) || strings.Contains(out, jscSecret) {
			t.Fatalf("the secret was printed:\n%s", out)
		}
	}
	if !strings.Contains(text, "fail") || !strings.Contains(text, jamftest.DemoClientID) {
		t.Errorf("text does not show the failure:\n%s", text)
	}
}

func TestDoctorUnreachableServer(t *testing.T) {
	t.Parallel()
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 1, MobileDevices: 1})
	if err != nil {
		t.Fatal(err)
	}
	url := srv.URL
	srv.Close()
	c, _ := jamf.NewClient(url, jamf.WithClientCredentials("id", "s3cret-unreachable"), jamf.WithRetries(0, 0))
	r := ops.RunDoctor(t.Context(), ops.DoctorInput{Jamf: c})
	if !r.Failed || r.Connection.Status != ops.StatusFail || r.Credential.Status != ops.StatusSkip {
		t.Fatalf("unreachable: %+v %+v", r.Connection, r.Credential)
	}
	if text, _ := render(t, r); strings.Contains(text, "s3cret-unreachable") {
		t.Fatal("secret printed")
	}
}

func TestDoctorJSCKeychainAndPaths(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{Computers: 5, MobileDevices: 5}, "", "")
	js := jsctest.NewServer(jsctest.Options{Clock: jamftest.NewVirtualClock(start)})
	t.Cleanup(js.Close)
	rc, err := jsc.NewClient(js.URL, jsctest.DemoAppID, jsctest.DemoAppSecret)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := ops.RunDoctor(t.Context(), ops.DoctorInput{Jamf: c, JSC: rc,
		Keychain:   func() error { return errors.New("the OS keychain is not available (no Secret Service)") },
		ConfigPath: filepath.Join(dir, "missing", "profiles.json"), DataPath: notDir})
	if r.Failed {
		t.Fatalf("JSC ok, keychain warn: not a failure: %+v", r)
	}
	if r.JSC.Status != ops.StatusOK || r.JSC.AppID != jsctest.DemoAppID || r.JSC.URL != js.URL {
		t.Errorf("jsc = %+v", r.JSC)
	}
	if r.Keychain.Status != ops.StatusWarn || !strings.Contains(r.Keychain.Detail, "Secret Service") {
		t.Errorf("keychain = %+v", r.Keychain)
	}
	if r.Paths[0].Exists || r.Paths[0].Status != ops.StatusOK {
		t.Errorf("missing config = %+v", r.Paths[0])
	}
	if !r.Paths[1].Exists || r.Paths[1].Status != ops.StatusWarn {
		t.Errorf("data path that is a file = %+v", r.Paths[1])
	}
	problem := ops.RunDoctor(t.Context(), ops.DoctorInput{Jamf: c, JSCProblem: errors.New("profile has a JSC app ID but no secret")})
	if !problem.Failed || problem.JSC.Status != ops.StatusFail {
		t.Errorf("configured JSC without a secret: %+v", problem.JSC)
	}
}

func TestDoctorUndescribedPrivileges(t *testing.T) {
	t.Parallel()
	_, c := setup(t, jamftest.Options{Computers: 5, MobileDevices: 5, Clients: []jamftest.APIClient{{ID: "quiet", Secret: "s"}}}, "quiet", "s")
	r := ops.RunDoctor(t.Context(), ops.DoctorInput{Jamf: c})
	if r.Failed || r.Privileges.Known || r.Privileges.Status != ops.StatusWarn {
		t.Fatalf("undescribed privileges: %+v", r.Privileges.Check)
	}
	for _, f := range r.Privileges.Features {
		if f.Status != ops.StatusSkip {
			t.Errorf("%s: %s although the privileges are unknown", f.ID, f.Status)
		}
	}
	if text, _ := render(t, r); !strings.Contains(text, "unknown") || strings.Contains(text, "MISSING") {
		t.Errorf("text:\n%s", text)
	}
}
