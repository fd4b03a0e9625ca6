package mass

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jamfops/jamfops/ops"
)

// ProfileFile is a configuration profile a command carries, kept in the
// plan by where it is and what it was (its SHA-256), never by what it holds:
// a Wi-Fi profile carries the network's password, and secrets never go in
// a journal. The runner reads the file again when it sends and refuses a
// file that changed since the job was planned.
type ProfileFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// ReturnToService is ERASE_DEVICE's return-to-service option (iOS and
// iPadOS 17, tvOS 18): the device erases itself, joins the network of the
// Wi-Fi profile and enrolls again without anyone touching it.
type ReturnToService struct {
	// WiFiProfile is the Wi-Fi profile the erased device joins with; only
	// an Apple TV on Ethernet does without one.
	WiFiProfile *ProfileFile `json:"wifiProfile,omitempty"`
	// MDMProfile is the enrollment profile, for devices not enrolled
	// through Automated Device Enrollment (those re-enroll by ADE).
	MDMProfile *ProfileFile `json:"mdmProfile,omitempty"`
}

// returnToServicePlatforms are the platforms Jamf Pro documents return to
// service for.
func returnToServicePlatforms() []Platform { return []Platform{IOS, SharedIPad, TvOS} }

// maxProfileSize bounds a profile file: real ones are a few kilobytes.
const maxProfileSize = 1 << 20

// Payload types a profile must carry to be used as what it is given for.
const (
	WiFiPayload = "com.apple.wifi.managed"
	MDMPayload  = "com.apple.mdm"
)

// ReadProfile reads a configuration profile (signed or not) for a command:
// at most 1 MiB, and carrying the payload type it is given for, so a wrong
// file is refused before anything is sent. It returns the reference the
// plan keeps and the bytes.
func ReadProfile(path, payloadType string) (ProfileFile, []byte, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ProfileFile{}, nil, err
	}
	// Only a regular file: opening a named pipe nobody writes to blocks
	// for ever, and a device (/dev/zero) is not a profile. The file opened
	// must be the one looked at (it may be swapped in between).
	before, err := os.Stat(abs)
	if err != nil {
		return ProfileFile{}, nil, fmt.Errorf("profile %s: %w", path, errors.Unwrap(err))
	}
	if !before.Mode().IsRegular() {
		return ProfileFile{}, nil, fmt.Errorf("profile %s is %s, not a file", path, fileKind(before.Mode()))
	}
	f, err := os.Open(abs)
	if err != nil {
		return ProfileFile{}, nil, fmt.Errorf("profile %s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	if after, err := f.Stat(); err != nil || !os.SameFile(before, after) {
		return ProfileFile{}, nil, fmt.Errorf("profile %s changed while it was read; try again", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxProfileSize+1))
	switch {
	case err != nil:
		return ProfileFile{}, nil, fmt.Errorf("profile %s: %w", path, err)
	case len(data) > maxProfileSize:
		return ProfileFile{}, nil, fmt.Errorf("profile %s is over 1 MiB: not a configuration profile", path)
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return ProfileFile{}, nil, fmt.Errorf("profile %s is UTF-16: save it as UTF-8 (as Apple Configurator and Jamf Pro do)", path)
	case !bytes.Contains(data, []byte(payloadType)):
		return ProfileFile{}, nil, fmt.Errorf("profile %s has no %s payload", path, payloadType)
	}
	sum := sha256.Sum256(data)
	return ProfileFile{Path: abs, SHA256: hex.EncodeToString(sum[:])}, data, nil
}

// load reads the profile again and checks it is the one planned.
func (p ProfileFile) load(payloadType string) ([]byte, error) {
	now, data, err := ReadProfile(p.Path, payloadType)
	if err != nil {
		return nil, err
	}
	if now.SHA256 != p.SHA256 {
		return nil, fmt.Errorf("profile %s changed since the job was planned (sha256 %s…, planned %s…): plan a new job to send the new one", p.Path, shortSum(now.SHA256), shortSum(p.SHA256))
	}
	return data, nil
}

// shortSum is the first 12 characters of a hash, for messages; a hash
// from a journal edited by hand may be shorter (or not hex at all).
func shortSum(sum string) string {
	if len(sum) > 12 {
		sum = sum[:12]
	}
	return ops.Clean(sum)
}

