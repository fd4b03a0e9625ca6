package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/jamf"
)

// connFlags are the connection settings every server command takes.
type connFlags struct {
	profile, url, clientID, username string
}

// register adds the connection flags to cmd, with completion of profile names.
func (c *connFlags) register(cmd *cobra.Command, env *Env) {
	fs := cmd.Flags()
	fs.StringVar(&c.profile, "profile", "", "saved profile to use (default: the active one)")
	fs.StringVar(&c.url, "url", "", "Jamf Pro URL (default $JAMF_URL or the profile's)")
	fs.StringVar(&c.clientID, "client-id", "", "API client ID (default $JAMF_CLIENT_ID or the profile's)")
	fs.StringVar(&c.username, "username", "", "user name when not using an API client (default $JAMF_USERNAME)")
	_ = cmd.RegisterFlagCompletionFunc("profile", completeProfiles(env))
}

// connection is a resolved profile with its secret.
type connection struct {
	profile config.Profile
	secret  string
	saved   bool // came from the profiles file
	// userAgent names this build to the server.
	userAgent string
}

// resolve builds the connection: the named or active profile, overridden
// by the environment, overridden by flags. Secrets come from the
// environment first, then the keychain; never from flags or files.
func (c *connFlags) resolve(env *Env) (connection, error) {
	conn := connection{userAgent: userAgent(env)}
	envURL := env.Getenv("JAMF_URL")
	if c.profile != "" || (envURL == "" && c.url == "") {
		f, err := config.Load(env.ProfilesPath)
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
	if id := firstNonEmpty(c.clientID, env.Getenv("JAMF_CLIENT_ID")); id != "" {
		p.Auth, p.ClientID = config.AuthClient, id
	} else if user := firstNonEmpty(c.username, env.Getenv("JAMF_USERNAME")); user != "" {
		p.Auth, p.Username = config.AuthUser, user
	}
	if p.Auth == "" {
		return conn, errors.New("no credentials: set JAMF_CLIENT_ID and JAMF_CLIENT_SECRET (or JAMF_USERNAME and JAMF_PASSWORD), or use a saved profile")
	}
	secretVar := "JAMF_CLIENT_SECRET"
	if p.Auth == config.AuthUser {
		secretVar = "JAMF_PASSWORD"
	}
	conn.secret = env.Getenv(secretVar)
	if conn.secret == "" && conn.saved {
		s, err := env.Secrets.Get(p.Name, config.SecretJamf)
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
	return jamf.NewClient(conn.profile.URL, append([]jamf.Option{auth, jamf.WithUserAgent(conn.userAgent)}, extra...)...)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// parseKind reads an optional --kind value.
func parseKind(s string) (jamf.Platform, error) {
	if s == "" {
		return "", nil
	}
	p, err := jamf.ParsePlatform(s)
	if err != nil {
		return "", usageErrorf("%v", err)
	}
	return p, nil
}

// withClient connects, runs fn, and invalidates the session afterwards.
func withClient(ctx context.Context, flags *connFlags, env *Env, fn func(*jamf.Client) error) error {
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
