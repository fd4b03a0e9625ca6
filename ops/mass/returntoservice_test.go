package mass

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
)

// wifiProfile writes a Wi-Fi profile carrying a network password.
func wifiProfile(t *testing.T, password string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "office-wifi.mobileconfig")
	body := `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>PayloadContent</key><array><dict>` +
		`<key>PayloadType</key><string>com.apple.wifi.managed</string><key>SSID_STR</key><string>Office</string>` +
		`<key>Password</key><string>` + password + `</string></dict></array></dict></plist>`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEraseReturnToServiceCarriesTheProfileNotTheJournal: an erase with
// return to service sends returnToService {enabled, wifiProfileData} (read
// from jamftest's log, which validates the object against the spec), while
// the journal and the audit log keep only the profile's path and hash:
// the Wi-Fi password is in neither.
func TestEraseReturnToServiceCarriesTheProfileNotTheJournal(t *testing.T) {
	t.Parallel()
	e, devs := newMobileEnv(t, 30)
	const password = "correct-horse-battery-staple"
	path := wifiProfile(t, password)
	ref, data, err := ReadProfile(path, WiFiPayload)
	if err != nil {
		t.Fatal(err)
	}
	a := Action{Kind: KindCommand, CommandType: "ERASE_DEVICE", ReturnToService: &ReturnToService{WiFiProfile: &ref}}
	_, _, events, done := e.startAction(t, devs, a, fast())
	waitDone(t, events, done)
	sent := 0
	for _, c := range e.srv.Log().Commands() {
		if c.CommandType != "ERASE_DEVICE" {
			continue
		}
		sent++
		rts, _ := c.Fields["returnToService"].(map[string]any)
		if rts["enabled"] != true || rts["wifiProfileData"] != base64.StdEncoding.EncodeToString(data) {
			t.Fatalf("the erase carried %v", c.Fields)
		}
	}
	if sent == 0 {
		t.Fatal("no erase was sent")
	}
	leaks := [][]byte{[]byte(password), []byte(base64.StdEncoding.EncodeToString(data)[:40])}
	for _, dir := range []string{e.dir, filepath.Dir(e.audit.Path())} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			for _, leak := range leaks {
				if bytes.Contains(b, leak) {
					t.Fatalf("%s holds the profile's content", f)
				}
			}
			if strings.HasSuffix(f, ".jsonl") && !bytes.Contains(b, []byte(ref.SHA256)) {
				t.Fatalf("%s does not record the profile's hash", f)
			}
		}
	}
}

// TestReturnToServiceProfileChangedAfterPlanningStopsTheJob: the runner
// reads the profile again and sends nothing when it is not the one planned.
func TestReturnToServiceProfileChangedAfterPlanningStopsTheJob(t *testing.T) {
	t.Parallel()
	e, devs := newMobileEnv(t, 10)
	path := wifiProfile(t, "first")
	ref, _, err := ReadProfile(path, WiFiPayload)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "ERASE_DEVICE",
		ReturnToService: &ReturnToService{WiFiProfile: &ref}}, Knobs: fast(), Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	j, err := CreateJournal(e.dir, p)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	wifiProfileAt(t, path, "second")
	_, st, _ := ReadJournal(j.Path())
	_, err = NewRunner(e.c, j, e.audit).Run(context.Background(), p, st)
	if err == nil || !strings.Contains(err.Error(), "changed since the job was planned") {
		t.Fatalf("run after the profile changed: %v", err)
	}
	for _, c := range e.srv.Log().Commands() {
		if c.CommandType == "ERASE_DEVICE" {
			t.Fatal("an erase was sent with a profile that changed")
		}
	}
}

func wifiProfileAt(t *testing.T, path, password string) {
	t.Helper()
	b, err := os.ReadFile(wifiProfile(t, password))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReturnToServiceIsRefusedWhereItCannotWork: before anything is sent.
func TestReturnToServiceIsRefusedWhereItCannotWork(t *testing.T) {
	t.Parallel()
	e, devs := newMobileEnv(t, 20)
	ref, _, err := ReadProfile(wifiProfile(t, "x"), WiFiPayload)
	if err != nil {
		t.Fatal(err)
	}
	macs := newEnv(t, jamftest.Options{Computers: 5}, "", "")
	build := func(env env, a Action, devs []ops.Device) error {
		_, _, err := Build(context.Background(), env.c, Request{Action: a, Knobs: fast(), Devices: devs, Now: t0})
		return err
	}
	erase := func(r *ReturnToService) Action {
		return Action{Kind: KindCommand, CommandType: "ERASE_DEVICE", ReturnToService: r}
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"no Wi-Fi profile for iPhones", build(e, erase(&ReturnToService{}), devs), "needs --wifi-profile"},
		{"Macs", build(macs, erase(&ReturnToService{WiFiProfile: &ref}), macs.devices(t, true)), "applies to iOS/iPadOS, Shared iPad, tvOS only"},
		{"not an erase", build(e, Action{Kind: KindCommand, CommandType: "RESTART_DEVICE", ReturnToService: &ReturnToService{WiFiProfile: &ref}}, devs), "option of ERASE_DEVICE"},
		{"a profile gone", build(e, erase(&ReturnToService{WiFiProfile: &ProfileFile{Path: filepath.Join(t.TempDir(), "gone"), SHA256: ref.SHA256}}), devs), "no such file"},
	}
	for _, c := range cases {
		if !errors.Is(c.err, ErrUsage) || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: %v, want a usage error saying %q", c.name, c.err, c.want)
		}
	}
	if _, _, err := ReadProfile(wifiProfile(t, "x"), MDMPayload); err == nil || !strings.Contains(err.Error(), "no com.apple.mdm payload") {
		t.Errorf("a Wi-Fi profile given as the MDM profile: %v", err)
	}
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("com.apple.wifi.managed"), 60000), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadProfile(big, WiFiPayload); err == nil || !strings.Contains(err.Error(), "over 1 MiB") {
		t.Errorf("a 1.3 MB file: %v", err)
	}
}

