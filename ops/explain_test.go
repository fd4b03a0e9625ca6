package ops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/ops"
)

func TestExplainCommand(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(-d); return &x }
	tests := []struct {
		name        string
		entry       ops.CommandEntry
		checkIn     *time.Time
		meaning     string // substring of Meaning
		causeOrNext string // substring of a cause or a next step
	}{
		{"pending, device online", ops.CommandEntry{Status: ops.StatusPending, Issued: at(time.Hour)}, at(10 * time.Minute), "has not fetched it yet", "blank push"},
		{"pending, device offline 40 days", ops.CommandEntry{Status: ops.StatusPending, Issued: at(35 * 24 * time.Hour)}, at(40 * 24 * time.Hour), "has not checked in for 40 days", "pending for 35 days"},
		{"notnow", ops.CommandEntry{Status: ops.StatusNotNow}, at(time.Hour), "answered NotNow", "unlock"},
		{"not supported", ops.CommandEntry{Status: ops.StatusFailed, Error: "The command is not supported on this device. (MCMDMErrorDomain 12021)"}, nil, "reported an error", "platform"},
		{"supervision", ops.CommandEntry{Status: ops.StatusFailed, Error: "This command requires a supervised device. (MCMDMErrorDomain 12078)"}, nil, "reported an error", "Automated Device Enrollment"},
		{"passcode", ops.CommandEntry{Status: ops.StatusFailed, Error: "The device does not have a passcode set. (MCMDMErrorDomain 12080)"}, nil, "reported an error", "set a passcode"},
		{"invalid state", ops.CommandEntry{Status: ops.StatusFailed, Error: "The device is in an invalid state to process this command. (MCMDMErrorDomain 12030)"}, nil, "reported an error", "settle"},
		{"unknown error", ops.CommandEntry{Status: ops.StatusFailed, Error: "Something odd (XDomain 7)"}, nil, "reported an error", "domain and code"},
		{"completed", ops.CommandEntry{Status: ops.StatusCompleted}, nil, "acknowledged", ""},
	}
	for _, tt := range tests {
		x := ops.ExplainCommand(tt.entry, tt.checkIn, now)
		if !strings.Contains(x.Meaning, tt.meaning) {
			t.Errorf("%s: meaning %q lacks %q", tt.name, x.Meaning, tt.meaning)
		}
		if tt.causeOrNext == "" {
			continue
		}
		all := strings.Join(append(append([]string{}, x.Causes...), x.Next...), " | ")
		if !strings.Contains(all, tt.causeOrNext) {
			t.Errorf("%s: causes and next steps %q lack %q", tt.name, all, tt.causeOrNext)
		}
	}
}

func TestAlreadyPending(t *testing.T) {
	t.Parallel()
	entries := []ops.CommandEntry{
		{Command: "DEVICE_INFORMATION", Status: ops.StatusPending, UUID: "a"},
		{Command: "DeviceInformation", Status: ops.StatusNotNow, UUID: "b"},
		{Command: "DEVICE_INFORMATION", Status: ops.StatusFailed, UUID: "c"},
		{Command: "RESTART_DEVICE", Status: ops.StatusPending, UUID: "d"},
	}
	got := ops.AlreadyPending(entries, "DEVICE_INFORMATION")
	if len(got) != 2 || got[0].UUID != "a" || got[1].UUID != "b" {
		t.Fatalf("AlreadyPending = %+v, want a and b", got)
	}
	if got := ops.AlreadyPending(entries, "SHUT_DOWN_DEVICE"); len(got) != 0 {
		t.Fatalf("nothing pending should match: %+v", got)
	}
}
