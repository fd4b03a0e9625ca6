package mass

import (
	"context"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// TestDuplicateCheckCostsAPagePerFilter: the duplicate check of a big
// fleet with a long command history reads only the commands of the type
// being sent, so it costs one request per 200 devices (one =in= filter),
// not a page per few hundred old commands of every other type.
func TestDuplicateCheckCostsAPagePerFilter(t *testing.T) {
	t.Parallel()
	const n = 1000
	e := newEnv(t, jamftest.Options{Computers: n}, "", "")
	list, _, err := e.c.Computers.List(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var devs []ops.Device
	var ids []string
	for _, c := range list {
		d := ops.FromComputer(c)
		devs = append(devs, d)
		ids = append(ids, d.ManagementID)
	}
	// A long history: ten rounds of a routine inventory command.
	for range 10 {
		for i := 0; i < len(ids); i += 500 {
			if _, _, err := e.c.MDM.SendCommand(context.Background(), jamf.PlatformComputer, jamf.CommandData{CommandType: "SECURITY_INFO"}, ids[i:min(i+500, len(ids))]); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := e.srv.Log().Requests("GET /api/v2/mdm/commands")
	k := fast()
	k.AllowDuplicates = false
	if _, _, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "RESTART_DEVICE"}, Knobs: k, Devices: devs, Now: t0}); err != nil {
		t.Fatal(err)
	}
	got := e.srv.Log().Requests("GET /api/v2/mdm/commands") - before
	if want := (n + 199) / 200; got > want {
		t.Fatalf("the duplicate check of %d devices made %d command-list requests, want at most %d", n, got, want)
	}
}
