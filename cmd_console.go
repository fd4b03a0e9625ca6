package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"

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
	_, err := tea.NewProgram(ui.New(deps), opts...).Run()
	return err
}

// runDemoConsole opens the console on an in-process demo fleet.
func runDemoConsole(ctx context.Context, args []string, env *cliEnv) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	readOnly := fs.Bool("read-only", false, "hide and disable every write")
	helpdesk := fs.Bool("helpdesk", false, "connect as the read-only help-desk API client")
	computers := fs.Int("computers", 2000, "computers in the demo fleet")
	mobiles := fs.Int("mobile", 1000, "mobile devices in the demo fleet")
	seed := fs.Uint64("seed", 1, "fleet seed")
	debug := fs.Bool("debug", false, "verbose log file")
	if err := parseFlags(fs, args, env.stderr); err != nil {
		return err
	}
	logger, closeLog, err := openLog(*debug)
	if err != nil {
		return err
	}
	defer closeLog()
	srv, err := jamftest.NewServer(jamftest.Options{Seed: *seed, Computers: orNone(*computers), MobileDevices: orNone(*mobiles), HostileNames: true})
	if err != nil {
		return err
	}
	defer srv.Close()
	riskSrv := jsctest.NewServer(jscDemoOptions(srv, *seed))
	defer riskSrv.Close()
	rc, err := jsc.NewClient(riskSrv.URL, jsctest.DemoAppID, jsctest.DemoAppSecret, jsc.WithLogger(logger))
	if err != nil {
		return err
	}
	id, secret := jamftest.DemoClientID, jamftest.DemoClientSecret
	if *helpdesk {
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
	return runConsole(ctx, ui.Deps{Jamf: client, JSC: rc, Audit: audit, Profile: "demo", ReadOnly: *readOnly}, nil, nil)
}

// demoAuditLog keeps demo writes apart from real ones.
func demoAuditLog() (*ops.AuditLog, error) {
	path, err := ops.DefaultAuditPath()
	if err != nil {
		return nil, err
	}
	return ops.OpenAuditLog(filepath.Join(filepath.Dir(path), "demo-audit.jsonl"))
}

// runEnvConsole opens the console on the environment's credentials.
func runEnvConsole(ctx context.Context, args []string, env *cliEnv) error {
	fs := flag.NewFlagSet("jamfops", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	readOnly := fs.Bool("read-only", false, "hide and disable every write")
	debug := fs.Bool("debug", false, "verbose log file")
	if err := parseFlags(fs, args, env.stderr); err != nil {
		return err
	}
	logger, closeLog, err := openLog(*debug)
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
	if f, err := config.Load(env.profilesPath); err == nil {
		names = f.Names()
	}
	deps := consoleDeps(resolved, client, audit, *readOnly, names)
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
		d := consoleDeps(next, nc, audit, *readOnly, names)
		d.JSC, err = jscClient(env, name, "", "")
		return d, err
	}
	return runConsole(ctx, deps, nil, nil)
}

// consoleDeps describes a connection to the console.
func consoleDeps(conn connection, client *jamf.Client, audit *ops.AuditLog, readOnly bool, names []string) ui.Deps {
	return ui.Deps{Jamf: client, Audit: audit, Profile: conn.profile.Name, Accent: conn.profile.Accent,
		ReadOnly: readOnly || conn.profile.ReadOnly, BasicAuth: conn.profile.Auth == config.AuthUser, Profiles: names}
}
