package netsafe

import "testing"

func TestParseBaseURL(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"https://a.jamfcloud.com": true, "https://a.jamfcloud.com/base": true, "http://127.0.0.1:1": true,
		"http://localhost": true, "http://[::1]:8": true, "http://10.1.1.1": false, "http://a.example.com": false,
		"ftp://a": false, "a.jamfcloud.com": false, "https://u:p@a.com": false, "": false,
	} {
		u, err := ParseBaseURL(raw, "X", "X_URL")
		if (err == nil) != ok {
			t.Errorf("%q: err = %v, want ok=%v", raw, err, ok)
		}
		if err == nil && u.Path[len(u.Path)-1] != '/' {
			t.Errorf("%q: no trailing slash", raw)
		}
	}
}
