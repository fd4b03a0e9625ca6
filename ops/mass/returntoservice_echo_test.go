package mass

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestServerEchoingTheProfileLeavesNoTraceOfIt: a server that refuses the
// erase with a 400 whose error description repeats the request body (the
// profile, base64-encoded) must not get that body into the journal, the
// audit log or the failure reason the console shows.
func TestServerEchoingTheProfileLeavesNoTraceOfIt(t *testing.T) {
	t.Parallel()
	e, devs := newMobileEnv(t, 12)
	target, _ := url.Parse(e.srv.URL)
	forward := httputil.NewSingleHostReverseProxy(target)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/api/v2/mdm/commands") {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"httpStatus":400,"errors":[{"code":"INVALID_FIELD","description":` + jsonString(string(body)) + `}]}`))
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(echo.Close)
	c, err := jamf.NewClient(echo.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	const password = "hunter2-office-psk"
	path := wifiProfile(t, password)
	ref, data, err := ReadProfile(path, WiFiPayload)
	if err != nil {
		t.Fatal(err)
	}
	a := Action{Kind: KindCommand, CommandType: "ERASE_DEVICE", ReturnToService: &ReturnToService{WiFiProfile: &ref}}
	k := fast()
	k.MaxFailureRate = 0
	_, _, events, done := e.startAction(t, devs, a, k)
	waitDone(t, events, done)
	encoded := base64.StdEncoding.EncodeToString(data)
	leaks := [][]byte{[]byte(password), []byte(encoded[:40]), []byte(encoded[len(encoded)-40:])}
	failed := 0
	jobs, err := ListJobs(e.dir)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs %v %v", jobs, err)
	}
	for i, s := range jobs[0].State.Targets {
		if s != StateFailed {
			continue
		}
		failed++
		if why := jobs[0].State.Reasons[i]; !strings.Contains(why, "400") {
			t.Fatalf("failure reason %q does not say what the server answered", why)
		}
	}
	if failed == 0 {
		t.Fatal("no send failed: the echoing server was not reached")
	}
	for _, dir := range []string{e.dir, filepath.Dir(e.audit.Path())} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			for _, leak := range leaks {
				if bytes.Contains(b, leak) {
					t.Fatalf("%s holds the profile's content: %s", f, b)
				}
			}
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestScrubSecretsCatchesACutEcho: an echo cut short, or a PIN, is
// redacted; base64-looking text that is not a piece of a secret is kept.
func TestScrubSecretsCatchesACutEcho(t *testing.T) {
	t.Parallel()
	data := base64.StdEncoding.EncodeToString([]byte("<plist><key>Password</key><string>hunter2-office-psk</string></plist>"))
	fields := map[string]any{"pin": "123456", "returnToService": map[string]any{"enabled": true, "wifiProfileData": data}}
	secrets := sentSecrets(fields)
	msg := `400: INVALID_FIELD: "wifiProfileData":"` + data[:30] + `… pin 123456; request 0f5c3b2a1d4e4c6b9a8f7e6d5c4b3a21`
	got := scrubSecrets(msg, secrets)
	if strings.Contains(got, data[:minEchoRun]) || strings.Contains(got, "123456") {
		t.Fatalf("scrubbed %q", got)
	}
	if !strings.Contains(got, "0f5c3b2a1d4e4c6b9a8f7e6d5c4b3a21") || !strings.Contains(got, "400: INVALID_FIELD") {
		t.Fatalf("scrubbed too much: %q", got)
	}
}
