package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// runGroups lists computer and mobile-device groups with member counts.
func runGroups(ctx context.Context, args []string, env *cliEnv) error {
	stdout, stderr := env.stdout, env.stderr
	fs := flag.NewFlagSet("groups", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	kindFlag := fs.String("kind", "", "only computer or mobile groups")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	kind, err := parseKind(*kindFlag)
	if err != nil {
		return err
	}
	return withClient(ctx, &conn, env, func(c *jamf.Client) error {
		groups, _, err := c.Groups.List(ctx, nil)
		if err != nil {
			return err
		}
		summaries := ops.Summarise(groups)
		if kind != "" {
			summaries = slices.DeleteFunc(summaries, func(g ops.GroupSummary) bool { return g.Kind != kind })
		}
		if *asJSON {
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

// runDevices lists a group's members.
func runDevices(ctx context.Context, args []string, env *cliEnv) error {
	stdout, stderr := env.stdout, env.stderr
	fs := flag.NewFlagSet("devices", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	groupRef := fs.String("group", "", "group ID or exact name (required)")
	kindFlag := fs.String("kind", "", "computer or mobile, when an ID exists in both")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *groupRef == "" {
		return fmt.Errorf("%w: devices needs --group ID or --group NAME", errUsage)
	}
	kind, err := parseKind(*kindFlag)
	if err != nil {
		return err
	}
	return withClient(ctx, &conn, env, func(c *jamf.Client) error {
		groups, _, err := c.Groups.List(ctx, nil)
		if err != nil {
			return err
		}
		g, err := ops.FindGroup(ops.Summarise(groups), *groupRef, kind)
		if err != nil {
			return err
		}
		devices, err := ops.GroupMembers(ctx, c, g)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, nonNil(devices))
		}
		fmt.Fprintf(stderr, "%s group %s %q: %d devices\n", g.Kind, g.ID, ops.Clean(g.Name), len(devices))
		t := newTable(stdout, "ID", "NAME", "SERIAL", "MODEL", "OS", "USER", "LAST CHECK-IN")
		for _, d := range devices {
			t.row(d.ID, d.Name, d.Serial, d.Model, d.OS, d.User, formatTime(d.LastCheckIn))
		}
		return t.flush()
	})
}

// runCommands lists one device's MDM commands.
func runCommands(ctx context.Context, args []string, env *cliEnv) error {
	stdout, stderr := env.stdout, env.stderr
	fs := flag.NewFlagSet("commands", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	deviceRef := fs.String("device", "", "inventory ID, serial number, UDID, management ID or exact name (required)")
	kindFlag := fs.String("kind", "", "computer or mobile (an inventory ID is taken as a computer's unless --kind mobile)")
	statusFlag := fs.String("status", "", "only these statuses: pending, notnow, failed, completed (comma-separated)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *deviceRef == "" {
		return fmt.Errorf("%w: commands needs --device", errUsage)
	}
	kind, err := parseKind(*kindFlag)
	if err != nil {
		return err
	}
	var statuses []string
	for _, s := range strings.Split(*statusFlag, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		switch s {
		case "":
		case ops.StatusPending, ops.StatusNotNow, ops.StatusFailed, ops.StatusCompleted:
			statuses = append(statuses, s)
		default:
			return fmt.Errorf("%w: unknown status %q (want pending, notnow, failed or completed)", errUsage, s)
		}
	}
	return withClient(ctx, &conn, env, func(c *jamf.Client) error {
		d, err := ops.FindDevice(ctx, c, *deviceRef, kind)
		if err != nil {
			return err
		}
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
		if *asJSON {
			return writeJSON(stdout, nonNil(entries))
		}
		fmt.Fprintf(stderr, "%s %s %q (serial %s): %d commands\n", d.Kind, d.ID, ops.Clean(d.Name), ops.Clean(d.Serial), len(entries))
		t := newTable(stdout, "STATUS", "COMMAND", "ISSUED", "LAST PUSH", "COMPLETED", "UUID", "ERROR")
		for _, e := range entries {
			t.row(e.Status, e.Command, formatTime(e.Issued), formatTime(e.LastPush), formatTime(e.Completed), e.UUID, e.Error)
		}
		return t.flush()
	})
}
