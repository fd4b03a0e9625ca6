package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/ops"
)

func newDoctorCmd(ctx context.Context, env *Env) *cobra.Command {
	var conn connFlags
	var asJSON bool
	var jscURL, jscApp string
	c := &cobra.Command{
		Use:   "doctor",
		Short: "Check the connection, the credential and its privileges against what jamfops needs",
		Long: `Checks, without changing anything:
  - the connection: URL, TLS, the server's version;
  - the credential: a token is obtained, and its lifetime;
  - privileges: for each jamfops feature, the privileges it needs and
    whether the credential holds them, and the privileges the credential
    holds that jamfops never uses (give each integration only what it needs);
  - the OS keychain, the JSC Risk API credential when one is configured,
    and the configuration and data paths.
Exit status 1 when the connection or a credential fails; a missing privilege
is reported but is not a failure. No secret is ever printed.`,
		Example: `  jamfops doctor
  jamfops doctor --profile prod --json`,
		RunE: func(c *cobra.Command, args []string) error {
			return runDoctor(ctx, env, &conn, jscURL, jscApp, asJSON)
		},
	}
	conn.register(c, env)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&jscURL, "jsc-url", "", "JSC Risk API URL (default $JSC_URL)")
	c.Flags().StringVar(&jscApp, "jsc-app-id", "", "JSC Risk API application ID (default $JSC_APP_ID or the profile's)")
	return c
}

// errDoctorFailed makes doctor exit 1 after printing its report.
var errDoctorFailed = errors.New("doctor: the connection or a credential failed (see above)")

func runDoctor(ctx context.Context, env *Env, flags *connFlags, jscURL, jscApp string, asJSON bool) error {
	conn, err := flags.resolve(env)
	if err != nil {
		return err
	}
	in := ops.DoctorInput{ConfigPath: env.ProfilesPath}
	if dir, err := ops.DataDir(); err == nil {
		in.DataPath = dir
	}
	if env.Secrets != nil {
		in.Keychain = func() error {
			_, err := env.Secrets.Get("jamfops-doctor", config.SecretJamf)
			if errors.Is(err, config.ErrNoSecret) {
				return nil
			}
			return err
		}
	}
	c, err := conn.client()
	if err != nil {
		return err
	}
	defer c.Close(context.WithoutCancel(ctx))
	in.Jamf = c
	in.JSC, in.JSCProblem = jscClient(env, flags.profile, jscURL, jscApp)
	r := ops.RunDoctor(ctx, in)
	if asJSON {
		err = writeJSON(env.Stdout, r)
	} else {
		err = r.WriteText(env.Stdout)
	}
	if err != nil {
		return err
	}
	if r.Failed {
		return errDoctorFailed
	}
	return nil
}
