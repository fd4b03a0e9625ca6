package ops

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/jamfops/jamfops/internal/errtext"
	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
)

// Status is the outcome of one doctor check.
type Status string

// Check outcomes. Only StatusFail on the connection or a credential makes
// a report Failed.
const (
	StatusOK   Status = "ok"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Check is a status and a one-line explanation.
type Check struct {
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// DoctorInput is what doctor examines. Only Jamf is required.
type DoctorInput struct {
	// Jamf is the client for the connection being checked (not yet used).
	Jamf *jamf.Client
	// JSC is the Risk API client when a JSC credential is configured.
	JSC *jsc.Client
	// JSCProblem reports a JSC credential that is configured but cannot be
	// used (for example an app ID without a secret); it fails the JSC check.
	JSCProblem error
	// Keychain probes the OS keychain: nil when it works (a missing entry
	// counts as working). Leave it nil to skip the check.
	Keychain func() error
	// ConfigPath is the profiles file; DataPath the directory for journals
	// and the audit log. Empty paths are skipped.
	ConfigPath, DataPath string
}

// ConnectionReport describes the server connection.
type ConnectionReport struct {
	Check
	URL string `json:"url"`
	// TLS is true for https; TLSVersion is what the connection negotiated.
	TLS           bool   `json:"tls"`
	TLSVersion    string `json:"tlsVersion,omitempty"`
	ServerVersion string `json:"serverVersion,omitempty"`
}

// CredentialReport describes the Jamf Pro credential (never its secret).
type CredentialReport struct {
	Check
	// Kind is "API client" or "user"; Identity the client ID or username.
	Kind          string `json:"kind,omitempty"`
	Identity      string `json:"identity,omitempty"`
	TokenObtained bool   `json:"tokenObtained"`
	// LifetimeSeconds is the token's lifetime as granted.
	LifetimeSeconds int       `json:"lifetimeSeconds,omitempty"`
	Expires         time.Time `json:"expires,omitzero"`
}

// FeatureStatus is one row of the privilege table for a credential.
type FeatureStatus struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Needed  []string `json:"needed"`
	Missing []string `json:"missing"`
	// Status is ok (all present), warn (some missing) or skip (unknown).
	Status Status `json:"status"`
}

// PrivilegeReport compares the credential's privileges with the table.
type PrivilegeReport struct {
	Check
	// Known is false when the server did not describe the privileges.
	Known    bool            `json:"known"`
	Features []FeatureStatus `json:"features"`
	// Missing are the table's privileges the credential lacks, sorted.
	Missing []string `json:"missing"`
	// Unused are privileges the credential holds that jamfops never uses.
	Unused []string `json:"unused"`
}

// JSCReport describes the JSC Risk API credential.
type JSCReport struct {
	Check
	URL   string `json:"url,omitempty"`
	AppID string `json:"appId,omitempty"`
}

// PathReport describes a file or directory jamfops uses.
type PathReport struct {
	Check
	Name   string `json:"name"`
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
}

// DoctorReport is everything doctor found.
type DoctorReport struct {
	Connection ConnectionReport `json:"connection"`
	Credential CredentialReport `json:"credential"`
	Privileges PrivilegeReport  `json:"privileges"`
	Keychain   Check            `json:"keychain"`
	JSC        JSCReport        `json:"jsc"`
	Paths      []PathReport     `json:"paths"`
	// Failed is true when the connection or a configured credential
	// (Jamf Pro or JSC) failed: the command should exit non-zero.
	Failed bool `json:"failed"`
}

// RunDoctor checks the connection, the credential and its privileges
// against the privilege table, the keychain, the JSC credential and the
// paths. Problems are in the report, never in an error; no secret is read
// into it.
func RunDoctor(ctx context.Context, in DoctorInput) *DoctorReport {
	r := &DoctorReport{}
	r.Keychain = checkKeychain(in.Keychain)
	r.JSC = checkJSC(ctx, in.JSC, in.JSCProblem)
	r.Paths = []PathReport{checkPath("config", in.ConfigPath, false), checkPath("data", in.DataPath, true)}
	if in.Jamf == nil {
		r.Connection.Check = Check{Status: StatusFail, Detail: "no Jamf Pro connection configured"}
		r.Credential.Check = Check{Status: StatusSkip, Detail: "no connection"}
		r.Privileges.Check = Check{Status: StatusSkip, Detail: "no connection"}
		r.Failed = true
		return r
	}
	checkJamf(ctx, in.Jamf, r)
	r.Failed = r.Connection.Status == StatusFail || r.Credential.Status == StatusFail || r.JSC.Status == StatusFail
	return r
}

func checkJamf(ctx context.Context, c *jamf.Client, r *DoctorReport) {
	r.Connection.URL = c.BaseURL()
	if u, err := url.Parse(c.BaseURL()); err == nil {
		r.Connection.TLS = u.Scheme == "https"
	}
	tok, err := c.Token(ctx)
	r.Credential.Kind, r.Credential.Identity = tok.Kind, Clean(c.Credential())
	if err != nil {
		var ae *jamf.AuthError
		if errors.As(err, &ae) {
			r.Connection.Check = Check{Status: StatusOK, Detail: "the server answered"}
			r.Credential.Check = Check{Status: StatusFail, Detail: problem(err)}
		} else {
			r.Connection.Check = Check{Status: StatusFail, Detail: problem(err)}
			r.Credential.Check = Check{Status: StatusSkip, Detail: "not tried: no connection"}
		}
		r.Privileges.Check = Check{Status: StatusSkip, Detail: "no token"}
		return
	}
	r.Credential.TokenObtained = true
	r.Credential.LifetimeSeconds = int(tok.Lifetime / time.Second)
	r.Credential.Expires = tok.Expires.UTC()
	r.Credential.Check = credentialCheck(tok)

	version, resp, err := c.Auth.Version(ctx)
	if err != nil {
		r.Connection.Check = Check{Status: StatusWarn, Detail: "token obtained, but the version could not be read: " + problem(err)}
	} else {
		r.Connection.ServerVersion = Clean(version)
		r.Connection.Check = Check{Status: StatusOK}
		if resp != nil && resp.Response != nil && resp.TLS != nil {
			r.Connection.TLSVersion = tls.VersionName(resp.TLS.Version)
		}
	}
	if !r.Connection.TLS {
		r.Connection.Detail = joinDetail("plain HTTP (accepted only on loopback)", r.Connection.Detail)
	}
	privs, err := c.Auth.Privileges(ctx)
	if err != nil {
		r.Privileges.Check = Check{Status: StatusWarn, Detail: "could not read the credential's privileges: " + problem(err)}
		return
	}
	r.Privileges = comparePrivileges(privs)
}

func credentialCheck(tok jamf.TokenInfo) Check {
	switch {
	case tok.Kind == "user":
		return Check{Status: StatusWarn, Detail: "a user account works, but a dedicated API client with least privilege is safer"}
	case tok.Lifetime > time.Hour:
		return Check{Status: StatusWarn, Detail: fmt.Sprintf("long-lived tokens (%s): prefer a shorter access token lifetime", tok.Lifetime)}
	}
	return Check{Status: StatusOK}
}

// comparePrivileges builds the feature table and the unused list.
func comparePrivileges(privs *jamf.Privileges) PrivilegeReport {
	pr := PrivilegeReport{Known: privs != nil && privs.Known, Missing: []string{}, Unused: []string{}}
	lacking := 0
	for _, f := range Features() {
		fs := FeatureStatus{ID: f.ID, Name: f.Name, Needed: f.Privileges, Missing: []string{}, Status: StatusSkip}
		if pr.Known {
			fs.Missing = append(fs.Missing, privs.Missing(f.Privileges...)...)
			fs.Status = StatusOK
			if len(fs.Missing) > 0 {
				fs.Status = StatusWarn
				lacking++
			}
			for _, m := range fs.Missing {
				if !slices.Contains(pr.Missing, m) {
					pr.Missing = append(pr.Missing, m)
				}
			}
		}
		pr.Features = append(pr.Features, fs)
	}
	slices.Sort(pr.Missing)
	if !pr.Known {
		pr.Check = Check{Status: StatusWarn, Detail: "the server did not describe the credential's privileges; actions will find out"}
		return pr
	}
	used := PrivilegeNames()
	for _, name := range privs.Names() {
		if !slices.Contains(used, name) {
			pr.Unused = append(pr.Unused, Clean(name))
		}
	}
	switch {
	case lacking > 0:
		pr.Check = Check{Status: StatusWarn, Detail: fmt.Sprintf("%d of %d features lack privileges", lacking, len(pr.Features))}
	case len(pr.Unused) > 0:
		pr.Check = Check{Status: StatusWarn, Detail: fmt.Sprintf("%d privileges held that jamfops never uses", len(pr.Unused))}
	default:
		pr.Check = Check{Status: StatusOK, Detail: "every feature's privileges are present"}
	}
	return pr
}

func checkKeychain(probe func() error) Check {
	if probe == nil {
		return Check{Status: StatusSkip, Detail: "not checked"}
	}
	if err := probe(); err != nil {
		return Check{Status: StatusWarn, Detail: problem(err)}
	}
	return Check{Status: StatusOK, Detail: "available"}
}

func checkJSC(ctx context.Context, c *jsc.Client, configured error) JSCReport {
	if configured != nil {
		return JSCReport{Check: Check{Status: StatusFail, Detail: problem(configured)}}
	}
	if c == nil {
		return JSCReport{Check: Check{Status: StatusSkip, Detail: "not configured"}}
	}
	rep := JSCReport{URL: c.BaseURL(), AppID: Clean(c.AppID())}
	// A lookup of a device that cannot exist: one login and one small request.
	if _, err := c.ListDevices(ctx, &jsc.ListOptions{ID: "00000000-0000-0000-0000-000000000000"}); err != nil {
		rep.Check = Check{Status: StatusFail, Detail: problem(err)}
		return rep
	}
	rep.Check = Check{Status: StatusOK, Detail: "login works"}
	return rep
}

// checkPath reports whether a path exists and is usable; dir paths must be
// writable directories.
func checkPath(name, path string, dir bool) PathReport {
	pr := PathReport{Name: name, Path: path}
	if path == "" {
		pr.Check = Check{Status: StatusSkip, Detail: "not set"}
		return pr
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		pr.Check = Check{Status: StatusOK, Detail: "does not exist yet; created on first use"}
		if _, perr := os.Stat(filepath.Dir(path)); perr != nil && !errors.Is(perr, os.ErrNotExist) {
			pr.Check = Check{Status: StatusWarn, Detail: problem(perr)}
		}
		return pr
	case err != nil:
		pr.Check = Check{Status: StatusWarn, Detail: problem(err)}
		return pr
	}
	pr.Exists = true
	if fi.IsDir() != dir {
		want := "a file"
		if dir {
			want = "a directory"
		}
		pr.Check = Check{Status: StatusWarn, Detail: "is not " + want}
		return pr
	}
	if dir {
		f, err := os.CreateTemp(path, ".jamfops-doctor-*")
		if err != nil {
			pr.Check = Check{Status: StatusWarn, Detail: "not writable: " + problem(err)}
			return pr
		}
		f.Close()
		os.Remove(f.Name())
	}
	pr.Check = Check{Status: StatusOK}
	return pr
}

// problem makes an error one printable line.
func problem(err error) string { return errtext.OneLine(Clean(err.Error())) }

func joinDetail(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}
