package mass

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jamf"
)

// Version keywords of --version.
const (
	VersionLatestMinor = "latest-minor"
	VersionLatestMajor = "latest-major"
	VersionLatestAny   = "latest-any"
)

// UpdateActions maps the --update-action words to Jamf's update actions.
func UpdateActions() map[string]jamf.UpdateAction {
	return map[string]jamf.UpdateAction{
		"download-install":                jamf.ActionDownloadInstall,
		"download-install-allow-deferral": jamf.ActionDownloadInstallAllowDeferral,
		"download-install-restart":        jamf.ActionDownloadInstallRestart,
		"download-install-schedule":       jamf.ActionDownloadInstallSchedule,
		"download-only":                   jamf.ActionDownloadOnly,
	}
}

// DefaultUpdateAction is the --update-action when none is given.
const DefaultUpdateAction = "download-install"

// SoftwareUpdateFlags are the software-update action's parameters as typed.
type SoftwareUpdateFlags struct {
	// Version is latest-minor, latest-major, latest-any or X.Y[.Z].
	Version string
	// UpdateAction is one of UpdateActions' words ("" = DefaultUpdateAction).
	UpdateAction string
	// MaxDeferrals is set exactly when --max-deferrals was given.
	MaxDeferrals *int
	// InstallAt is the device-local date and time to install by
	// ("2026-12-01T18:00", seconds optional).
	InstallAt string
}

// SoftwareUpdate is a validated software-update request: what every plan of
// the job asks for.
type SoftwareUpdate struct {
	// Version is the word or version as given, normalised.
	Version     string
	VersionType jamf.VersionType
	// Specific is the target of a specific version (zero for the latest-* words).
	Specific     jamf.OSVersion
	Action       jamf.UpdateAction
	ActionWord   string
	MaxDeferrals *int
	// InstallAt is in jamf.LocalDateTimeLayout ("" unless scheduled).
	InstallAt string
}

// ParseSoftwareUpdate checks the parameters before any request: the version
// word or number, the update action, --max-deferrals (required with, and
// only with, download-install-allow-deferral; 0 or more) and --install-at
// (required with, and only with, download-install-schedule).
func ParseSoftwareUpdate(f SoftwareUpdateFlags) (SoftwareUpdate, error) {
	var su SoftwareUpdate
	v := strings.ToLower(strings.TrimSpace(f.Version))
	switch v {
	case "":
		return su, errors.New("software-update needs --version (latest-minor, latest-major, latest-any or X.Y[.Z])")
	case VersionLatestMinor:
		su.VersionType = jamf.VersionLatestMinor
	case VersionLatestMajor:
		su.VersionType = jamf.VersionLatestMajor
	case VersionLatestAny:
		su.VersionType = jamf.VersionLatestAny
	default:
		ver, err := jamf.ParseOSVersion(v)
		if err != nil {
			return su, fmt.Errorf("--version %q: want latest-minor, latest-major, latest-any or X.Y[.Z]", f.Version)
		}
		su.VersionType, su.Specific = jamf.VersionSpecific, ver
	}
	su.Version = v
	word := strings.ToLower(strings.TrimSpace(f.UpdateAction))
	if word == "" {
		word = DefaultUpdateAction
	}
	action, ok := UpdateActions()[word]
	if !ok {
		return su, fmt.Errorf("--update-action %q: want download-install, download-install-allow-deferral, download-install-restart, download-install-schedule or download-only", f.UpdateAction)
	}
	su.Action, su.ActionWord = action, word
	switch {
	case action == jamf.ActionDownloadInstallAllowDeferral && f.MaxDeferrals == nil:
		return su, errors.New("download-install-allow-deferral needs --max-deferrals N")
	case action != jamf.ActionDownloadInstallAllowDeferral && f.MaxDeferrals != nil:
		return su, errors.New("--max-deferrals only applies to download-install-allow-deferral")
	case f.MaxDeferrals != nil && *f.MaxDeferrals < 0:
		return su, errors.New("--max-deferrals must be 0 or more")
	}
	if f.MaxDeferrals != nil {
		n := *f.MaxDeferrals
		su.MaxDeferrals = &n
	}
	at := strings.TrimSpace(f.InstallAt)
	switch {
	case action == jamf.ActionDownloadInstallSchedule && at == "":
		return su, errors.New("download-install-schedule needs --install-at (device-local time, e.g. 2026-12-01T18:00)")
	case action != jamf.ActionDownloadInstallSchedule && at != "":
		return su, errors.New("--install-at only applies to download-install-schedule")
	case at != "":
		t, err := parseLocalDateTime(at)
		if err != nil {
			return su, err
		}
		su.InstallAt = t.Format(jamf.LocalDateTimeLayout)
	}
	return su, nil
}

// parseLocalDateTime reads a zone-less date and time, with or without seconds.
func parseLocalDateTime(s string) (time.Time, error) {
	for _, layout := range []string{jamf.LocalDateTimeLayout, "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--install-at %q: want the device-local date and time as 2026-12-01T18:00[:00], without a zone", s)
}

// Config is the plan configuration every plan of the job is created with.
func (su SoftwareUpdate) Config() jamf.PlanConfig {
	cfg := jamf.PlanConfig{UpdateAction: su.Action, VersionType: su.VersionType, MaxDeferrals: su.MaxDeferrals,
		ForceInstallLocalDateTime: su.InstallAt}
	if su.VersionType == jamf.VersionSpecific {
		cfg.SpecificVersion = su.Specific.String()
	}
	return cfg
}

// String describes the request for people ("software update to 26.2, download-install").
func (su SoftwareUpdate) String() string {
	s := "software update to " + su.Version + ", " + su.ActionWord
	if su.MaxDeferrals != nil {
		s += fmt.Sprintf(" (at most %d deferrals)", *su.MaxDeferrals)
	}
	if su.InstallAt != "" {
		s += " at " + su.InstallAt + " device time"
	}
	return s
}
