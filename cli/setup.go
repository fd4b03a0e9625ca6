package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

func newSetupCmd(ctx context.Context, env *Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "setup",
		Short: "Set Jamf Pro up for jamfops the least-privilege way",
		Example: `  jamfops setup roles            prints the recommended API roles and clients
  jamfops setup roles --apply    creates them (asks first)`,
	}
	c.AddCommand(newSetupRolesCmd(ctx, env))
	return c
}

type setupRolesOptions struct {
	asJSON, apply, yes bool
	prefix             string
	personas           []string
	lifetime           time.Duration
}

func newSetupRolesCmd(ctx context.Context, env *Env) *cobra.Command {
	var conn connFlags
	var o setupRolesOptions
	c := &cobra.Command{
		Use:   "roles",
		Short: "Print (or create) least-privilege API roles and clients for help desk, risk and mass actions",
		Long: `Prints the API roles and API clients jamfops recommends: one per persona,
each with only the privileges its jamfops features need (from the same
table 'jamfops doctor' checks against), and short-lived tokens.

  help-desk             browse groups, devices and command queues; blank push
  risk-operator         the Jamf Pro side of JSC risk changes (read inventory)
  mass-action-operator  plan and send commands, blank pushes and flushes in bulk

With --apply (after confirmation) it creates them through /api/v1/api-roles
and /api/v1/api-integrations, using a credential that may create API roles
and clients; existing roles and clients of the same name are reported and
left alone. Each new client's secret goes to the OS keychain under a new
profile named PREFIX-PERSONA; it is never printed.`,
		Example: `  jamfops setup roles
  jamfops setup roles --json
  jamfops setup roles --persona help-desk --apply`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return runSetupRoles(ctx, env, &conn, &o)
		},
	}
	conn.register(c, env)
	fs := c.Flags()
	fs.BoolVar(&o.asJSON, "json", false, "print JSON")
	fs.BoolVar(&o.apply, "apply", false, "create the roles and clients on the server")
	fs.BoolVar(&o.yes, "yes", false, "with --apply: do not ask (for scripts)")
	fs.StringVar(&o.prefix, "prefix", "jamfops", "start of every role, client and profile name")
	fs.StringSliceVar(&o.personas, "persona", nil, "only these personas: "+strings.Join(ops.PersonaIDs(), ", "))
	fs.DurationVar(&o.lifetime, "token-lifetime", ops.DefaultTokenLifetime, "the API clients' access-token lifetime")
	_ = c.RegisterFlagCompletionFunc("persona", fixedCompletions(ops.PersonaIDs()...))
	return c
}

func runSetupRoles(ctx context.Context, env *Env, flags *connFlags, o *setupRolesOptions) error {
	if o.lifetime < time.Minute || o.lifetime > 24*time.Hour {
		return usageErrorf("--token-lifetime must be between 1m and 24h")
	}
	if strings.TrimSpace(o.prefix) == "" || strings.ContainsFunc(o.prefix, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return usageErrorf("--prefix must be printable text")
	}
	plan, err := ops.PlanRoles(ops.RolesOptions{Prefix: o.prefix, TokenLifetime: o.lifetime, Personas: o.personas})
	if err != nil {
		return usageErrorf("%v", err)
	}
	if !o.apply {
		if o.asJSON {
			return writeJSON(env.Stdout, plan)
		}
		return plan.WriteText(env.Stdout)
	}
	conn, err := flags.resolve(env)
	if err != nil {
		return err
	}
	if err := plan.WriteText(env.Stderr); err != nil {
		return err
	}
	if !o.yes {
		pr := newPrompter(env)
		if !pr.tty {
			return usageErrorf("refusing to create API roles without confirmation: pass --yes (no terminal to ask on)")
		}
		answer, _ := pr.ask(fmt.Sprintf("Create these %d API roles and clients on %s? Type y", len(plan.Personas), ops.Clean(conn.profile.URL)), "")
		if strings.TrimSpace(answer) != "y" {
			return errors.New("cancelled: nothing was created")
		}
	}
	c, err := conn.client()
	if err != nil {
		return err
	}
	defer c.Close(context.WithoutCancel(ctx))
	res, err := ops.ApplyRoles(ctx, c, plan, saveRoleProfile(env, conn.profile, o.prefix))
	if err != nil {
		return err
	}
	if o.asJSON {
		return writeJSON(env.Stdout, res)
	}
	return res.WriteText(env.Stdout)
}

// saveRoleProfile stores a new API client as a profile of its own
// (PREFIX-PERSONA, the same server), its secret in the keychain only. The
// active profile does not change. Without a keychain the secret is lost
// on purpose (never written to a file), and the error says so.
func saveRoleProfile(env *Env, base config.Profile, prefix string) ops.SaveCredentials {
	return func(p ops.Persona, creds jamf.ClientCredentials) error {
		f, err := config.Load(env.ProfilesPath)
		if err != nil {
			return err
		}
		prof := config.Profile{Name: prefix + "-" + p.ID, URL: base.URL, Auth: config.AuthClient, ClientID: creds.ClientID, Accent: base.Accent}
		if err := env.Secrets.Set(prof.Name, config.SecretJamf, creds.ClientSecret); err != nil {
			return fmt.Errorf("API client %s was created but its secret could not be stored (%v): generate a new secret for it in Jamf Pro", creds.ClientID, err)
		}
		active := f.Active
		f.Put(prof)
		f.Active = active
		if err := f.Save(env.ProfilesPath); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "Saved profile %q for the %s client (secret in the keychain).\n", prof.Name, p.ID)
		return nil
	}
}
