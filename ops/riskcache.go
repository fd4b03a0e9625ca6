package ops

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/atomicfile"
	"github.com/jamfops/jamfops/jsc"
)

// RiskSnapshot is the last full JSC device listing of one tenant and
// application, kept so that the risk screen and `risk list --max-age` can
// show it at once instead of spending the day's Risk API budget again. It
// holds no secret.
type RiskSnapshot struct {
	Tenant  string         `json:"tenant"`
	AppID   string         `json:"appId"`
	Taken   time.Time      `json:"taken"`
	Devices []cachedRisk   `json:"devices"`
	byID    map[string]int `json:"-"`
}

// cachedRisk is one device of a snapshot, in a stable on-disk shape.
type cachedRisk struct {
	ID         string    `json:"id"`
	ExternalID string    `json:"externalId,omitempty"`
	Risk       jsc.Level `json:"risk"`
	Name       string    `json:"name,omitempty"`
	UserName   string    `json:"userName,omitempty"`
	UserEmail  string    `json:"userEmail,omitempty"`
	OSType     string    `json:"osType,omitempty"`
	// Times are epoch milliseconds: a 100,000-device snapshot decodes
	// several times faster than with RFC 3339 strings.
	LastSeen int64 `json:"lastSeenMs,omitempty"`
	JoinDate int64 `json:"joinMs,omitempty"`
}

func toMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMs(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// NewRiskSnapshot records a full listing taken at the given time.
func NewRiskSnapshot(tenant, appID string, taken time.Time, devices []jsc.Device) *RiskSnapshot {
	s := &RiskSnapshot{Tenant: tenant, AppID: appID, Taken: taken.UTC(), Devices: make([]cachedRisk, len(devices))}
	for i, d := range devices {
		s.Devices[i] = cachedRisk{ID: d.ID, ExternalID: d.ExternalID, Risk: d.Risk, Name: d.Name, UserName: d.UserName,
			UserEmail: d.UserEmail, OSType: d.OSType, LastSeen: toMs(d.LastSeen), JoinDate: toMs(d.JoinDate)}
	}
	return s
}

// JSCDevices returns the snapshot's devices.
func (s *RiskSnapshot) JSCDevices() []jsc.Device {
	out := make([]jsc.Device, len(s.Devices))
	for i, d := range s.Devices {
		out[i] = jsc.Device{ID: d.ID, ExternalID: d.ExternalID, Risk: d.Risk, Name: d.Name, UserName: d.UserName,
			UserEmail: d.UserEmail, OSType: d.OSType, LastSeen: fromMs(d.LastSeen), JoinDate: fromMs(d.JoinDate)}
	}
	return out
}

// Update replaces the records of devices read again since the listing (a
// read-back after a change), leaving Taken as it was: the rest of the
// snapshot is no fresher than before.
func (s *RiskSnapshot) Update(devices []jsc.Device) {
	if s.byID == nil {
		s.byID = make(map[string]int, len(s.Devices))
		for i, d := range s.Devices {
			s.byID[d.ID] = i
		}
	}
	for _, d := range devices {
		i, ok := s.byID[d.ID]
		if !ok {
			continue
		}
		s.Devices[i].Risk = d.Risk
		if !d.LastSeen.IsZero() {
			s.Devices[i].LastSeen = toMs(d.LastSeen)
		}
	}
}

// Age says how old the snapshot is at now.
func (s *RiskSnapshot) Age(now time.Time) time.Duration { return now.Sub(s.Taken) }

// RiskCacheFile is where the snapshot of one tenant and application lives in
// dir (the user cache directory): one file per pair, named by a hash so that
// neither the URL nor the application ID appears in a file name.
func RiskCacheFile(dir, tenant, appID string) string {
	sum := sha256.Sum256([]byte(strings.TrimRight(tenant, "/") + "\n" + appID))
	return filepath.Join(dir, "risk-"+hex.EncodeToString(sum[:8])+".json")
}

// RiskCacheDir is jamfops's directory in the user cache directory, where
// risk snapshots live.
func RiskCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory for the risk cache: %w", err)
	}
	return filepath.Join(dir, "jamfops"), nil
}

// RiskBudgetFile is where the day's Risk API request count of one
// application lives in dir (the user data directory), shared by every
// jamfops process (see internal/daycount): the daily limit is per
// application, so one file per application, named by a hash.
func RiskBudgetFile(dir, tenant, appID string) string {
	sum := sha256.Sum256([]byte(strings.TrimRight(tenant, "/") + "\n" + appID))
	return filepath.Join(dir, "budget", "jsc-"+hex.EncodeToString(sum[:8])+".json")
}

// Pages is how many listing requests the snapshot's tenant costs (100
// devices a page, one more for the short last page).
func (s *RiskSnapshot) Pages() int { return len(s.Devices)/100 + 1 }

// SaveRiskSnapshot writes the snapshot atomically (a temporary file renamed
// over the old one), mode 0600 in a 0700 directory, so a crash leaves either
// the old snapshot or the new one, never half of one.
func SaveRiskSnapshot(path string, s *RiskSnapshot) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}

// LoadRiskSnapshot reads the snapshot of tenant and appID from path. A
// missing file is os.ErrNotExist; a file of another tenant or application,
// or one that does not parse, is an error (callers then read afresh).
func LoadRiskSnapshot(path, tenant, appID string) (*RiskSnapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s RiskSnapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("risk cache %s is damaged: %w", path, err)
	}
	if strings.TrimRight(s.Tenant, "/") != strings.TrimRight(tenant, "/") || s.AppID != appID {
		return nil, fmt.Errorf("risk cache %s belongs to another tenant or application", path)
	}
	if s.Taken.IsZero() {
		return nil, fmt.Errorf("risk cache %s has no time", path)
	}
	return &s, nil
}
