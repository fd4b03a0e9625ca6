package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
)

// prompter asks questions on a terminal; with no terminal it answers with
// defaults and refuses to ask for secrets.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
	fd  uintptr
	tty bool
}

func newPrompter(env *Env) *prompter {
	p := &prompter{in: bufio.NewReader(env.Stdin), out: env.Stderr}
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(f.Fd()) {
		p.fd, p.tty = f.Fd(), true
	}
	return p
}

func (p *prompter) ask(question, def string) (string, error) {
	if !p.tty {
		if def == "" {
			return "", usageErrorf("%s is required (no terminal to ask on; pass it as a flag)", question)
		}
		return def, nil
	}
	if def != "" {
		fmt.Fprintf(p.out, "%s [%s]: ", question, def)
	} else {
		fmt.Fprintf(p.out, "%s: ", question)
	}
	line, err := p.in.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	if line = strings.TrimSpace(line); line == "" {
		return def, nil
	}
	return line, nil
}

// secret reads a secret without echo (or one line of stdin with --secret-stdin).
func (p *prompter) secret(question string, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := p.in.ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("no secret on standard input")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	if !p.tty {
		return "", usageErrorf("no terminal to ask for the %s on; pipe it with --secret-stdin", question)
	}
	fmt.Fprintf(p.out, "%s (hidden): ", question)
	b, err := term.ReadPassword(p.fd)
	fmt.Fprintln(p.out)
	return string(b), err
}

// loginOptions are the flags of jamfops login.
type loginOptions struct {
	name, url, clientID, username, jscApp, accent string
	readOnly, secretStdin, noVerify               bool
}

func newLoginCmd(ctx context.Context, env *Env) *cobra.Command {
	var o loginOptions
	c := &cobra.Command{
		Use:   "login",
		Short: "Save a connection profile after checking its credentials",
		Long: `Saves a profile (name, URL, API client ID or user name) in the profiles
file and its secret in the OS keychain, after checking the credentials
against the server. Missing values are asked for on a terminal; the
secret is never taken from a flag.`,
		Example: `  jamfops login
  jamfops login --name prod --url https://example.jamfcloud.com --client-id 1a2b… --accent '#d70000'
  printf '%s\n' "$SECRET" | jamfops login --name lab --url https://lab.example.com --client-id ID --secret-stdin`,
		RunE: func(c *cobra.Command, args []string) error {
			return runLogin(ctx, env, &o)
		},
	}
	fs := c.Flags()
	fs.StringVar(&o.name, "name", "", "profile name (e.g. production)")
	fs.StringVar(&o.url, "url", "", "Jamf Pro URL, https://yourserver.jamfcloud.com")
	fs.StringVar(&o.clientID, "client-id", "", "API client ID (recommended)")
	fs.StringVar(&o.username, "username", "", "user account, if you have no API client")
	fs.StringVar(&o.jscApp, "jsc-app-id", "", "optional Jamf Security Cloud Risk API application ID")
	fs.BoolVar(&o.readOnly, "read-only", false, "open this profile read-only (for help desk)")
	fs.StringVar(&o.accent, "accent", "", "header colour, e.g. #d70000 for production")
	fs.BoolVar(&o.secretStdin, "secret-stdin", false, "read the secret from the first line of standard input")
	fs.BoolVar(&o.noVerify, "no-verify", false, "save without testing the credentials")
	_ = c.RegisterFlagCompletionFunc("name", completeProfiles(env))
	return c
}

