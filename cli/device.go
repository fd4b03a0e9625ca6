package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

func newDeviceCmd(ctx context.Context, env *Env) *cobra.Command {
	var conn connFlags
	var asJSON bool
	var kind string
	c := &cobra.Command{
		Use:   "device REF",
		Short: "Show one device: inventory, command queue explained, JSC risk",
		Long: `Device shows one computer or mobile device: its inventory summary, its MDM
command queue in three sections (pending, including NotNow; failed, with
the whole error text; completed), each with its UUID and times, what each
pending or failed command's state means, and its JSC risk level when a
Risk API credential is configured (a JSC failure is only a note).

REF is anything search accepts: serial number, name, user name, email,
UDID, management ID, asset tag or inventory ID. A unique exact match
wins, else a unique match; otherwise the candidates are listed and the
command exits 1. A bare inventory ID is a computer's unless --kind mobile.`,
		Example: `  jamfops device C02XK1JHJG5J
  jamfops device jdoe@example.com --json
  jamfops device 12 --kind mobile`,
		Args: rangeArgs(1, 1, "one device: a serial number, name, user, email, UDID or ID"),
		RunE: func(c *cobra.Command, args []string) error {
			return runDevice(ctx, env, &conn, args[0], kind, asJSON)
		},
	}
	conn.register(c, env)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&kind, "kind", "", "only computers or only mobile devices")
	_ = c.RegisterFlagCompletionFunc("kind", fixedCompletions("computer", "mobile"))
	return c
}

// resolveDeviceRef resolves a device reference as search does (see
// ops.ResolveDevice). Several or no matches print the candidates on stderr
// and return an error (exit 1); a bare ID that also names a mobile device
// says so in a note.
func resolveDeviceRef(ctx context.Context, env *Env, c *jamf.Client, ref string, kind jamf.Platform) (ops.SearchMatch, error) {
	if strings.TrimSpace(ref) == "" {
		return ops.SearchMatch{}, usageErrorf("no device given: name one by serial number, name, user, email, UDID or ID")
	}
	r, err := ops.ResolveDevice(ctx, c, ref, kind)
	var me *ops.DeviceMatchError
	if errors.As(err, &me) && len(me.Candidates) > 0 {
		fmt.Fprintf(env.Stderr, "%s:\n", safeText(env, me.Error()))
		t := newTable(env.Stderr, "KIND", "ID", "NAME", "SERIAL", "USER", "MATCHED")
		for _, m := range me.Candidates {
			t.row(string(m.Kind), m.ID, m.Name, m.Serial, m.User, matchText(m))
		}
		if err := t.flush(); err != nil {
			return ops.SearchMatch{}, err
		}
		return ops.SearchMatch{}, fmt.Errorf("%w; name one by serial number, or narrow it with --kind", err)
	}
	if err != nil {
		return ops.SearchMatch{}, err
	}
	for _, a := range r.Also {
		fmt.Fprintf(env.Stderr, "note: %s is also %s %s %q; add --kind %s for it\n", ops.Clean(ref), a.Kind, ops.Clean(a.ID), ops.Clean(a.Name), a.Kind)
	}
	return r.SearchMatch, nil
}

// deviceInfo is the device part of device's JSON (README, "device").
type deviceInfo struct {
	Kind         jamf.Platform `json:"kind"`
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Serial       string        `json:"serial"`
	Model        string        `json:"model"`
	OS           string        `json:"os"`
	User         string        `json:"user"`
	Email        string        `json:"email"`
	FullName     string        `json:"fullName"`
	UDID         string        `json:"udid"`
	ManagementID string        `json:"managementId"`
	AssetTag     string        `json:"assetTag"`
	LastCheckIn  *time.Time    `json:"lastCheckIn"`
}

// deviceCommand is one command in device's JSON: the commands JSON entry
// plus the plain-language meaning of a pending or failed state.
type deviceCommand struct {
	ops.CommandEntry
	Meaning string `json:"meaning,omitempty"`
}

// deviceQueue is the command queue in its three sections.
type deviceQueue struct {
	Pending   []deviceCommand `json:"pending"`
	Failed    []deviceCommand `json:"failed"`
	Completed []deviceCommand `json:"completed"`
}

// deviceRisk is the device's JSC risk.
type deviceRisk struct {
	Level    jsc.Level  `json:"level"`
	JSCID    string     `json:"jscId"`
	LastSeen *time.Time `json:"lastSeen"`
}

// deviceJSON is device's JSON document.
type deviceJSON struct {
	Device   deviceInfo  `json:"device"`
	Commands deviceQueue `json:"commands"`
	Risk     *deviceRisk `json:"risk"`
	Notes    []string    `json:"notes"`
}