// TestReadProfileRefusesWhatIsNotAFile: a named pipe (nobody writing),
// a directory and an endless device are refused at once, with an error
// and no hang or unbounded read.
func TestReadProfileRefusesWhatIsNotAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "wifi.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	for _, path := range []string{fifo, dir, "/dev/zero"} {
		done := make(chan error, 1)
		go func() { _, _, err := ReadProfile(path, WiFiPayload); done <- err }()
		select {
		case err := <-done:
			if err == nil {
				t.Fatalf("%s: read as a profile", path)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: reading it did not return in 5 s", path)
		}
	}
}

// TestProfileReferenceWithABadHashDoesNotPanic: a journal edited by hand
// (or cut short) may hold a profile hash shorter than 12 characters; the
// plan's description and the re-read refuse it with an error instead of
// crashing the console or the runner.
func TestProfileReferenceWithABadHashDoesNotPanic(t *testing.T) {
	t.Parallel()
	path := wifiProfile(t, "pw")
	for _, sum := range []string{"", "abc"} {
		r := &ReturnToService{WiFiProfile: &ProfileFile{Path: path, SHA256: sum}}
		a := Action{Kind: KindCommand, CommandType: "ERASE_DEVICE", ReturnToService: r}
		if s := a.ParamsText(); !strings.Contains(s, "return to service") {
			t.Fatalf("params %q", s)
		}
		if _, err := a.CommandFields(); err == nil || !strings.Contains(err.Error(), "changed since the job was planned") {
			t.Fatalf("hash %q: %v", sum, err)
		}
	}
}

// TestReturnToServiceProfileDeletedBeforeResume: a profile deleted before
// the job runs stops it before anything is sent, with the file named; put
// back unchanged, the same job runs.
func TestReturnToServiceProfileDeletedBeforeResume(t *testing.T) {
	t.Parallel()
	e, devs := newMobileEnv(t, 10)
	path := wifiProfile(t, "first")
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ref, _, err := ReadProfile(path, WiFiPayload)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := Build(context.Background(), e.c, Request{Action: Action{Kind: KindCommand, CommandType: "ERASE_DEVICE",
		ReturnToService: &ReturnToService{WiFiProfile: &ref}}, Knobs: fast(), Devices: devs, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	j, err := CreateJournal(e.dir, p)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, st, _ := ReadJournal(j.Path())
	_, err = NewRunner(e.c, j, e.audit).Run(context.Background(), p, st)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("run without the profile: %v", err)
	}
	for _, c := range e.srv.Log().Commands() {
		if c.CommandType == "ERASE_DEVICE" {
			t.Fatal("an erase was sent without its profile")
		}
	}
	if err := os.WriteFile(path, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	_, st, _ = ReadJournal(j.Path())
	if st.Ended != "" {
		t.Fatalf("the job ended (%s) though nothing was sent", st.Ended)
	}
	r := NewRunner(e.c, j, e.audit)
	r.Poll = 20 * time.Millisecond
	if _, err := r.Run(context.Background(), p, st); err != nil {
		t.Fatalf("resume with the profile back: %v", err)
	}
}

// TestReadProfileEncodings: a UTF-8 byte-order mark, CRLF line ends and a
// signed (binary) profile are read as they are (and sent byte for byte);
// a UTF-16 profile is refused
// by name rather than as a profile without a Wi-Fi payload.
func TestReadProfileEncodings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	body := "<?xml version=\"1.0\"?>\r\n<plist><dict><key>PayloadType</key><string>com.apple.wifi.managed</string></dict></plist>\r\n"
	bom := filepath.Join(dir, "bom.mobileconfig")
	if err := os.WriteFile(bom, append([]byte("\ufeff"), body...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, data, err := ReadProfile(bom, WiFiPayload); err != nil || !bytes.HasPrefix(data, []byte("\ufeff<?xml")) || !bytes.Contains(data, []byte("\r\n")) {
		t.Fatalf("BOM and CRLF: %v", err)
	}
	// A signed profile is CMS (DER): binary, the plist inside as it is.
	signed := filepath.Join(dir, "signed.mobileconfig")
	der := append([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x00}, body...)
	der = append(der, 0x00, 0x00, 0xff, 0x81)
	if err := os.WriteFile(signed, der, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, data, err := ReadProfile(signed, WiFiPayload); err != nil || !bytes.Equal(data, der) {
		t.Fatalf("signed profile: %v", err)
	}
	utf16 := []byte{0xff, 0xfe}
	for _, r := range body {
		utf16 = append(utf16, byte(r), 0)
	}
	u := filepath.Join(dir, "utf16.mobileconfig")
	if err := os.WriteFile(u, utf16, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadProfile(u, WiFiPayload); err == nil || !strings.Contains(err.Error(), "UTF-16") {
		t.Fatalf("UTF-16: %v", err)
	}
}
