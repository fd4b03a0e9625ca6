// Package cli is jamfops's command line: the command tree (cobra), its
// flags, validation and output. main builds an Env and calls Run.
package cli

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Secrets        SecretStore
	ProfilesPath   string
	AuditPath      string // "" for the default in the user data directory
	JobsDir        string // "" for the default in the user data directory
	// CacheDir holds the risk snapshots ("" for the user cache directory);
	// DataDir the shared Risk API day count ("" for the user data directory).
	CacheDir, DataDir string
	// Version and Commit are stamped by the release build ("" for a dev build).
	Version, Commit string
}

// SecretStore is where profile secrets live (the OS keychain; a fake in tests).
type SecretStore interface {
	Get(profile, kind string) (string, error)
	Set(profile, kind, secret string) error
	Delete(profile, kind string) error
}

// Run runs one command line (without the program name) and returns the
// exit status: see exitStatus.
func Run(ctx context.Context, args []string, env *Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	root := newRoot(ctx, env)
	root.SetArgs(longFlagArgs(root, args))
	cmd, err := root.ExecuteC()
	if err != nil {
		printError(env, cmd, err)
	}
	return exitStatus(err)
}

// newRoot builds the whole command tree for one run.
func newRoot(ctx context.Context, env *Env) *cobra.Command {
	root := newConsoleCmd(ctx, env)
	root.AddGroup(
		&cobra.Group{ID: "inventory", Title: "Inventory:"},
		&cobra.Group{ID: "act", Title: "Risk and mass actions:"},
		&cobra.Group{ID: "setup", Title: "Set-up:"},
	)
	root.AddCommand(
		withGroup("setup", newDemoCmd(ctx, env)),
		withGroup("inventory", newSearchCmd(ctx, env)),
		withGroup("inventory", newDeviceCmd(ctx, env)),
		withGroup("inventory", newGroupsCmd(ctx, env)),
		withGroup("inventory", newDevicesCmd(ctx, env)),
		withGroup("inventory", newCommandsCmd(ctx, env)),
		withGroup("act", newRiskCmd(ctx, env)),
		withGroup("act", newMassCmd(ctx, env)),
		withGroup("act", newJobsCmd(env)),
		withGroup("setup", newLoginCmd(ctx, env)),
		withGroup("setup", newProfilesCmd(env)),
		withGroup("setup", newDoctorCmd(ctx, env)),
		withGroup("setup", newSetupCmd(ctx, env)),
		newVersionCmd(env),
		newCompletionCmd(root),
		newManCmd(root, env),
	)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetIn(env.Stdin)
	root.SetContext(ctx)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErrorf("%v", err) })
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetHelpCommand(&cobra.Command{Use: "help [command]", Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return usageErrorf("no help topic %q: 'jamfops --help' lists the commands", strings.Join(args, " "))
			}
			return target.Help()
		}})
	strictTree(root)
	return root
}

func withGroup(id string, c *cobra.Command) *cobra.Command {
	c.GroupID = id
	return c
}
