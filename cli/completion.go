package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// completionTimeout bounds the server request behind a dynamic completion
// (group names): a shell must never hang on a Tab.
const completionTimeout = 3 * time.Second

func newCompletionCmd(root *cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Prints the completion script for a shell. Besides commands and flags it
completes profile names, group names (when a connection is configured)
and job IDs.`,
		Example: `  jamfops completion zsh > "${fpath[1]}/_jamfops"           # zsh (macOS's default shell)
  jamfops completion bash > /usr/local/etc/bash_completion.d/jamfops
  jamfops completion fish > ~/.config/fish/completions/jamfops.fish
  jamfops completion powershell | Out-String | Invoke-Expression`,
	}
	shells := []struct {
		name string
		gen  func(*cobra.Command) error
	}{
		{"bash", func(c *cobra.Command) error { return root.GenBashCompletionV2(c.OutOrStdout(), true) }},
		{"zsh", func(c *cobra.Command) error { return root.GenZshCompletion(c.OutOrStdout()) }},
		{"fish", func(c *cobra.Command) error { return root.GenFishCompletion(c.OutOrStdout(), true) }},
		{"powershell", func(c *cobra.Command) error { return root.GenPowerShellCompletionWithDesc(c.OutOrStdout()) }},
	}
	for _, sh := range shells {
		gen := sh.gen
		c.AddCommand(&cobra.Command{
			Use:               sh.name,
			Short:             "Print the " + sh.name + " completion script",
			Example:           "  jamfops completion " + sh.name,
			ValidArgsFunction: cobra.NoFileCompletions,
			RunE:              func(c *cobra.Command, args []string) error { return gen(c) },
		})
	}
	return c
}

func newManCmd(root *cobra.Command, env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "man DIR",
		Short:   "Write the manual pages (section 1) into DIR",
		Example: "  jamfops man ./man && man ./man/jamfops-mass-run.1",
		Args:    rangeArgs(1, 1, "one directory"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return err
			}
			root.DisableAutoGenTag = true
			hdr := &doc.GenManHeader{Title: "JAMFOPS", Section: "1", Source: versionString(env), Manual: "jamfops manual"}
			if err := doc.GenManTree(root, hdr, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "Manual pages written to %s.\n", args[0])
			return nil
		},
	}
}

// fixedCompletions completes a flag or argument from a fixed list.
func fixedCompletions(values ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

// profileNames lists the saved profiles, or nothing.
func profileNames(env *Env) []cobra.Completion {
	f, err := config.Load(env.ProfilesPath)
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, p := range f.Profiles {
		out = append(out, cobra.CompletionWithDesc(p.Name, ops.Clean(p.URL)))
	}
	return out
}

// completeProfiles completes --profile with the saved profile names.
func completeProfiles(env *Env) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return profileNames(env), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeProfileArg completes the one profile-name argument.
func completeProfileArg(env *Env) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return profileNames(env), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeGroups completes --group with the server's group names, when a
// connection is configured (flags, environment or profile); otherwise, or
// when the server does not answer within completionTimeout, it quietly
// offers nothing.
func completeGroups(env *Env, conn *connFlags) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		resolved, err := conn.resolve(env)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		client, err := resolved.client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		parent := c.Context()
		if parent == nil {
			parent = context.Background()
		}
		ctx, cancel := context.WithTimeout(parent, completionTimeout)
		defer cancel()
		defer client.Close(ctx)
		groups, _, err := client.Groups.List(ctx, nil)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, g := range ops.Summarise(groups) {
			out = append(out, cobra.CompletionWithDesc(ops.Clean(g.Name), fmt.Sprintf("%s group %s, %d members", g.Kind, g.ID, g.MemberCount)))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeJobs completes a job ID from the journals in --jobs-dir (or the
// default directory); unfinished limits it to jobs that can be started or
// resumed.
func completeJobs(env *Env, unfinished bool) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		flagDir := ""
		if f := c.Flags().Lookup("jobs-dir"); f != nil {
			flagDir = f.Value.String()
		}
		dir, err := jobsDir(flagDir, env.JobsDir)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		jobs, err := mass.ListJobs(dir)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, j := range jobs {
			if unfinished && j.State.Ended != "" {
				continue
			}
			out = append(out, cobra.CompletionWithDesc(j.Plan.ID, ops.Clean(j.Plan.Action.String()+" to "+j.Plan.Label+": "+j.Status)))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
