package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// searchOut is the documented JSON of jamfops search (README, "search").
type searchOut struct {
	Query   string `json:"query"`
	Matches []struct {
		Kind         string  `json:"kind"`
		ID           string  `json:"id"`
		Name         string  `json:"name"`
		Serial       string  `json:"serial"`
		User         string  `json:"user"`
		Email        string  `json:"email"`
		FullName     string  `json:"fullName"`
		Model        string  `json:"model"`
		OS           string  `json:"os"`
		UDID         string  `json:"udid"`
		ManagementID string  `json:"managementId"`
		AssetTag     string  `json:"assetTag"`
		LastCheckIn  *string `json:"lastCheckIn"`
		MatchedOn    string  `json:"matchedOn"`
		Match        string  `json:"match"`
	} `json:"matches"`
	More    bool `json:"more"`
	AtLeast int  `json:"atLeast"`
}

// fleetSample reads one computer and one mobile device with a user, to
// search for.
func fleetSample(t *testing.T, srv *jamftest.Server) (jamf.Computer, jamf.MobileDevice) {
	t.Helper()
	c, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	macs, _, err := c.Computers.FirstPage(t.Context(), nil, &jamf.ListOptions{PageSize: 20, Filter: jamf.Ne("userAndLocation.email", "")})
	if err != nil || len(macs) < 20 {
		t.Fatalf("computers: %v", err)
	}
	phones, _, err := c.MobileDevices.FirstPage(t.Context(), &jamf.ListOptions{PageSize: 10, Filter: jamf.Ne("username", "")})
	if err != nil || len(phones) < 5 {
		t.Fatalf("mobile devices: %v", err)
	}
	return macs[13], phones[4]
}

func TestSearchCommand(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{Rename: map[int]string{4: "Lab Mac", 9: "Lab Mac"}})
	mac, phone := fleetSample(t, srv)
	md := ops.FromComputer(mac)
	tests := []struct {
		name, text string
		extra      []string
		kind, id   string
		on, how    string
	}{
		{"computer serial", md.Serial, nil, "computer", md.ID, "serial", "exact"},
		{"computer email", mac.UserAndLocation.Email, nil, "computer", md.ID, "email", "exact"},
		{"partial name", md.Name[1 : len(md.Name)-1], []string{"--kind", "computer"}, "computer", md.ID, "name", "contains"},
		{"mobile serial", strings.ToLower(phone.SerialNumber), nil, "mobile", phone.MobileDeviceID, "serial", "exact"},
		{"mobile user", phone.Username, []string{"--kind", "mobile"}, "mobile", "", "user", "exact"},
	}
	for _, tt := range tests {
		r := runWith(t, srv, nil, append([]string{"search", tt.text, "--json"}, tt.extra...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d %s", tt.name, r.code, r.stderr)
		}
		var out searchOut
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("%s: %v\n%s", tt.name, err, r.stdout)
		}
		found := false
		for _, m := range out.Matches {
			if m.Kind == tt.kind && (tt.id == "" || m.ID == tt.id) && m.MatchedOn == tt.on && m.Match == tt.how {
				found = true
			}
			if tt.extra != nil && m.Kind != tt.kind {
				t.Errorf("%s: --kind %s listed a %s", tt.name, tt.kind, m.Kind)
			}
		}
		if !found || out.Query != tt.text {
			t.Errorf("%s: %q did not find %s %s on %s (%s): %s", tt.name, tt.text, tt.kind, tt.id, tt.on, tt.how, r.stdout)
		}
	}
	// Every documented key is present, times are RFC 3339.
	r := runWith(t, srv, nil, "search", md.Serial, "--json")
	var raw struct {
		Matches []map[string]any `json:"matches"`
	}
	_ = json.Unmarshal([]byte(r.stdout), &raw)
	for _, k := range []string{"kind", "id", "name", "serial", "user", "email", "fullName", "model", "os", "udid", "managementId", "assetTag", "lastCheckIn", "matchedOn", "match"} {
		if _, ok := raw.Matches[0][k]; !ok {
			t.Errorf("search JSON lacks %q: %v", k, raw.Matches[0])
		}
	}

	// The table: one row per match, what matched and how.
	r = runWith(t, srv, nil, "search", md.Serial)
	if r.code != 0 || !strings.Contains(r.stdout, "LAST CHECK-IN") || !strings.Contains(r.stdout, md.Serial) || !strings.Contains(r.stdout, "serial (exact)") {
		t.Fatalf("table: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// Ambiguous: both listed.
	r = runWith(t, srv, nil, "search", "Lab Mac")
	if r.code != 0 || strings.Count(r.stdout, "Lab Mac") != 2 {
		t.Fatalf("ambiguous: %d %q", r.code, r.stdout)
	}
	// Capped: says so.
	r = runWith(t, srv, nil, "search", "a", "--limit", "3")
	if r.code != 0 || strings.Count(strings.TrimSpace(r.stdout), "\n") != 3 || !strings.Contains(r.stderr, "more match; narrow the search") {
		t.Fatalf("capped: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runWith(t, srv, nil, "search", "a", "--limit", "3", "--json")
	var capped searchOut
	if err := json.Unmarshal([]byte(r.stdout), &capped); err != nil || !capped.More || len(capped.Matches) != 3 || capped.AtLeast <= 3 {
		t.Fatalf("capped, JSON: %v %+v", err, capped)
	}
	// None: exit 1 with a message, and an empty list in JSON.
	r = runWith(t, srv, nil, "search", "NO-SUCH-DEVICE-ZZ9")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, `no device matches "NO-SUCH-DEVICE-ZZ9"`) {
		t.Fatalf("none: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runWith(t, srv, nil, "search", "NO-SUCH-DEVICE-ZZ9", "--json")
	if r.code != 1 || !strings.Contains(r.stdout, `"matches": []`) {
		t.Fatalf("none, JSON: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// Usage errors.
	for _, args := range [][]string{{"search"}, {"search", "x", "--limit", "0"}, {"search", "x", "--kind", "toaster"}, {"search", "   "}} {
		if r := runWith(t, srv, nil, args...); r.code != 2 {
			t.Errorf("%q: exit %d %q", args, r.code, r.stderr)
		}
	}
}
