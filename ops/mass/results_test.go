package mass

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestResultsHaveOneCamelCaseSchema: the JSON rows carry exactly the CSV
// columns, in camelCase, with the batch, the command's UUID and the time.
func TestResultsHaveOneCamelCaseSchema(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jamftest.Options{Computers: 30}, "", "")
	devs := e.devices(t, true)
	_, _, events, done := e.start(t, devs, "DEVICE_INFORMATION", fast())
	waitDone(t, events, done)
	jobs, _ := ListJobs(e.dir)
	rows := Results(jobs[0].Plan, jobs[0].State)
	data, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	var generic []map[string]any
	_ = json.Unmarshal(data, &generic)
	var keys []string
	for k := range generic[0] {
		keys = append(keys, k)
	}
	want := slices.Clone(ResultColumns())
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("JSON keys %v, CSV columns %v", keys, want)
	}
	uuids := map[string]bool{}
	for _, c := range e.srv.Log().Commands() {
		uuids[c.UUID] = true
	}
	for _, r := range rows {
		if r.State != StateSent || r.Batch == 0 || !uuids[r.RequestID] || r.Time == nil || r.Kind != "computer" {
			t.Fatalf("row %+v", r)
		}
	}
	var b strings.Builder
	if err := WriteResultsCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if lines[0] != strings.Join(ResultColumns(), ",") || len(lines) != len(rows)+1 {
		t.Fatalf("CSV %q", lines[0])
	}
}
