package mass

import (
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
)

func TestCatalogueFitsCommandsToPlatforms(t *testing.T) {
	t.Parallel()
	mac := PlatformOf(jamf.PlatformComputer, "MacBook Air (M2, 2022)", false)
	phone := PlatformOf(jamf.PlatformMobile, "iPhone 16", false)
	shared := PlatformOf(jamf.PlatformMobile, "iPad (10th generation)", true)
	tv := PlatformOf(jamf.PlatformMobile, "Apple TV 4K", false)
	if mac != MacOS || phone != IOS || shared != SharedIPad || tv != TvOS {
		t.Fatalf("platforms: %s %s %s %s", mac, phone, shared, tv)
	}
	tests := []struct {
		command string
		p       Platform
		ok      bool
	}{
		{"ENABLE_LOST_MODE", MacOS, false},
		{"ENABLE_LOST_MODE", IOS, true},
		{"LOG_OUT_USER", IOS, false},
		{"LOG_OUT_USER", SharedIPad, true},
		{"RESTART_DEVICE", TvOS, true},
		{"SHUT_DOWN_DEVICE", TvOS, false},
		{"DEVICE_INFORMATION", TvOS, true},
	}
	for _, tt := range tests {
		c, found := LookupCommand(tt.command)
		if !found {
			t.Fatalf("%s missing from the catalogue", tt.command)
		}
		ok, why := c.AppliesTo(tt.p)
		if ok != tt.ok || (!ok && !strings.Contains(why, string(tt.p))) {
			t.Errorf("%s on %s: %v %q, want %v", tt.command, tt.p, ok, why, tt.ok)
		}
	}
	if _, found := LookupCommand("CLEAR_PASSCODE"); found {
		t.Error("CLEAR_PASSCODE is offered though its unlockToken cannot be supplied")
	}
	for _, c := range Catalogue() {
		if c.Destructive && c.Privilege(c.Platforms[0]) == "" {
			t.Errorf("%s is destructive but names no privilege", c.Type)
		}
	}
}

func TestCatalogueValidatesParameters(t *testing.T) {
	t.Parallel()
	lost, _ := LookupCommand("ENABLE_LOST_MODE")
	erase, _ := LookupCommand("ERASE_DEVICE")
	tests := []struct {
		name    string
		c       CommandSpec
		fields  map[string]any
		wantErr string
	}{
		{"lost mode without message or phone", lost, map[string]any{"lostModeFootnote": "front desk"}, "--message or --phone"},
		{"lost mode with a message", lost, map[string]any{"lostModeMessage": "Please call IT"}, ""},
		{"lost mode with a phone", lost, map[string]any{"lostModePhone": "+1 555 0100"}, ""},
		{"lost mode with an escape in the message", lost, map[string]any{"lostModeMessage": "hi\x1b[2J"}, "printable"},
		{"unknown parameter", lost, map[string]any{"lostModeMessage": "x", "pin": "123456"}, "no parameter"},
		{"erase PIN of five digits", erase, map[string]any{"pin": "12345"}, "six digits"},
		{"erase PIN of six digits", erase, map[string]any{"pin": "123456"}, ""},
		{"erase obliteration", erase, map[string]any{"obliterationBehavior": "Sometimes"}, "one of"},
	}
	for _, tt := range tests {
		err := tt.c.ValidateFields(tt.fields)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}
