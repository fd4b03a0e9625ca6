package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// versionString reports the stamped version, or what the Go build recorded.
func versionString(env *Env) string {
	v, c := env.Version, env.Commit
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

// userAgent names this build to servers: jamfops/VERSION.
func userAgent(env *Env) string {
	return "jamfops/" + strings.Fields(versionString(env))[1]
}

func newVersionCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and commit",
		Example: `  jamfops version
  jamfops --version`,
		RunE: func(c *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(env.Stdout, versionString(env))
			return err
		},
	}
}
