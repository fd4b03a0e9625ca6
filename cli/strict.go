package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// strictTree makes every command refuse what it does not understand: a
// command without its own argument rule takes no arguments, and a group
// (a command with subcommands) names its subcommands when given an
// unknown one or none. Cobra itself checks unknown subcommands only at
// the root and prints help with exit 0 for a bare group.
func strictTree(c *cobra.Command) {
	for _, sub := range c.Commands() {
		strictTree(sub)
	}
	if c.Args != nil {
		return
	}
	if !c.HasSubCommands() {
		c.Args = noArgs
		return
	}
	c.Args = unknownSubcommand
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	if c.Run == nil && c.RunE == nil {
		c.RunE = func(c *cobra.Command, args []string) error {
			return usageErrorf("%s needs a subcommand: %s", c.CommandPath(), subcommandNames(c))
		}
	}
}

// noArgs refuses any positional argument.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", c.CommandPath(), args[0])
	}
	return nil
}

// unknownSubcommand refuses a group's positional argument: it could only
// have been a mistyped subcommand.
func unknownSubcommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q (commands: %s)", args[0], c.CommandPath(), subcommandNames(c))
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return usageErrorf("%s", msg)
}

// rangeArgs accepts between lo and hi positional arguments, naming what
// is expected otherwise.
func rangeArgs(lo, hi int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return usageErrorf("%s wants %s, got %d argument(s)", c.CommandPath(), what, len(args))
		}
		return nil
	}
}

func subcommandNames(c *cobra.Command) string {
	var names []string
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			names = append(names, s.Name())
		}
	}
	return strings.Join(names, ", ")
}

// longFlagArgs keeps the single-dash long flags of the Go flag package
// that jamfops used before cobra working (-json, -group ID): an argument
// "-name" or "-name=value" becomes "--name…" when some command has a flag
// called name. Arguments after "--" are left alone.
func longFlagArgs(root *cobra.Command, args []string) []string {
	names := map[string]bool{"version": true, "help": true}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	out := make([]string, len(args))
	for i, a := range args {
		if a == "--" {
			copy(out[i:], args[i:])
			break
		}
		out[i] = a
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && names[name] {
				out[i] = "-" + a
			}
		}
	}
	return out
}
