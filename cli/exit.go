package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// Exit statuses (README, "Exit statuses").
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitHeld        = 3
	exitInterrupted = 130
)

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("invalid command line")

// usageErrorf is a command-line mistake: "invalid command line: …".
func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// exitStatus maps the error a command returned to the process's exit
// status. It is the one place that does: 0 done, 1 failed, 2 usage,
// 3 held (a job stopped after a stage to wait for a go-ahead:
// mass.ErrHeld), 130 interrupted.
func exitStatus(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.Is(err, mass.ErrHeld):
		return exitHeld
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	return exitFailed
}

// printError writes a command's error on stderr: cleaned of terminal
// control sequences (it may quote a server) and with credentials removed.
// A usage error names the help to read.
func printError(env *Env, cmd *cobra.Command, err error) {
	switch exitStatus(err) {
	case exitInterrupted:
		fmt.Fprintln(env.Stderr, "jamfops: interrupted")
		return
	case exitUsage:
		if err != errUsage {
			fmt.Fprintf(env.Stderr, "jamfops: %s\n", safeText(env, err.Error()))
		}
		if cmd != nil {
			fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return
	}
	fmt.Fprintf(env.Stderr, "jamfops: %s\n", safeText(env, err.Error()))
}

// safeText prepares text that may quote a server or the environment for a
// human: terminal controls removed (ops.Clean), credentials in URLs and
// the configured secrets redacted.
func safeText(env *Env, s string) string {
	s = redactSecrets(env, s)
	return ops.Clean(s)
}

// urlUserinfo matches the user:password@ part of a URL, however malformed
// the rest of it is.
var urlUserinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#"'<>]*@`)

// redactSecrets removes credentials from a message: the userinfo of any
// URL in it and the values of the secret environment variables.
func redactSecrets(env *Env, s string) string {
	s = urlUserinfo.ReplaceAllString(s, "${1}REDACTED@")
	if env == nil || env.Getenv == nil {
		return s
	}
	for _, k := range []string{"JAMF_CLIENT_SECRET", "JAMF_PASSWORD", "JSC_APP_SECRET"} {
		if v := env.Getenv(k); len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "REDACTED")
		}
	}
	return s
}
