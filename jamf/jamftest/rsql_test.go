package jamftest

import (
	"testing"

	"github.com/jamfops/jamfops/jamf"
)

func allFields(string) bool { return true }

func TestRSQLParse(t *testing.T) {
	t.Parallel()
	rec := map[string]string{"general.name": `Bob's "Mac"`, "id": "12", "os": "15.3", "dateSent": "2026-01-02T00:00:00.000Z"}
	get := func(f string) (string, bool) { v, ok := rec[f]; return v, ok }
	tests := []struct {
		filter string
		want   bool
	}{
		{string(jamf.Eq("general.name", `Bob's "Mac"`)), true},
		{`general.name=="bob's*"`, true},
		{`general.name=="*Mac\""`, true},
		{`general.name=="Alice*"`, false},
		{`id=in=(3,12,40)`, true},
		{`id=out=(3,12,40)`, false},
		{`id=gt=9`, true},
		{`id<9`, false},
		{`id=ge=12 and id=le=12`, true},
		{`id==1 or id==12`, true},
		{`(id==1,id==2);os==15.3`, false},
		{`dateSent=ge="2026-01-01T00:00:00Z"`, true},
		{`missing==x`, false},
	}
	for _, tt := range tests {
		n, err := parseRSQL(tt.filter, allFields)
		if err != nil {
			t.Errorf("parse %s: %v", tt.filter, err)
			continue
		}
		if got := n.eval(get); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.filter, got, tt.want)
		}
	}
	for _, bad := range []string{``, `id`, `id==`, `id=in=1`, `(id==1`, `id=="x`, `id==1;`, `==1`} {
		if _, err := parseRSQL(bad, allFields); err == nil {
			t.Errorf("parse %q: no error", bad)
		}
	}
	if _, err := parseRSQL(`general.lastContactTime=="x"`, func(f string) bool { return f != "general.lastContactTime" }); err == nil {
		t.Error("an unknown field was accepted")
	}
}

// FuzzFilterRoundTrip checks that whatever value the client's builder
// quotes, the server's parser reads back exactly that value.
func FuzzFilterRoundTrip(f *testing.F) {
	f.Add(`Bob's "Mac"\`)
	f.Add(`a,b);(c==d`)
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, value string) {
		n, err := parseRSQL(string(jamf.Eq("general.name", value)), allFields)
		if err != nil {
			t.Fatalf("server cannot parse the builder's filter for %q: %v", value, err)
		}
		c, ok := n.(rsqlComparison)
		if !ok || c.op != "==" || len(c.args) != 1 || c.args[0].text() != value {
			t.Fatalf("round trip of %q gave %+v", value, n)
		}
	})
}

// FuzzParseRSQL feeds arbitrary filters to the server's parser.
func FuzzParseRSQL(f *testing.F) {
	f.Add(`(a==1,b=in=("x","y"));c=ge=2 and d!="*z*"`)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseRSQL(s, allFields)
		if err == nil {
			n.eval(func(string) (string, bool) { return "v", true })
		}
	})
}
