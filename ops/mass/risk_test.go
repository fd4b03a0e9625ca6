package mass

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
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

// TestRiskJobResumes: a risk job interrupted mid-way (a signal between
// batches, then a crash after writing an intent and before sending it)
// resumes with a JSC client and changes each device exactly once.
func TestRiskJobResumes(t *testing.T) {
	t.Parallel()
	var devs []jsctest.ExternalDevice
	for i := range 100 {
		devs = append(devs, jsctest.ExternalDevice{UDID: time.Unix(int64(i), 0).Format("0000BBBB-150405"), Name: "Mac", OSType: "MAC_OS"})
	}
	rs := jsctest.NewServer(jsctest.Options{Devices: devs})
	t.Cleanup(rs.Close)
	rc, _ := jsc.NewClient(rs.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, jsc.WithBatchSize(10))
	list, err := rc.ListDevices(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	k := RiskKnobs()
	k.BatchSize, k.Rate = 10, 5
	p, _, err := BuildRisk(rc, RiskRequest{Server: rs.URL, Label: "test", Level: jsc.High, Reason: "drill", Knobs: k, Devices: ops.JoinRisk(list, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if !p.NeedsJSC() {
		t.Fatal("a risk plan does not say it needs JSC")
	}
	dir := t.TempDir()
	audit, _ := ops.OpenAuditLog(filepath.Join(t.TempDir(), "audit.jsonl"))
	j, _ := CreateJournal(dir, p)
	_, st, _ := ReadJournal(j.Path())
	if _, err := NewRunner(nil, j, audit).Run(context.Background(), p, st); err == nil || !strings.Contains(err.Error(), "JSC") {
		t.Fatalf("a risk job ran without a JSC client: %v", err)
	}

	// A signal after three batches.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := NewRunner(nil, j, audit)
	r.JSC = rc
	events := make(chan Event, 100)
	r.Events = events
	done := make(chan error, 1)
	go func() { _, err := r.Run(ctx, p, st); done <- err }()
	for ev := range events {
		if ev.Kind == EvProgress && ev.Sent >= 30 {
			cancel()
			break
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	j.Close()

	// A crash after an intent, before its request.
	j, p, st, err = OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Ended != "" || st.Counts()[StateSent] == 0 || st.Counts()[StateSent] == 100 {
		t.Fatalf("after the signal: ended %q, %v", st.Ended, st.Counts())
	}
	intents := 0
	j.beforeWrite = func(r record, line []byte) error {
		if r.T == "intent" {
			if intents++; intents == 2 {
				_ = j.log.Append(line)
				return errCrash
			}
		}
		return nil
	}
	r = NewRunner(nil, j, audit)
	r.JSC = rc
	if _, err := r.Run(context.Background(), p, st); !errors.Is(err, errCrash) {
		t.Fatalf("second run: %v", err)
	}
	j.Close()

	j, p, st, err = OpenJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	r = NewRunner(nil, j, audit)
	r.JSC = rc
	final, err := r.Run(context.Background(), p, st)
	j.Close()
	if err != nil || final.Ended != "done" || final.Counts()[StateSent] != 100 {
		t.Fatalf("resume: %v, ended %q, %v", err, final.Ended, final.Counts())
	}
	per := map[string]int{}
	for _, o := range rs.Log().Overrides() {
		per[o.DeviceID]++
	}
	for _, tg := range p.Targets {
		if per[tg.Device.ID] != 1 {
			t.Fatalf("device %s changed %d times", tg.Device.ID, per[tg.Device.ID])
		}
	}
}
