package jamf

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The fuzz targets feed server data to every decoder: none may panic or hang.

func FuzzParseOAuthToken(f *testing.F) {
	f.Add([]byte(`{"access_token":"a.b.c","token_type":"Bearer","scope":"api-role:1","expires_in":60}`))
	f.Add([]byte(`{"access_token":"","expires_in":-1}`))
	f.Add([]byte(`{"expires_in":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := ParseOAuthToken(data)
		if err == nil && (tok.AccessToken == "" || tok.ExpiresIn <= 0) {
			t.Fatalf("accepted an unusable token: %+v", tok)
		}
	})
}

func FuzzParseUserToken(f *testing.F) {
	f.Add([]byte(`{"token":"x","expires":"2026-03-01T12:30:00.000Z"}`))
	f.Add([]byte(`{"token":"x","expires":"not a date"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, exp, err := ParseUserToken(data)
		if err == nil && (tok.Token == "" || exp.IsZero()) {
			t.Fatalf("accepted an unusable token: %+v %v", tok, exp)
		}
	})
}

func FuzzParseErrorBody(f *testing.F) {
	f.Add("application/json", []byte(`{"httpStatus":403,"errors":[{"code":"INVALID_PRIVILEGE","description":"Forbidden","id":"0","field":null}]}`))
	f.Add("text/html", []byte(`<html><head><title>Status page</title></head><body><p>Conflict</p><p>Error: Duplicate name</p></body></html>`))
	f.Add("application/json", []byte(`{"error":"invalid_client"}`))
	f.Add("text/html", []byte(`<br>An error has occurred.<br>Invalid resource type<br><br>`))
	f.Add("", []byte("<p><p><p"))
	f.Fuzz(func(t *testing.T, ctype string, data []byte) {
		_, msg := parseErrorBody(ctype, data)
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("message spans lines: %q", msg)
		}
		if len([]rune(msg)) > 301 {
			t.Fatalf("message of %d runes", len([]rune(msg)))
		}
	})
}

func FuzzParseComputerHistoryXML(f *testing.F) {
	f.Add([]byte(`<computer_history><commands><completed><command><name>DeviceInformation</name><status>Acknowledged</status><issued_epoch>1772182800000</issued_epoch><completed_epoch>1772182804000</completed_epoch></command></completed><pending><command><name>RestartDevice</name><status>Pending</status><issued_utc>2026-02-28T17:05:00.000+0000</issued_utc><last_push_epoch>1772298301000</last_push_epoch></command></pending><failed><command><name>InstallProfile</name><status>The profile could not be installed.</status><failed_epoch>1772100005000</failed_epoch></command></failed></commands></computer_history>`))
	f.Add([]byte(`<computer_history><commands><pending><command><issued_epoch>99999999999999999999</issued_epoch></command></pending></commands></computer_history>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseComputerHistoryXML(data)
		if err == nil && h == nil {
			t.Fatal("nil history without an error")
		}
	})
}

func FuzzParseMobileDeviceHistoryXML(f *testing.F) {
	f.Add([]byte(`<mobile_device_history><management_commands><completed><command><name>DeviceLock</name><status>Acknowledged</status><date_time_completed_epoch>1772182804000</date_time_completed_epoch></command></completed><failed><command><name>ClearPasscode</name><error>The device is not supervised.</error></command></failed></management_commands></mobile_device_history>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseMobileDeviceHistoryXML(data)
		if err == nil && h == nil {
			t.Fatal("nil history without an error")
		}
	})
}

// FuzzDecodeJamfProJSON decodes paged Jamf Pro API bodies into every
// response type the client reads.
func FuzzDecodeJamfProJSON(f *testing.F) {
	f.Add([]byte(`{"totalCount":1,"results":[{"id":"117","udid":"6C1B","general":{"name":"LAB","lastCheckIn":"2026-02-28T17:02:45Z","managementId":"4b3e"},"hardware":{"serialNumber":"C02"},"operatingSystem":{"version":"15.3.1"}}]}`))
	f.Add([]byte(`{"totalCount":2,"results":[{"uuid":"7d1f","dateSent":"2026-02-28T17:05:00.000Z","dateCompleted":null,"client":{"managementId":"4b3e","clientType":"COMPUTER"},"commandState":"ERROR","commandType":"RESTART_DEVICE","commandError":{"errorCode":12021}}]}`))
	f.Add([]byte(`{"totalCount":1,"results":[{"groupPlatformId":"u","groupJamfProId":"1","groupName":"g","groupType":"MOBILE","smart":true,"membershipCount":3}]}`))
	f.Add([]byte(`{"totalCount":1,"results":[{"mobileDeviceId":"1","deviceType":"iOS","general":{"lastContactDate":12},"hardware":{}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c pageBody[Computer]
		_ = json.Unmarshal(data, &c)
		var m pageBody[Command]
		if json.Unmarshal(data, &m) == nil {
			for _, cmd := range m.Results {
				_ = cmd.CommandError.Text()
			}
		}
		var g pageBody[Group]
		_ = json.Unmarshal(data, &g)
		var d pageBody[mobileDeviceDetail]
		if json.Unmarshal(data, &d) == nil {
			for _, x := range d.Results {
				_ = x.flat()
			}
		}
		var mm pageBody[MobileDevice]
		_ = json.Unmarshal(data, &mm)
		var a Authorization
		_ = json.Unmarshal(data, &a)
		_, _ = ParseHrefResponses(data)
	})
}

// FuzzDecodeClassicJSON decodes Classic JSON documents.
func FuzzDecodeClassicJSON(f *testing.F) {
	f.Add([]byte(`{"computer_group":{"id":10,"name":"Exec","is_smart":false,"computers":[{"id":1,"name":"a","serial_number":"C"}]}}`))
	f.Add([]byte(`{"computer_group":{"computers":{}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var body struct {
			ComputerGroup ClassicComputerGroup `json:"computer_group"`
		}
		_ = json.Unmarshal(data, &body)
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"2026-02-28T17:02:45Z", "1772298165000", "2026-02-28 17:02:45", "", "null", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := ParseTime(s)
		if ok && tm.IsZero() {
			t.Fatal("ok with a zero time")
		}
		var jt Time
		data, _ := json.Marshal(s)
		if err := jt.UnmarshalJSON(data); err != nil {
			t.Fatal(err)
		}
		if ok && tm.Year() > 1970 && !jt.Equal(tm) {
			t.Fatalf("JSON and string parse disagree: %v vs %v", jt.Time, tm)
		}
		_ = jt.Add(time.Second)
	})
}

// FuzzFilterBuilder checks that user values never escape their quotes: the
// built expression always has balanced, escaped quotes.
func FuzzFilterBuilder(f *testing.F) {
	f.Add("general.name", `Bob's "Mac"\`)
	f.Add("id", `1,2);(x==y`)
	f.Fuzz(func(t *testing.T, field, value string) {
		for _, flt := range []Filter{Eq(field, value), In(field, value, value), And(Eq(field, value), Ne(field, value))} {
			s := string(flt)
			inQuote, escaped := false, false
			for _, r := range s {
				switch {
				case escaped:
					escaped = false
				case inQuote && r == '\\':
					escaped = true
				case r == '"':
					inQuote = !inQuote
				case !inQuote && strings.ContainsRune(value, r) && strings.ContainsRune(`"'\`, r):
					t.Fatalf("value character %q outside quotes in %s", r, s)
				}
			}
			if inQuote || escaped {
				t.Fatalf("unbalanced quotes in %s", s)
			}
		}
	})
}