// fileKind names what a path that is not a regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// check validates the option against the command and the targets' platforms.
func (r *ReturnToService) check(a Action, devices []ops.Device) error {
	if a.CommandType != "ERASE_DEVICE" {
		return fmt.Errorf("--return-to-service is an option of ERASE_DEVICE, not %s", a.CommandType)
	}
	have := map[Platform]bool{}
	for _, d := range devices {
		have[DevicePlatform(d)] = true
	}
	if !slices.ContainsFunc(returnToServicePlatforms(), func(p Platform) bool { return have[p] }) {
		return fmt.Errorf("--return-to-service applies to %s only, and no target is", platformNames(returnToServicePlatforms()))
	}
	if r.WiFiProfile == nil && (have[IOS] || have[SharedIPad]) {
		return errors.New("--return-to-service needs --wifi-profile FILE: an erased iPhone or iPad has no network to enroll again over (only an Apple TV on Ethernet goes without one)")
	}
	if r.WiFiProfile != nil {
		if _, err := r.WiFiProfile.load(WiFiPayload); err != nil {
			return err
		}
	}
	if r.MDMProfile != nil {
		if _, err := r.MDMProfile.load(MDMPayload); err != nil {
			return err
		}
	}
	return nil
}

// commandData is the returnToService object of the command body, with the
// profiles read again (and checked against the plan) base64-encoded.
func (r *ReturnToService) commandData() (map[string]any, error) {
	out := map[string]any{"enabled": true}
	if r.WiFiProfile != nil {
		data, err := r.WiFiProfile.load(WiFiPayload)
		if err != nil {
			return nil, err
		}
		out["wifiProfileData"] = base64.StdEncoding.EncodeToString(data)
	}
	if r.MDMProfile != nil {
		data, err := r.MDMProfile.load(MDMPayload)
		if err != nil {
			return nil, err
		}
		out["mdmProfileData"] = base64.StdEncoding.EncodeToString(data)
	}
	return out, nil
}

// text describes the option for previews, confirmations and the audit.
func (r *ReturnToService) text() string {
	s := "return to service"
	if r.WiFiProfile != nil {
		s += fmt.Sprintf(", Wi-Fi profile %s (sha256 %s…)", filepath.Base(r.WiFiProfile.Path), shortSum(r.WiFiProfile.SHA256))
	}
	if r.MDMProfile != nil {
		s += fmt.Sprintf(", MDM profile %s (sha256 %s…)", filepath.Base(r.MDMProfile.Path), shortSum(r.MDMProfile.SHA256))
	}
	return s
}

// CommandFields are the command body's fields as sent: the plan's
// parameters and, for return to service, the profiles read from their files
// (refused when a file changed since the job was planned).
func (a Action) CommandFields() (map[string]any, error) {
	if a.ReturnToService == nil {
		return a.Fields, nil
	}
	rts, err := a.ReturnToService.commandData()
	if err != nil {
		return nil, err
	}
	out := maps.Clone(a.Fields)
	if out == nil {
		out = map[string]any{}
	}
	out["returnToService"] = rts
	return out, nil
}

// sentSecrets are the values of a command body that must never come back
// in what jamfops records: the profiles' data (a Wi-Fi password) and a
// PIN. A server may repeat the request in its error (a hostile or a
// careless one), and that text goes into the journal and the audit log.
func sentSecrets(fields map[string]any) []string {
	var out []string
	for k, v := range fields {
		switch x := v.(type) {
		case string:
			if k == "pin" && x != "" {
				out = append(out, x)
			}
		case map[string]any:
			out = append(out, sentSecrets(x)...)
			for _, name := range []string{"wifiProfileData", "mdmProfileData"} {
				if s, ok := x[name].(string); ok && s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// minEchoRun is the shortest run of base64 characters taken for a piece
// of a profile echoed back (an error may cut the body it repeats).
const minEchoRun = 16

// scrubSecrets replaces in a server's message every secret sent and every
// run of base64 characters, minEchoRun long or more, that is a piece of
// one (a truncated echo).
func scrubSecrets(msg string, secrets []string) string {
	if len(secrets) == 0 {
		return msg
	}
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "(redacted)")
	}
	isB64 := func(c byte) bool {
		return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
	}
	var b strings.Builder
	for i := 0; i < len(msg); {
		if !isB64(msg[i]) {
			b.WriteByte(msg[i])
			i++
			continue
		}
		j := i
		for j < len(msg) && isB64(msg[j]) {
			j++
		}
		run := msg[i:j]
		if len(run) >= minEchoRun && slices.ContainsFunc(secrets, func(s string) bool { return strings.Contains(s, run) }) {
			run = "(redacted)"
		}
		b.WriteString(run)
		i = j
	}
	return b.String()
}
