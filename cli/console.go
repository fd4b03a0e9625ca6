package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/jsc/jsctest"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ui"
)

// openLog opens jamfops.log in the user cache directory; the console must
// never write to the terminal while it runs.
func openLog(debug bool) (*slog.Logger, func(), error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	dir = filepath.Join(dir, "jamfops")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "jamfops.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, err
	}
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})), func() { f.Close() }, nil
}

// runConsole runs the full-screen console until the user quits.
func runConsole(ctx context.Context, deps ui.Deps, stdin io.Reader, stdout io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	deps.Ctx = ctx
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if stdin != nil {
		opts = append(opts, tea.WithInput(stdin))
	}
	if stdout != nil {
		opts = append(opts, tea.WithOutput(stdout))
	}
	final, err := tea.NewProgram(ui.New(deps), opts...).Run()
	if m, ok := final.(ui.Model); ok {
		m.Close() // a risk-cache write in progress finishes first
	}
	return err
}

// runDemoConsole opens the console on an in-process demo fleet.
func runDemoConsole(ctx context.Context, o *demoOptions) error {
	logger, closeLog, err := openLog(o.debug)
	if err != nil {
		return err
	}
	defer closeLog()
	srv, err := jamftest.NewServer(jamftest.Options{Seed: o.seed, Computers: orNone(o.computers), MobileDevices: orNone(o.mobiles), HostileNames: true})
	if err != nil {
		return err
	}
	defer srv.Close()
	riskSrv := jsctest.NewServer(jscDemoOptions(srv, o.seed))
	defer riskSrv.Close()
	rc, err := jsc.NewClient(riskSrv.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, jsc.WithLogger(logger))
	if err != nil {
		return err
	}
	id, secret := jamftest.DemoClientID, jamftest.DemoClientSecret
	if o.helpdesk {
		id, secret = jamftest.HelpDeskClientID, jamftest.HelpDeskSecret
	}
	client, err := jamf.NewClient(srv.URL, jamf.WithClientCredentials(id, secret), jamf.WithLogger(logger))
	if err != nil {
		return err
	}
	audit, err := demoAuditLog()
	if err != nil {
		return err
	}
	logger.Info("demo console", "url", srv.URL, "audit", audit.Path())
	jobs, err := demoJobsDir()
	if err != nil {
		return err
	}
	// The demo's servers get a new port on each run; a stable identity
	// (the fleet's seed and size) keeps its jobs resumable in the next demo.
	demoID := fmt.Sprintf("jamfops-demo:seed=%d,computers=%d,mobile=%d", o.seed, o.computers, o.mobiles)
	return runConsole(ctx, ui.Deps{Jamf: client, JSC: rc, Audit: audit, Profile: "demo", ReadOnly: o.readOnly,
		JobsDir: jobs, ServerID: demoID, JSCServerID: demoID + "/jsc"}, nil, nil)
}

// demoJobsDir keeps demo jobs apart from real ones.
func demoJobsDir() (string, error) {
	dir, err := ops.DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "demo-jobs"), nil
}

// demoAuditLog keeps demo writes apart from real ones.
func demoAuditLog() (*ops.AuditLog, error) {
	path, err := ops.DefaultAuditPath()
	if err != nil {
		return nil, err
	}
	return ops.OpenAuditLog(filepath.Join(filepath.Dir(path), "demo-audit.jsonl"))
}

// consoleLong is the root command's help: what jamfops is and how it
// finds its connection.
const consoleLong = `jamfops: a terminal console for Jamf Pro fleets.

With no command it opens the full-screen console on the active profile
(or --profile NAME); the environment overrides the profile and flags
override both:
  JAMF_URL             https://yourserver.jamfcloud.com   (--url)
  JAMF_CLIENT_ID       API client ID (recommended)         (--client-id)
  JAMF_CLIENT_SECRET   API client secret
  JAMF_USERNAME        user account, if no API client       (--username)
  JAMF_PASSWORD        its password
  JSC_URL, JSC_APP_ID, JSC_APP_SECRET   the JSC Risk API (default https://api.wandera.com)
Secrets are read from the environment or the OS keychain only, never from
flags, so they do not land in shell history or process listings.

Exit statuses: 0 done, 1 failed, 2 invalid command line, 3 a job is held
for a go-ahead, 130 interrupted.`

// newConsoleCmd is the root command: the console on the configured connection.
func newConsoleCmd(ctx context.Context, env *Env) *cobra.Command {
	var conn connFlags
	var readOnly, debug bool
	c := &cobra.Command{
		Use:   "jamfops",
		Short: "A terminal console for Jamf Pro fleets",
		Long:  consoleLong,
		Example: `  jamfops                      the console on $JAMF_URL or the active profile
  jamfops --profile prod --read-only
  jamfops demo                 the console on a built-in demo fleet (no account needed)
  jamfops groups --json
  jamfops mass run --group "Lab Macs" --command blank-push --dry-run`,
		Version:       versionString(env),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(c *cobra.Command, args []string) error {
			return runEnvConsole(ctx, env, &conn, readOnly, debug)
		},
	}
	c.SetVersionTemplate("{{.Version}}\n")
	conn.register(c, env)
	c.Flags().BoolVar(&readOnly, "read-only", false, "hide and disable every write")
	c.Flags().BoolVar(&debug, "debug", false, "verbose log file")
	return c
}

// runEnvConsole opens the console on the environment's credentials.
func runEnvConsole(ctx context.Context, env *Env, conn *connFlags, readOnly, debug bool) error {
	logger, closeLog, err := openLog(debug)
	if err != nil {
		return err
	}
	defer closeLog()
	resolved, err := conn.resolve(env)
	if err != nil {
		return err
	}
	client, err := resolved.client(jamf.WithLogger(logger))
	if err != nil {
		return err
	}
	defer client.Close(context.WithoutCancel(ctx))
	path, err := ops.DefaultAuditPath()
	if err != nil {
		return err
	}
	audit, err := ops.OpenAuditLog(path)
	if err != nil {
		return err
	}
	var names []string
	if f, err := config.Load(env.ProfilesPath); err == nil {
		names = f.Names()
	}
	deps := consoleDeps(resolved, client, audit, readOnly, names)
	if deps.JSC, err = jscClient(env, conn.profile, "", ""); err != nil {
		return err
	}
	deps.Switch = func(name string) (ui.Deps, error) {
		next, err := (&connFlags{profile: name}).resolve(env)
		if err != nil {
			return ui.Deps{}, err
		}
		nc, err := next.client(jamf.WithLogger(logger))
		if err != nil {
			return ui.Deps{}, err
		}
		d := consoleDeps(next, nc, audit, readOnly, names)
		d.JSC, err = jscClient(env, name, "", "")
		return d, err
	}
	return runConsole(ctx, deps, nil, nil)
}

// consoleDeps describes a connection to the console.
func consoleDeps(conn connection, client *jamf.Client, audit *ops.AuditLog, readOnly bool, names []string) ui.Deps {
	// The risk screen's cache; without a user cache directory it keeps none.
	cacheDir, _ := ops.RiskCacheDir()
	return ui.Deps{Jamf: client, Audit: audit, Profile: conn.profile.Name, Accent: conn.profile.Accent, RiskCacheDir: cacheDir,
		ReadOnly: readOnly || conn.profile.ReadOnly, BasicAuth: conn.profile.Auth == config.AuthUser, Profiles: names}
}
