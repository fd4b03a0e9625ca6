// Command jamfops is a terminal console for Jamf Pro and Jamf Security Cloud:
// browse smart groups, devices and MDM command queues, and act on them safely.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/jamfops/jamfops/config"
)

// version and commit are stamped by the release build (-ldflags -X).
var (
	version = ""
	commit  = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cliEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, secrets: config.Keychain{}}
	if p, err := config.DefaultPath(); err == nil {
		env.profilesPath = p
	}
	code := run(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("invalid command line")

// cliEnv is what a command may touch of the outside world.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	secrets        secretStore
	profilesPath   string
	auditPath      string // "" for the default in the user data directory
	jobsDir        string // "" for the default in the user data directory
}

// run dispatches a subcommand and returns the exit status.
func run(ctx context.Context, args []string, env *cliEnv) int {
	stdout, stderr := env.stdout, env.stderr
	cmd := ""
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText)
		return 0
	case "":
		err = runEnvConsole(ctx, args, env)
	case "demo":
		err = runDemo(ctx, args, env)
	case "groups":
		err = runGroups(ctx, args, env)
	case "devices":
		err = runDevices(ctx, args, env)
	case "commands":
		err = runCommands(ctx, args, env)
	case "risk":
		err = runRisk(ctx, args, env)
	case "mass":
		err = runMass(ctx, args, env)
	case "jobs":
		err = runJobs(args, env)
	case "login":
		err = runLogin(ctx, args, env)
	case "profiles":
		err = runProfiles(args, env)
	default:
		if len(cmd) > 0 && cmd[0] == '-' {
			err = runEnvConsole(ctx, append([]string{cmd}, args...), env)
			break
		}
		fmt.Fprintf(stderr, "jamfops: unknown command %q\n\n%s", cmd, usageText)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		if err != errUsage {
			fmt.Fprintf(stderr, "jamfops: %v\n", err)
		}
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "jamfops: interrupted")
		return 130
	}
	fmt.Fprintf(stderr, "jamfops: %v\n", err)
	return 1
}

// versionString reports the stamped version, or what the Go build recorded.
func versionString() string {
	v, c := version, commit
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && c == "" {
				c = s.Value
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if c == "" {
		c = "unknown"
	}
	if len(c) > 12 {
		c = c[:12]
	}
	return fmt.Sprintf("jamfops %s (commit %s)", v, c)
}

const usageText = `jamfops: a terminal console for Jamf Pro fleets

Usage:
  jamfops [--read-only] [--debug]                 the console, on $JAMF_URL and its credentials
  jamfops demo [--read-only] [--helpdesk]         the console on a built-in demo fleet (no account needed)
  jamfops demo --serve [--addr 127.0.0.1:9180]   run the in-memory demo Jamf Pro server
  jamfops groups   [--kind computer|mobile] [--json]
  jamfops devices  --group ID|NAME [--kind computer|mobile] [--json]
  jamfops commands --device ID|SERIAL|UDID|NAME [--kind computer|mobile] [--status S,…] [--json]
  jamfops risk list [--level HIGH,MEDIUM] [--json]
  jamfops risk set LEVEL DEVICE… [--group ID] --reason TEXT [--yes]
  jamfops risk reset DEVICE…     [--group ID] --reason TEXT [--yes]
  jamfops mass run (--group ID|NAME | --devices FILE) --command TYPE|blank-push [knobs] [--dry-run] [--save] [--yes]
  jamfops mass start JOB | jamfops mass resume JOB [--go]
  jamfops jobs [--prune 720h] | jamfops jobs export JOB [csv]
  jamfops login    [--name N --url U --client-id ID | --username U] [--read-only] [--accent #d70000]
  jamfops profiles [use NAME | delete NAME]
  jamfops --version

Connection: the active profile (or --profile NAME); the environment overrides
it and flags override both:
  JAMF_URL             https://yourserver.jamfcloud.com   (--url)
  JAMF_CLIENT_ID       API client ID (recommended)         (--client-id)
  JAMF_CLIENT_SECRET   API client secret
  JAMF_USERNAME        user account, if no API client       (--username)
  JAMF_PASSWORD        its password
  JSC_URL, JSC_APP_ID, JSC_APP_SECRET   the JSC Risk API (default https://api.wandera.com)
Secrets are read from the environment or the OS keychain only, never from
flags, so they do not land in shell history or process listings.
`
