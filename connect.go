package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/jamfops/jamfops/jamf"
)

// connFlags are the connection settings every server command takes.
type connFlags struct {
	url, clientID, username string
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "url", "", "Jamf Pro URL (default $JAMF_URL)")
	fs.StringVar(&c.clientID, "client-id", "", "API client ID (default $JAMF_CLIENT_ID)")
	fs.StringVar(&c.username, "username", "", "user name when not using an API client (default $JAMF_USERNAME)")
}

// client builds a Jamf Pro client from the flags and the environment.
func (c *connFlags) client(getenv func(string) string, extra ...jamf.Option) (*jamf.Client, error) {
	url := firstNonEmpty(c.url, getenv("JAMF_URL"))
	id := firstNonEmpty(c.clientID, getenv("JAMF_CLIENT_ID"))
	user := firstNonEmpty(c.username, getenv("JAMF_USERNAME"))
	var auth jamf.Option
	switch {
	case id != "":
		secret := getenv("JAMF_CLIENT_SECRET")
		if secret == "" {
			return nil, errors.New("API client " + id + " has no secret: set JAMF_CLIENT_SECRET")
		}
		auth = jamf.WithClientCredentials(id, secret)
	case user != "":
		pass := getenv("JAMF_PASSWORD")
		if pass == "" {
			return nil, errors.New("user " + user + " has no password: set JAMF_PASSWORD")
		}
		auth = jamf.WithUserCredentials(user, pass)
	default:
		return nil, errors.New("no credentials: set JAMF_CLIENT_ID and JAMF_CLIENT_SECRET (or JAMF_USERNAME and JAMF_PASSWORD); try 'jamfops demo --serve' for a demo server")
	}
	return jamf.NewClient(url, append([]jamf.Option{auth, jamf.WithUserAgent("jamfops/" + strings.Fields(versionString())[1])}, extra...)...)
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
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
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
func withClient(ctx context.Context, conn *connFlags, getenv func(string) string, fn func(*jamf.Client) error) error {
	c, err := conn.client(getenv)
	if err != nil {
		return err
	}
	defer c.Close(context.WithoutCancel(ctx))
	return fn(c)
}
