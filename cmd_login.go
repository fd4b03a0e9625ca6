package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
)

// prompter asks questions on a terminal; with no terminal it answers with
// defaults and refuses to ask for secrets.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
	fd  uintptr
	tty bool
}

func newPrompter(env *cliEnv) *prompter {
	p := &prompter{in: bufio.NewReader(env.stdin), out: env.stderr}
	if f, ok := env.stdin.(*os.File); ok && term.IsTerminal(f.Fd()) {
		p.fd, p.tty = f.Fd(), true
	}
	return p
}

func (p *prompter) ask(question, def string) (string, error) {
	if !p.tty {
		if def == "" {
			return "", fmt.Errorf("%w: %s is required (no terminal to ask on; pass it as a flag)", errUsage, question)
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
		return "", fmt.Errorf("%w: no terminal to ask for the %s on; pipe it with --secret-stdin", errUsage, question)
	}
	fmt.Fprintf(p.out, "%s (hidden): ", question)
	b, err := term.ReadPassword(p.fd)
	fmt.Fprintln(p.out)
	return string(b), err
}

// runLogin saves a profile after checking its credentials against the server.
func runLogin(ctx context.Context, args []string, env *cliEnv) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	name := fs.String("name", "", "profile name (e.g. production)")
	url := fs.String("url", "", "Jamf Pro URL, https://yourserver.jamfcloud.com")
	clientID := fs.String("client-id", "", "API client ID (recommended)")
	username := fs.String("username", "", "user account, if you have no API client")
	jscApp := fs.String("jsc-app-id", "", "optional Jamf Security Cloud Risk API application ID")
	readOnly := fs.Bool("read-only", false, "open this profile read-only (for help desk)")
	accent := fs.String("accent", "", "header colour, e.g. #d70000 for production")
	secretStdin := fs.Bool("secret-stdin", false, "read the secret from the first line of standard input")
	noVerify := fs.Bool("no-verify", false, "save without testing the credentials")
	if err := parseFlags(fs, args, env.stderr); err != nil {
		return err
	}
	p := newPrompter(env)
	var err error
	prof := config.Profile{Name: *name, URL: *url, ClientID: *clientID, Username: *username, JSCAppID: *jscApp, ReadOnly: *readOnly, Accent: *accent}
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
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	what := "API client secret"
	if prof.Auth == config.AuthUser {
		what = "password"
		fmt.Fprintln(env.stderr, "Note: a user account works, but a dedicated API client with only the privileges jamfops needs is safer.")
	}
	secret, err := p.secret(what, *secretStdin)
	if err != nil {
		return err
	}
	if secret == "" {
		return fmt.Errorf("%w: the %s is empty", errUsage, what)
	}
	if !*noVerify {
		conn := connection{profile: prof, secret: secret}
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
		fmt.Fprintf(env.stderr, "Connected to Jamf Pro %s as %s.\n", v, prof.Identity())
		if privs != nil && privs.Known {
			if missing := privs.Missing(jamf.PrivReadComputers, jamf.PrivReadSmartComputerGrps, jamf.PrivViewMDMCommands, jamf.PrivFlushMDMCommands); len(missing) > 0 {
				fmt.Fprintf(env.stderr, "This credential lacks: %s. Those parts of jamfops will be shown disabled.\n", strings.Join(missing, ", "))
			}
		}
	}
	var jscSecret string
	if prof.JSCAppID != "" {
		// The Risk API secret comes from the environment or a hidden prompt
		// (with --secret-stdin, from the second line of standard input).
		if jscSecret = env.getenv("JSC_APP_SECRET"); jscSecret == "" {
			if jscSecret, err = p.secret("JSC Risk API application secret", *secretStdin); err != nil {
				return err
			}
		}
		if !*noVerify {
			rc, err := jsc.NewClient(env.getenv("JSC_URL"), prof.JSCAppID, jscSecret)
			if err != nil {
				return err
			}
			if _, err := rc.ListDevices(ctx, &jsc.ListOptions{ExternalID: "jamfops-login-check"}); err != nil {
				return fmt.Errorf("checking the JSC credentials: %w (nothing was saved)", err)
			}
			fmt.Fprintf(env.stderr, "Connected to the JSC Risk API as %s.\n", prof.JSCAppID)
		}
	}
	f, err := config.Load(env.profilesPath)
	if err != nil {
		return err
	}
	keychainErr := env.secrets.Set(prof.Name, config.SecretJamf, secret)
	if keychainErr == nil && jscSecret != "" {
		keychainErr = env.secrets.Set(prof.Name, config.SecretJSC, jscSecret)
	}
	var kerr *config.KeychainError
	if keychainErr != nil && !errors.As(keychainErr, &kerr) {
		return keychainErr
	}
	f.Put(prof)
	if err := f.Save(env.profilesPath); err != nil {
		return fmt.Errorf("saving the profile: %w", err)
	}
	fmt.Fprintf(env.stdout, "Saved profile %q (%s) as the active profile in %s.\n", prof.Name, prof.URL, env.profilesPath)
	if keychainErr != nil {
		fmt.Fprintf(env.stdout, "The secret was NOT stored: %v.\n", keychainErr)
	} else {
		fmt.Fprintln(env.stdout, "The secret is in the OS keychain; the profiles file holds none.")
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// runProfiles lists profiles, or switches or deletes one.
func runProfiles(args []string, env *cliEnv) error {
	f, err := config.Load(env.profilesPath)
	if err != nil {
		return err
	}
	if len(args) == 2 && (args[0] == "use" || args[0] == "delete") {
		if _, err := f.Get(args[1]); err != nil {
			return err
		}
		if args[0] == "use" {
			f.Active = args[1]
			if err := f.Save(env.profilesPath); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "Active profile: %s\n", args[1])
			return nil
		}
		for i, p := range f.Profiles {
			if p.Name == args[1] {
				f.Profiles = append(f.Profiles[:i], f.Profiles[i+1:]...)
				break
			}
		}
		if f.Active == args[1] {
			f.Active = ""
		}
		if err := env.secrets.Delete(args[1], config.SecretJamf); err != nil {
			fmt.Fprintf(env.stderr, "note: %v\n", err)
		}
		_ = env.secrets.Delete(args[1], config.SecretJSC)
		if err := f.Save(env.profilesPath); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "Deleted profile %s and its keychain secrets.\n", args[1])
		return nil
	}
	if len(args) > 0 {
		return fmt.Errorf("%w: usage: jamfops profiles [use NAME | delete NAME]", errUsage)
	}
	if len(f.Profiles) == 0 {
		fmt.Fprintln(env.stdout, "No profiles yet: 'jamfops login' saves one ('jamfops demo' needs none).")
		return nil
	}
	t := newTable(env.stdout, "", "NAME", "URL", "AUTH", "ID", "MODE", "SECRET")
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
		if _, err := env.secrets.Get(p.Name, config.SecretJamf); err != nil {
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