// runDevice prints one device with its queue explained and its risk.
func runDevice(ctx context.Context, env *Env, conn *connFlags, ref, kindFlag string, asJSON bool) error {
	kind, err := parseKind(kindFlag)
	if err != nil {
		return err
	}
	return withClient(ctx, conn, env, func(c *jamf.Client) error {
		m, err := resolveDeviceRef(ctx, env, c, ref, kind)
		if err != nil {
			return err
		}
		entries, src, err := ops.DeviceCommands(ctx, c, m.Device)
		if err != nil {
			return err
		}
		now := time.Now()
		out := deviceJSON{
			Device: deviceInfo{Kind: m.Kind, ID: m.ID, Name: m.Name, Serial: m.Serial, Model: m.Model, OS: m.OS, User: m.User,
				Email: m.Email, FullName: m.FullName, UDID: m.UDID, ManagementID: m.ManagementID, AssetTag: m.AssetTag, LastCheckIn: m.LastCheckIn},
			Commands: deviceQueue{Pending: []deviceCommand{}, Failed: []deviceCommand{}, Completed: []deviceCommand{}},
			Notes:    append([]string{}, src.Notes...),
		}
		for _, e := range entries {
			dc := deviceCommand{CommandEntry: e}
			switch {
			case e.Active():
				dc.Meaning = ops.ExplainCommand(e, m.LastCheckIn, now).Meaning
				out.Commands.Pending = append(out.Commands.Pending, dc)
			case e.Status == ops.StatusFailed:
				dc.Meaning = ops.ExplainCommand(e, m.LastCheckIn, now).Meaning
				out.Commands.Failed = append(out.Commands.Failed, dc)
			default:
				out.Commands.Completed = append(out.Commands.Completed, dc)
			}
		}
		risk, note := deviceRiskOf(ctx, env, conn, c, m.Device)
		out.Risk = risk
		if note != "" {
			out.Notes = append(out.Notes, note)
		}
		for _, n := range out.Notes {
			fmt.Fprintf(env.Stderr, "note: %s\n", safeText(env, n))
		}
		if asJSON {
			return writeJSON(env.Stdout, out)
		}
		return printDevice(env.Stdout, out, now)
	})
}

// deviceRiskOf reads the device's JSC risk by its UDID when a Risk API
// credential is configured. Anything that goes wrong is a note.
func deviceRiskOf(ctx context.Context, env *Env, conn *connFlags, c *jamf.Client, d ops.Device) (*deviceRisk, string) {
	rc, err := jscClient(env, conn.profile, "", "")
	if err != nil {
		return nil, "JSC risk: " + err.Error()
	}
	if rc == nil {
		return nil, ""
	}
	if d.UDID == "" {
		return nil, "JSC risk: the device has no UDID to look it up by"
	}
	list, err := ops.LookupRisk(ctx, rc, c, []string{d.UDID})
	if err != nil {
		return nil, "JSC risk: " + err.Error()
	}
	if len(list) == 0 {
		return nil, "JSC risk: JSC does not know the device"
	}
	j := list[0].JSC
	r := &deviceRisk{Level: j.Risk, JSCID: j.ID}
	if !j.LastSeen.IsZero() {
		t := j.LastSeen.UTC()
		r.LastSeen = &t
	}
	return r, ""
}

// printDevice writes the human form of device.
func printDevice(w io.Writer, out deviceJSON, now time.Time) error {
	d := out.Device
	fmt.Fprintf(w, "%s — %s %s\n", ops.Clean(orDash(d.Name)), d.Kind, ops.Clean(d.ID))
	user := d.User
	if d.Email != "" {
		user = strings.TrimSpace(user + " <" + d.Email + ">")
	}
	if d.FullName != "" && d.FullName != d.User {
		user = strings.TrimSpace(user + " (" + d.FullName + ")")
	}
	checkIn := formatTime(d.LastCheckIn)
	if d.LastCheckIn != nil {
		checkIn += " (" + ago(now.Sub(*d.LastCheckIn)) + ")"
	}
	t := newTable(w, "  Serial", d.Serial)
	t.row("  Model", d.Model)
	t.row("  OS", d.OS)
	t.row("  User", user)
	t.row("  UDID", d.UDID)
	t.row("  Management ID", d.ManagementID)
	t.row("  Asset tag", d.AssetTag)
	t.row("  Last check-in", checkIn)
	if r := out.Risk; r != nil {
		level := string(r.Level)
		if r.LastSeen != nil {
			level += " (JSC last saw it " + formatTime(r.LastSeen) + ")"
		}
		t.row("  Risk (JSC)", level)
	}
	if err := t.flush(); err != nil {
		return err
	}
	for _, sec := range []struct {
		title string
		list  []deviceCommand
	}{{"Pending", out.Commands.Pending}, {"Failed", out.Commands.Failed}} {
		fmt.Fprintf(w, "\n%s (%d)\n", sec.title, len(sec.list))
		for _, e := range sec.list {
			line := "  " + e.Command + "  " + e.Status + "  issued " + orDash(formatTime(e.Issued))
			if e.Active() {
				line += "  last push " + orDash(formatTime(e.LastPush))
			} else {
				line += "  failed " + orDash(formatTime(e.Completed))
			}
			fmt.Fprintln(w, ops.Clean(line))
			fmt.Fprintf(w, "    UUID %s\n", ops.Clean(orDash(e.UUID)))
			if e.Status == ops.StatusFailed {
				fmt.Fprintf(w, "    Error: %s\n", ops.Clean(orDash(e.Error)))
			}
			fmt.Fprintf(w, "    %s\n", ops.Clean(e.Meaning))
		}
	}
	fmt.Fprintf(w, "\nCompleted (%d)\n", len(out.Commands.Completed))
	if len(out.Commands.Completed) == 0 {
		return nil
	}
	t = newTable(w, "  COMMAND", "ISSUED", "COMPLETED", "UUID")
	for _, e := range out.Commands.Completed {
		t.row("  "+e.Command, formatTime(e.Issued), formatTime(e.Completed), e.UUID)
	}
	return t.flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ago says how long ago, the way people do: "3 days ago", "5 h ago".
func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "in the future"
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	case d >= time.Minute:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	}
	return "just now"
}
