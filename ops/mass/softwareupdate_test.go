package mass

import (
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf"
)

func intp(n int) *int { return &n }

func TestParseSoftwareUpdate(t *testing.T) {
	t.Parallel()
	ok := []struct {
		f    SoftwareUpdateFlags
		want jamf.PlanConfig
	}{
		{SoftwareUpdateFlags{Version: "latest-minor"}, jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstall, VersionType: jamf.VersionLatestMinor}},
		{SoftwareUpdateFlags{Version: "Latest-Major", UpdateAction: "download-only"}, jamf.PlanConfig{UpdateAction: jamf.ActionDownloadOnly, VersionType: jamf.VersionLatestMajor}},
		{SoftwareUpdateFlags{Version: "latest-any", UpdateAction: "download-install-restart"}, jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstallRestart, VersionType: jamf.VersionLatestAny}},
		{SoftwareUpdateFlags{Version: "26.2", UpdateAction: "download-install-allow-deferral", MaxDeferrals: intp(3)},
			jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstallAllowDeferral, VersionType: jamf.VersionSpecific, SpecificVersion: "26.2", MaxDeferrals: intp(3)}},
		{SoftwareUpdateFlags{Version: "15.7.3", UpdateAction: "download-install-schedule", InstallAt: "2026-12-01T18:00"},
			jamf.PlanConfig{UpdateAction: jamf.ActionDownloadInstallSchedule, VersionType: jamf.VersionSpecific, SpecificVersion: "15.7.3", ForceInstallLocalDateTime: "2026-12-01T18:00:00"}},
	}
	for _, tc := range ok {
		su, err := ParseSoftwareUpdate(tc.f)
		if err != nil {
			t.Errorf("%+v: %v", tc.f, err)
			continue
		}
		got := su.Config()
		if got.UpdateAction != tc.want.UpdateAction || got.VersionType != tc.want.VersionType || got.SpecificVersion != tc.want.SpecificVersion ||
			got.ForceInstallLocalDateTime != tc.want.ForceInstallLocalDateTime || (got.MaxDeferrals == nil) != (tc.want.MaxDeferrals == nil) ||
			(got.MaxDeferrals != nil && *got.MaxDeferrals != *tc.want.MaxDeferrals) {
			t.Errorf("%+v: config %+v, want %+v", tc.f, got, tc.want)
		}
	}
	bad := []struct {
		f    SoftwareUpdateFlags
		word string
	}{
		{SoftwareUpdateFlags{}, "--version"},
		{SoftwareUpdateFlags{Version: "latest"}, "--version"},
		{SoftwareUpdateFlags{Version: "27.x"}, "--version"},
		{SoftwareUpdateFlags{Version: "27"}, "--version"},
		{SoftwareUpdateFlags{Version: "26.2", UpdateAction: "install-now"}, "--update-action"},
		{SoftwareUpdateFlags{Version: "26.2", UpdateAction: "download-install-allow-deferral"}, "--max-deferrals"},
		{SoftwareUpdateFlags{Version: "26.2", UpdateAction: "download-install-allow-deferral", MaxDeferrals: intp(-1)}, "--max-deferrals"},
		{SoftwareUpdateFlags{Version: "26.2", MaxDeferrals: intp(2)}, "--max-deferrals"},
		{SoftwareUpdateFlags{Version: "26.2", UpdateAction: "download-install-schedule"}, "--install-at"},
		{SoftwareUpdateFlags{Version: "26.2", UpdateAction: "download-install-schedule", InstallAt: "2026-12-01T18:00:00Z"}, "--install-at"},
		{SoftwareUpdateFlags{Version: "26.2", UpdateAction: "download-install-schedule", InstallAt: "2026-02-30T18:00"}, "--install-at"},
		{SoftwareUpdateFlags{Version: "26.2", InstallAt: "2026-12-01T18:00"}, "--install-at"},
	}
	for _, tc := range bad {
		if _, err := ParseSoftwareUpdate(tc.f); err == nil || !strings.Contains(err.Error(), tc.word) {
			t.Errorf("%+v: error %v, want one naming %s", tc.f, err, tc.word)
		}
	}
}

func TestJudgeStageRules(t *testing.T) {
	t.Parallel()
	devs := make([]jamf.PlanDevice, 10)
	for i := range devs {
		devs[i] = jamf.PlanDevice{DeviceID: string(rune('a' + i)), ObjectType: jamf.ObjectComputer}
	}
	status := func(id string, k jamf.UpdateStatusKind) jamf.UpdateStatus {
		var s jamf.UpdateStatus
		s.Device.DeviceID, s.Device.ObjectType, s.Status = id, jamf.ObjectComputer, k
		return s
	}
	readings := func(installed, failed int) *StageReadings {
		r := &StageReadings{Devices: devs}
		for i, d := range devs {
			switch {
			case i < installed:
				r.Statuses = append(r.Statuses, status(d.DeviceID, jamf.UpdateInstalled))
			case i < installed+failed:
				r.Statuses = append(r.Statuses, status(d.DeviceID, jamf.UpdateInstallInsufficientPower))
			case i < installed+failed+1:
				r.Statuses = append(r.Statuses, status(d.DeviceID, jamf.UpdateDownloading))
			}
		}
		return r
	}
	auto := StageRules{Share: 0.8, MaxFailureRate: 0.1, AutoContinue: true}
	for _, tc := range []struct {
		name              string
		installed, failed int
		rules             StageRules
		watchOver         bool
		want              Verdict
	}{
		{"all installed", 10, 0, auto, false, VerdictContinue},
		{"share reached, one failure allowed", 8, 1, auto, false, VerdictContinue},
		{"two failures", 8, 2, auto, false, VerdictHold},
		{"still working", 5, 0, auto, false, VerdictWaiting},
		{"watch over", 5, 0, auto, true, VerdictHold},
		{"passed without auto-continue", 10, 0, StageRules{Share: 0.8, MaxFailureRate: 0.1}, false, VerdictHold},
		{"failures before the share", 2, 3, auto, false, VerdictHold},
	} {
		j := JudgeStage(readings(tc.installed, tc.failed), tc.rules, tc.watchOver)
		if j.Verdict != tc.want {
			t.Errorf("%s: %s (%s), want %s", tc.name, j.Verdict, j.Note, tc.want)
		}
		if tc.failed > 0 && len(j.Failures["insufficient power"]) != tc.failed {
			t.Errorf("%s: failures %v", tc.name, j.Failures)
		}
	}
	// A failure reported before the stage's plans were sent is an earlier
	// update's: it does not count.
	old := readings(8, 0)
	old.Since = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	stale := status("j", jamf.UpdateInstallFailed)
	stale.Updated = jamf.Time{Time: old.Since.Add(-time.Hour)}
	old.Statuses = append(old.Statuses, stale)
	if j := JudgeStage(old, auto, false); j.Failed != 0 || j.Verdict != VerdictContinue {
		t.Errorf("stale failure counted: %s (%s)", j.Verdict, j.Note)
	}
	j := JudgeStage(readings(8, 0), auto, false)
	if j.Counts[string(jamf.UpdateInstalled)] != 8 || j.Counts[string(jamf.UpdateDownloading)] != 1 || j.Counts[NoStatus] != 1 {
		t.Errorf("counts %v", j.Counts)
	}
}