// runLogin saves a profile after checking its credentials against the server.
func runLogin(ctx context.Context, env *Env, o *loginOptions) error {
	p := newPrompter(env)
	var err error
	prof := config.Profile{Name: o.name, URL: o.url, ClientID: o.clientID, Username: o.username, JSCAppID: o.jscApp, ReadOnly: o.readOnly, Accent: o.accent}
	if prof.Name, err = p.ask("Profile name", orDefault(prof.Name, "default")); err != nil {
		return err
	}
	if prof.URL, err = p.ask("Jamf Pro URL (https://…)", prof.URL); err != nil {
		return err
	}
	switch {
	case prof.ClientID != "":
		prof.Auth = config.AuthClient
	case prof.Username != "":
		prof.Auth = config.AuthUser
	default:
		kind, err := p.ask("Authenticate with an API client (c) or a user account (u)? API clients are the least-privilege path", "c")
		if err != nil {
			return err
		}
		if strings.HasPrefix(strings.ToLower(kind), "u") {
			prof.Auth = config.AuthUser
			if prof.Username, err = p.ask("Username", ""); err != nil {
				return err
			}
		} else {
			prof.Auth = config.AuthClient
			if prof.ClientID, err = p.ask("API client ID", ""); err != nil {
				return err
			}
		}
	}
	if err := prof.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	what := "API client secret"
	if prof.Auth == config.AuthUser {
		what = "password"
		fmt.Fprintln(env.Stderr, "Note: a user account works, but a dedicated API client with only the privileges jamfops needs is safer.")
	}
	secret, err := p.secret(what, o.secretStdin)
	if err != nil {
		return err
	}
	if secret == "" {
		return usageErrorf("the %s is empty", what)
	}
	if !o.noVerify {
		conn := connection{profile: prof, secret: secret, userAgent: userAgent(env)}
		c, err := conn.client()
		if err != nil {
			return err
		}
		v, _, err := c.Auth.Version(ctx)
		if err != nil {
			return fmt.Errorf("checking the credentials: %w (nothing was saved; --no-verify saves anyway)", err)
		}
		privs, _ := c.Auth.Privileges(ctx)
		_ = c.Close(context.WithoutCancel(ctx))
		fmt.Fprintf(env.Stderr, "Connected to Jamf Pro %s as %s.\n", ops.Clean(v), prof.Identity())
		if privs != nil && privs.Known {
			if missing := privs.Missing(jamf.PrivReadComputers, jamf.PrivReadSmartComputerGrps, jamf.PrivViewMDMCommands, jamf.PrivFlushMDMCommands); len(missing) > 0 {
				fmt.Fprintf(env.Stderr, "This credential lacks: %s. Those parts of jamfops will be shown disabled.\n", strings.Join(missing, ", "))
			}
		}
	}
	var jscSecret string
	if prof.JSCAppID != "" {
		// The Risk API secret comes from the environment or a hidden prompt
		// (with --secret-stdin, from the second line of standard input).
		if jscSecret = env.Getenv("JSC_APP_SECRET"); jscSecret == "" {
			if jscSecret, err = p.secret("JSC Risk API application secret", o.secretStdin); err != nil {
				return err
			}
		}
		if !o.noVerify {
			rc, err := jsc.NewClient(env.Getenv("JSC_URL"), prof.JSCAppID, jscSecret, jsc.WithUserAgent(userAgent(env)))
			if err != nil {
				return err
			}
			if _, err := rc.ListDevices(ctx, &jsc.ListOptions{ExternalID: "jamfops-login-check"}); err != nil {
				return fmt.Errorf("checking the JSC credentials: %w (nothing was saved)", err)
			}
			fmt.Fprintf(env.Stderr, "Connected to the JSC Risk API as %s.\n", prof.JSCAppID)
		}
	}
	f, err := config.Load(env.ProfilesPath)
	if err != nil {
		return err
	}
	keychainErr := env.Secrets.Set(prof.Name, config.SecretJamf, secret)
	if keychainErr == nil && jscSecret != "" {
		keychainErr = env.Secrets.Set(prof.Name, config.SecretJSC, jscSecret)
	}
	var kerr *config.KeychainError
	if keychainErr != nil && !errors.As(keychainErr, &kerr) {
		return keychainErr
	}
	f.Put(prof)
	if err := f.Save(env.ProfilesPath); err != nil {
		return fmt.Errorf("saving the profile: %w", err)
	}
	fmt.Fprintf(env.Stdout, "Saved profile %q (%s) as the active profile in %s.\n", prof.Name, prof.URL, env.ProfilesPath)
	if keychainErr != nil {
		fmt.Fprintf(env.Stdout, "The secret was NOT stored: %v.\n", keychainErr)
	} else {
		fmt.Fprintln(env.Stdout, "The secret is in the OS keychain; the profiles file holds none.")
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func newProfilesCmd(env *Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "profiles",
		Short: "List saved profiles, or switch or delete one",
		Example: `  jamfops profiles
  jamfops profiles use prod
  jamfops profiles delete lab`,
		RunE: func(c *cobra.Command, args []string) error {
			return listProfiles(env)
		},
	}
	use := &cobra.Command{
		Use:               "use NAME",
		Short:             "Make a saved profile the active one",
		Example:           "  jamfops profiles use prod",
		Args:              rangeArgs(1, 1, "one profile name"),
		ValidArgsFunction: completeProfileArg(env),
		RunE: func(c *cobra.Command, args []string) error {
			return useProfile(env, args[0])
		},
	}
	del := &cobra.Command{
		Use:               "delete NAME",
		Short:             "Delete a saved profile and its keychain secrets",
		Example:           "  jamfops profiles delete lab",
		Args:              rangeArgs(1, 1, "one profile name"),
		ValidArgsFunction: completeProfileArg(env),
		RunE: func(c *cobra.Command, args []string) error {
			return deleteProfile(env, args[0])
		},
	}
	c.AddCommand(use, del)
	return c
}

// useProfile makes a saved profile the active one.
func useProfile(env *Env, name string) error {
	f, err := config.Load(env.ProfilesPath)
	if err != nil {
		return err
	}
	if _, err := f.Get(name); err != nil {
		return err
	}
	f.Active = name
	if err := f.Save(env.ProfilesPath); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Active profile: %s\n", name)
	return nil
}

// deleteProfile removes a profile and its keychain secrets.
func deleteProfile(env *Env, name string) error {
	f, err := config.Load(env.ProfilesPath)
	if err != nil {
		return err
	}
	if _, err := f.Get(name); err != nil {
		return err
	}
	for i, p := range f.Profiles {
		if p.Name == name {
			f.Profiles = append(f.Profiles[:i], f.Profiles[i+1:]...)
			break
		}
	}
	if f.Active == name {
		f.Active = ""
	}
	if err := env.Secrets.Delete(name, config.SecretJamf); err != nil {
		fmt.Fprintf(env.Stderr, "note: %v\n", err)
	}
	_ = env.Secrets.Delete(name, config.SecretJSC)
	if err := f.Save(env.ProfilesPath); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Deleted profile %s and its keychain secrets.\n", name)
	return nil
}

// listProfiles prints the saved profiles.
func listProfiles(env *Env) error {
	f, err := config.Load(env.ProfilesPath)
	if err != nil {
		return err
	}
	if len(f.Profiles) == 0 {
		fmt.Fprintln(env.Stdout, "No profiles yet: 'jamfops login' saves one ('jamfops demo' needs none).")
		return nil
	}
	t := newTable(env.Stdout, "", "NAME", "URL", "AUTH", "ID", "MODE", "SECRET")
	for _, p := range f.Profiles {
		active := ""
		if p.Name == f.Active {
			active = "*"
		}
		mode := "read-write"
		if p.ReadOnly {
			mode = "read-only"
		}
		secret := "keychain"
		if _, err := env.Secrets.Get(p.Name, config.SecretJamf); err != nil {
			secret = "missing"
			var kerr *config.KeychainError
			if errors.As(err, &kerr) {
				secret = "keychain unavailable"
			}
		}
		t.row(active, p.Name, p.URL, authWord(p.Auth), p.Identity(), mode, secret)
	}
	return t.flush()
}
