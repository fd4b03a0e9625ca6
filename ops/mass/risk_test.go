package mass

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
)

func TestRiskJobThroughTheRunner(t *testing.T) {
	t.Parallel()
	var devs []jsctest.ExternalDevice
	for i := range 150 {
		devs = append(devs, jsctest.ExternalDevice{UDID: time.Unix(int64(i), 0).Format("0000AAAA-150405"), Name: "Mac", OSType: "MAC_OS"})
	}
	rs := jsctest.NewServer(jsctest.Options{Devices: devs})
	t.Cleanup(rs.Close)
	rc, _ := jsc.NewClient(rs.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, jsc.WithBatchSize(25))
	list, err := rc.ListDevices(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fleet := ops.JoinRisk(list, nil)
	k := RiskKnobs()
	k.BatchSize = 25
	p, pf, err := BuildRisk(rc, RiskRequest{Server: rs.URL, Label: "test", Level: jsc.High, Reason: "drill", Knobs: k, Devices: fleet})
	if err != nil || pf.Requests != 6 || len(pf.Missing) != 0 {
		t.Fatalf("plan: %+v, %v", pf, err)
	}
	dir := t.TempDir()
	j, _ := CreateJournal(dir, p)
	_, st, _ := ReadJournal(j.Path())
	audit, _ := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	r := NewRunner(nil, j, audit)
	r.JSC = rc
	final, err := r.Run(context.Background(), p, st)
	if err != nil || final.Ended != "done" || final.Counts()[StateSent] != 150 {
		t.Fatalf("final %v %+v", err, final.Counts())
	}
	if c := rs.Counts(); c[jsc.High] != 150 {
		t.Fatalf("server levels %v", c)
	}
	if n := rs.Log().MaxPerSecond(""); n > 5 {
		t.Fatalf("%d Risk API requests in one second", n)
	}
	entries, _, _ := audit.Read()
	if len(entries) != 150 || entries[0].Reason != "drill" || entries[0].Action != "risk set HIGH" || len(entries[0].RequestIDs) == 0 {
		t.Fatalf("audit: %d entries, first %+v", len(entries), entries[0])
	}
	if _, _, err := BuildRisk(rc, RiskRequest{Knobs: k, Devices: fleet}); err == nil {
		t.Fatal("a risk plan without a reason was built")
	}
}
