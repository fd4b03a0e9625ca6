// Command jamfops is a terminal console for Jamf Pro and Jamf Security Cloud:
// browse smart groups, devices and MDM command queues, and act on them safely.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/jamfops/jamfops/cli"
	"github.com/jamfops/jamfops/config"
)

// version and commit are stamped by the release build (-ldflags -X).
var (
	version = ""
	commit  = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Secrets: config.Keychain{},
		Version: version, Commit: commit}
	if p, err := config.DefaultPath(); err == nil {
		env.ProfilesPath = p
	}
	code := cli.Run(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}
