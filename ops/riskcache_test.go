package ops_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

func TestRiskSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cache")
	tenant, app := "https://api.wandera.com", "app-1"
	path := ops.RiskCacheFile(dir, tenant, app)
	if strings.Contains(path, "wandera") || strings.Contains(path, app) {
		t.Fatalf("the file name shows the tenant or app: %s", path)
	}
	if ops.RiskCacheFile(dir, tenant, "app-2") == path || ops.RiskCacheFile(dir, "https://other", app) == path {
		t.Fatal("two tenants or applications share a cache file")
	}
	if _, err := ops.LoadRiskSnapshot(path, tenant, app); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing cache: %v", err)
	}
	taken := time.Date(2026, 11, 28, 14, 2, 0, 0, time.UTC)
	devs := []jsc.Device{{ID: "a", ExternalID: "udid-a", Risk: jsc.High, Name: "Ada's Mac"}, {ID: "b", Risk: jsc.Secure, Name: "Bo's iPhone"}}
	if err := ops.SaveRiskSnapshot(path, ops.NewRiskSnapshot(tenant, app, taken, devs)); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file mode: %v %v", err, fi.Mode())
	}
	snap, err := ops.LoadRiskSnapshot(path, tenant, app)
	if err != nil {
		t.Fatal(err)
	}
	got := snap.JSCDevices()
	if len(got) != 2 || got[0] != devs[0] || got[1] != devs[1] || !snap.Taken.Equal(taken) {
		t.Fatalf("round trip: %+v at %v", got, snap.Taken)
	}
	if age := snap.Age(taken.Add(3 * time.Minute)); age != 3*time.Minute {
		t.Fatalf("age %v", age)
	}
	snap.Update([]jsc.Device{{ID: "a", Risk: jsc.Secure}, {ID: "zz", Risk: jsc.High}})
	if got := snap.JSCDevices(); got[0].Risk != jsc.Secure || got[0].Name != "Ada's Mac" || len(got) != 2 {
		t.Fatalf("update: %+v", got)
	}
	if _, err := ops.LoadRiskSnapshot(path, tenant, "app-2"); err == nil {
		t.Fatal("another application's snapshot was accepted")
	}
	// A torn file (a crash mid-write of an older version) is refused, not half used.
	if err := os.WriteFile(path, []byte(`{"tenant":"https://api.wandera.com","appId":"app-1","taken":"2026-11-28T14:02:00Z","devices":[{"id":"a"`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.LoadRiskSnapshot(path, tenant, app); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("torn cache: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".risk-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
