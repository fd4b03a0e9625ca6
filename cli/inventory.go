package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

func newGroupsCmd(ctx context.Context, env *Env) *cobra.Command {
	var conn connFlags
	var asJSON bool
	var kind string
	c := &cobra.Command{
		Use:   "groups",
		Short: "List computer and mobile-device groups with member counts",
		Example: `  jamfops groups
  jamfops groups --kind mobile --json`,
		RunE: func(c *cobra.Command, args []string) error {
			return runGroups(ctx, env, &conn, kind, asJSON)
		},
	}
	conn.register(c, env)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&kind, "kind", "", "only computer or mobile groups")
	_ = c.RegisterFlagCompletionFunc("kind", fixedCompletions("computer", "mobile"))
	return c
}

// runGroups lists computer and mobile-device groups with member counts.
func runGroups(ctx context.Context, env *Env, conn *connFlags, kindFlag string, asJSON bool) error {
	stdout := env.Stdout
	kind, err := parseKind(kindFlag)
	if err != nil {
		return err
	}
	return withClient(ctx, conn, env, func(c *jamf.Client) error {
		groups, _, err := c.Groups.List(ctx, nil)
		if err != nil {
			return err
		}
		summaries := ops.Summarise(groups)
		if kind != "" {
			summaries = slices.DeleteFunc(summaries, func(g ops.GroupSummary) bool { return g.Kind != kind })
		}
		if asJSON {
			return writeJSON(stdout, nonNil(summaries))
		}
		t := newTable(stdout, "KIND", "ID", "TYPE", "MEMBERS", "NAME")
		for _, g := range summaries {
			typ := "static"
			if g.Smart {
				typ = "smart"
			}
			t.row(string(g.Kind), g.ID, typ, fmt.Sprint(g.MemberCount), g.Name)
		}
		return t.flush()
	})
}

func newDevicesCmd(ctx context.Context, env *Env) *cobra.Command {
	var conn connFlags
	var asJSON bool
	var groupRef, kind string
	c := &cobra.Command{
		Use:   "devices --group ID|NAME",
		Short: "List a group's members",
		Example: `  jamfops devices --group "All Managed Clients"
  jamfops devices --group 7 --kind mobile --json`,
		RunE: func(c *cobra.Command, args []string) error {
			return runDevices(ctx, env, &conn, groupRef, kind, asJSON)
		},
	}
	conn.register(c, env)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&groupRef, "group", "", "group ID or exact name (required)")
	c.Flags().StringVar(&kind, "kind", "", "computer or mobile, when an ID exists in both")
	_ = c.RegisterFlagCompletionFunc("group", completeGroups(env, &conn))
	_ = c.RegisterFlagCompletionFunc("kind", fixedCompletions("computer", "mobile"))
	return c
}

// runDevices lists a group's members.
func runDevices(ctx context.Context, env *Env, conn *connFlags, groupRef, kindFlag string, asJSON bool) error {
	stdout, stderr := env.Stdout, env.Stderr
	if groupRef == "" {
		return usageErrorf("devices needs --group ID or --group NAME")
	}
	kind, err := parseKind(kindFlag)
	if err != nil {
		return err
	}
	return withClient(ctx, conn, env, func(c *jamf.Client) error {
		groups, _, err := c.Groups.List(ctx, nil)
		if err != nil {
			return err
		}
		g, err := ops.FindGroup(ops.Summarise(groups), groupRef, kind)
		if err != nil {
			return err
		}
		devices, err := ops.GroupMembers(ctx, c, g)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(stdout, nonNil(devices))
		}
		fmt.Fprintf(stderr, "%s group %s %q: %d devices\n", g.Kind, ops.Clean(g.ID), ops.Clean(g.Name), len(devices))
		t := newTable(stdout, "ID", "NAME", "SERIAL", "MODEL", "OS", "USER", "LAST CHECK-IN")
		for _, d := range devices {
			t.row(d.ID, d.Name, d.Serial, d.Model, d.OS, d.User, formatTime(d.LastCheckIn))
		}
		return t.flush()
	})
}

// commandsOptions are the flags of jamfops commands.
type commandsOptions struct {
	conn                 connFlags
	asJSON               bool
	device, kind, status string
}

func newCommandsCmd(ctx context.Context, env *Env) *cobra.Command {
	var o commandsOptions
	c := &cobra.Command{
		Use:   "commands --device REF",
		Short: "List one device's MDM commands",
		Example: `  jamfops commands --device C02XK1JHJG5J
  jamfops commands --device 5 --kind mobile --status pending,failed --json`,
		RunE: func(c *cobra.Command, args []string) error {
			return runCommands(ctx, env, &o)
		},
	}
	o.conn.register(c, env)
	c.Flags().BoolVar(&o.asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&o.device, "device", "", "the device, as search finds it: serial number, name, user, email, UDID, management ID, asset tag or inventory ID (required)")
	c.Flags().StringVar(&o.kind, "kind", "", "computer or mobile (a bare inventory ID is a computer's unless --kind mobile)")
	c.Flags().StringVar(&o.status, "status", "", "only these statuses: pending, notnow, failed, completed (comma-separated)")
	_ = c.RegisterFlagCompletionFunc("kind", fixedCompletions("computer", "mobile"))
	_ = c.RegisterFlagCompletionFunc("status", fixedCompletions(ops.StatusPending, ops.StatusNotNow, ops.StatusFailed, ops.StatusCompleted))
	return c
}

// runCommands lists one device's MDM commands.
func runCommands(ctx context.Context, env *Env, o *commandsOptions) error {
	stdout, stderr := env.Stdout, env.Stderr
	if o.device == "" {
		return usageErrorf("commands needs --device")
	}
	kind, err := parseKind(o.kind)
	if err != nil {
		return err
	}
	var statuses []string
	for _, s := range strings.Split(o.status, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		switch s {
		case "":
		case ops.StatusPending, ops.StatusNotNow, ops.StatusFailed, ops.StatusCompleted:
			statuses = append(statuses, s)
		default:
			return usageErrorf("unknown status %q (want pending, notnow, failed or completed)", s)
		}
	}
	return withClient(ctx, &o.conn, env, func(c *jamf.Client) error {
		m, err := resolveDeviceRef(ctx, env, c, o.device, kind)
		if err != nil {
			return err
		}
		d := m.Device
		entries, src, err := ops.DeviceCommands(ctx, c, d)
		if err != nil {
			return err
		}
		if len(statuses) > 0 {
			entries = slices.DeleteFunc(entries, func(e ops.CommandEntry) bool { return !slices.Contains(statuses, e.Status) })
		}
		for _, n := range src.Notes {
			fmt.Fprintf(stderr, "note: %s\n", ops.Clean(n))
		}
		if o.asJSON {
			return writeJSON(stdout, nonNil(entries))
		}
		fmt.Fprintf(stderr, "%s %s %q (serial %s): %d commands\n", d.Kind, ops.Clean(d.ID), ops.Clean(d.Name), ops.Clean(d.Serial), len(entries))
		t := newTable(stdout, "STATUS", "COMMAND", "ISSUED", "LAST PUSH", "COMPLETED", "UUID", "ERROR")
		for _, e := range entries {
			t.row(e.Status, e.Command, formatTime(e.Issued), formatTime(e.LastPush), formatTime(e.Completed), e.UUID, e.Error)
		}
		return t.flush()
	})
}
