package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/jamf"
)

// secretStore is where profile secrets live (the OS keychain; a fake in tests).
type secretStore interface {
	Get(profile, kind string) (string, error)
	Set(profile, kind, secret string) error
	Delete(profile, kind string) error
}

// connFlags are the connection settings every server command takes.
type connFlags struct {
	profile, url, clientID, username string
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.profile, "profile", "", "saved profile to use (default: the active one)")
	fs.StringVar(&c.url, "url", "", "Jamf Pro URL (default $JAMF_URL or the profile's)")
	fs.StringVar(&c.clientID, "client-id", "", "API client ID (default $JAMF_CLIENT_ID or the profile's)")
	fs.StringVar(&c.username, "username", "", "user name when not using an API client (default $JAMF_USERNAME)")
}

// connection is a resolved profile with its secret.
type connection struct {
	profile config.Profile
	secret  string
	saved   bool // came from the profiles file
}

// resolve builds the connection: the named or active profile, overridden
// by the environment, overridden by flags. Secrets come from the
// environment first, then the keychain; never from flags or files.
func (c *connFlags) resolve(env *cliEnv) (connection, error) {
	var conn connection
	envURL := env.getenv("JAMF_URL")
	if c.profile != "" || (envURL == "" && c.url == "") {
		f, err := config.Load(env.profilesPath)
		if err != nil {
			return conn, err
		}
		p, err := f.Get(c.profile)
		if err != nil {
			if c.profile == "" && len(f.Profiles) == 0 {
				return conn, errors.New("no connection: set JAMF_URL with JAMF_CLIENT_ID and JAMF_CLIENT_SECRET, or save a profile with 'jamfops login'; 'jamfops demo' needs neither")
			}
			return conn, err
		}
		conn.profile, conn.saved = p, true
	}
	p := &conn.profile
	if p.Name == "" {
		p.Name = "env"
	}
	p.URL = firstNonEmpty(c.url, envURL, p.URL)
	if id := firstNonEmpty(c.clientID, env.getenv("JAMF_CLIENT_ID")); id != "" {
		p.Auth, p.ClientID = config.AuthClient, id
	} else if user := firstNonEmpty(c.username, env.getenv("JAMF_USERNAME")); user != "" {
		p.Auth, p.Username = config.AuthUser, user
	}
	if p.Auth == "" {
		return conn, errors.New("no credentials: set JAMF_CLIENT_ID and JAMF_CLIENT_SECRET (or JAMF_USERNAME and JAMF_PASSWORD), or use a saved profile")
	}
	secretVar := "JAMF_CLIENT_SECRET"
	if p.Auth == config.AuthUser {
		secretVar = "JAMF_PASSWORD"
	}
	conn.secret = env.getenv(secretVar)
	if conn.secret == "" && conn.saved {
		s, err := env.secrets.Get(p.Name, config.SecretJamf)
		switch {
		case err == nil:
			conn.secret = s
		case errors.Is(err, config.ErrNoSecret):
			return conn, fmt.Errorf("profile %q has no secret in the keychain: run 'jamfops login --name %s' again or set %s", p.Name, p.Name, secretVar)
		default:
			return conn, err
		}
	}
	if conn.secret == "" {
		return conn, fmt.Errorf("%s %s has no secret: set %s", authWord(p.Auth), p.Identity(), secretVar)
	}
	return conn, nil
}

func authWord(auth string) string {
	if auth == config.AuthUser {
		return "user"
	}
	return "API client"
}

// client opens a Jamf Pro client for the connection.
func (conn connection) client(extra ...jamf.Option) (*jamf.Client, error) {
	auth := jamf.WithClientCredentials(conn.profile.ClientID, conn.secret)
	if conn.profile.Auth == config.AuthUser {
		auth = jamf.WithUserCredentials(conn.profile.Username, conn.secret)
	}
	return jamf.NewClient(conn.profile.URL, append([]jamf.Option{auth, jamf.WithUserAgent("jamfops/" + strings.Fields(versionString())[1])}, extra...)...)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// parseFlags parses args, printing errors to stderr; a bad command line
// returns errUsage.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "jamfops %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

// parseKind reads an optional --kind value.
func parseKind(s string) (jamf.Platform, error) {
	if s == "" {
		return "", nil
	}
	p, err := jamf.ParsePlatform(s)
	if err != nil {
		return "", fmt.Errorf("%w: %v", errUsage, err)
	}
	return p, nil
}

// withClient connects, runs fn, and invalidates the session afterwards.
func withClient(ctx context.Context, flags *connFlags, env *cliEnv, fn func(*jamf.Client) error) error {
	conn, err := flags.resolve(env)
	if err != nil {
		return err
	}
	c, err := conn.client()
	if err != nil {
		return err
	}
	defer c.Close(context.WithoutCancel(ctx))
	return fn(c)
}
