package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops/mass"
)

// TestPlanFormReturnToService: the form's ERASE_DEVICE parameters take
// return-to-service with its profiles (read and hashed like the CLI's
// flags), refuse a profile without return-to-service or of the wrong kind,
// and a plan for Macs says return to service is not for them.
func TestPlanFormReturnToService(t *testing.T) {
	t.Parallel()
	wifi := filepath.Join(t.TempDir(), "wifi.mobileconfig")
	if err := os.WriteFile(wifi, []byte("<plist>com.apple.wifi.managed</plist>"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := mass.Action{Kind: mass.KindCommand, CommandType: "ERASE_DEVICE"}
	if err := parseParams(&a, "preserve-data-plan; return-to-service; wifi-profile="+wifi); err != nil {
		t.Fatal(err)
	}
	if a.ReturnToService == nil || a.ReturnToService.WiFiProfile == nil || len(a.ReturnToService.WiFiProfile.SHA256) != 64 || a.Fields["preserveDataPlan"] != true {
		t.Fatalf("parsed %+v", a)
	}
	for text, want := range map[string]string{
		"wifi-profile=" + wifi:                           "go with return-to-service",
		"return-to-service; mdm-profile=" + wifi:         "has no com.apple.mdm payload",
		"return-to-service; wifi-profile=/nonexistent/x": "no such file",
	} {
		b := mass.Action{Kind: mass.KindCommand, CommandType: "ERASE_DEVICE"}
		if err := parseParams(&b, text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
	r := mass.Action{Kind: mass.KindCommand, CommandType: "RESTART_DEVICE"}
	if err := parseParams(&r, "return-to-service"); err == nil || !strings.Contains(err.Error(), "not a parameter of RESTART_DEVICE") {
		t.Errorf("return-to-service on a restart: %v", err)
	}

	f := newFixture(t, jamftest.Options{}, "", "")
	m := planFor(t, f)
	for topOf(m).(planModel).fields[fAction].value != "ERASE_DEVICE" {
		m = press(t, m, "l")
	}
	if help := topOf(m).(planModel).fields[fParams].help; !strings.Contains(help, "return-to-service, wifi-profile=FILE") {
		t.Fatalf("parameters help %q", help)
	}
	m = setField(t, m, fParams, "return-to-service; wifi-profile="+wifi)
	m = press(t, m, "P")
	if view := screenText(m, f.srv); !strings.Contains(view, "--return-to-service applies to iOS/iPadOS, Shared iPad, tvOS only") {
		t.Fatalf("return to service for Macs:\n%s", view)
	}
}

// TestPlanFormReturnToServiceReadsItsSwitchStrictly: return-to-service
// takes yes or no like the form's other switches ("off" does not turn it
// on), "return-to-service=no" alone plans a plain erase, and a profile
// given twice is refused rather than the last one silently kept.
func TestPlanFormReturnToServiceReadsItsSwitchStrictly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wifi, other := filepath.Join(dir, "wifi.mobileconfig"), filepath.Join(dir, "other.mobileconfig")
	for _, p := range []string{wifi, other} {
		if err := os.WriteFile(p, []byte("<plist>com.apple.wifi.managed "+p+"</plist>"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for text, want := range map[string]string{
		"return-to-service=off; wifi-profile=" + wifi:                         "return-to-service is yes or no",
		"return-to-service; wifi-profile=" + wifi + "; wifi-profile=" + other: "wifi-profile is given twice",
	} {
		a := mass.Action{Kind: mass.KindCommand, CommandType: "ERASE_DEVICE"}
		if err := parseParams(&a, text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v (%+v), want %q", text, err, a.ReturnToService, want)
		}
	}
	a := mass.Action{Kind: mass.KindCommand, CommandType: "ERASE_DEVICE"}
	if err := parseParams(&a, "return-to-service=no"); err != nil || a.ReturnToService != nil {
		t.Fatalf("return-to-service=no: %v, %+v", err, a.ReturnToService)
	}
}
