package jsc

import (
	"encoding/json"
	"testing"
)

func FuzzParseLoginResponse(f *testing.F) {
	f.Add([]byte(`{"token":"a.eyJleHAiOjE3Njc0NDAwMDB9.c"}`))
	f.Add([]byte(`{"token":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := ParseLoginResponse(data)
		if err == nil && tok == "" {
			t.Fatal("accepted an empty token")
		}
		_, _ = TokenExpiry(tok)
	})
}

func FuzzTokenExpiry(f *testing.F) {
	f.Add("a.eyJleHAiOjE3Njc0NDAwMDB9.c")
	f.Add("a.eyJleHAiOiIxNzY3NDQwMDAwIn0.c")
	f.Add("...")
	f.Fuzz(func(t *testing.T, tok string) {
		if exp, ok := TokenExpiry(tok); ok && exp.Unix() <= 0 {
			t.Fatalf("ok with expiry %v", exp)
		}
	})
}

func FuzzDecodeDeviceLists(f *testing.F) {
	f.Add([]byte(`{"customerId":"c","userDeviceList":[{"guid":"g","externalId":"e","riskCategory":"HIGH","user":{"name":"n"},"info":{"device":{"deviceName":"d"}},"statusUpdate":{"connector":{"lastStatusUpdateUtcMs":"1767220000000"}},"lastDnsTraffic":1767221111000,"joinDate":"x"}]}`))
	f.Add([]byte(`{"records":[{"deviceId":"d","externalId":"e","name":"n","risk":"LOW"}],"pagination":{"totalRecords":1,"totalPages":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v2 struct {
			UserDeviceList []v2Device `json:"userDeviceList"`
		}
		if json.Unmarshal(data, &v2) == nil {
			for _, d := range v2.UserDeviceList {
				dev := d.device()
				if dev.Risk.Rank() < 0 && dev.Risk != Unknown {
					t.Fatalf("level %q", dev.Risk)
				}
			}
		}
		var v1 struct {
			Records []v1Device `json:"records"`
		}
		_ = json.Unmarshal(data, &v1)
	})
}

func FuzzParseError(f *testing.F) {
	f.Add([]byte(`{"logref":"MAX_LIMIT_PER_PAGE","message":"Maximum page size is 100","error":"Bad Request","statusCode":400}`))
	f.Add([]byte("<html>oops\nmore</html>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		code, msg := ParseError(data)
		for _, s := range []string{code, msg} {
			for _, r := range s {
				if r == '\n' || r == '\r' {
					t.Fatalf("multi-line %q", s)
				}
			}
		}
	})
}
