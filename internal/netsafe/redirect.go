package netsafe

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxRedirects is how many same-origin redirects one read may follow.
const MaxRedirects = 10

// RedirectError reports a redirect the client refused to follow. From and
// To carry no userinfo and no query.
type RedirectError struct {
	From, To string
	// Reason says which rule refused it.
	Reason string
}

// Error implements error.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("refused redirect from %s to %s: %s", e.From, e.To, e.Reason)
}

type credentialKey struct{}

// CredentialRequest marks a request context as carrying credentials (a
// token or login request): CheckRedirect never follows a redirect of it.
func CredentialRequest(ctx context.Context) context.Context {
	return context.WithValue(ctx, credentialKey{}, true)
}

func isCredentialRequest(ctx context.Context) bool {
	v, _ := ctx.Value(credentialKey{}).(bool)
	return v
}

// CheckRedirect is the clients' redirect policy, shaped for
// http.Client.CheckRedirect. It refuses:
//   - any redirect of a request marked with CredentialRequest (a token or
//     login request: its secret must never be re-sent elsewhere);
//   - any redirect of a request other than GET or HEAD (a write may have
//     been carried out, and re-sending it could repeat it);
//   - a redirect that changes the scheme (https to http above all), the
//     host or the port of the original request;
//   - more than MaxRedirects hops.
//
// What it lets through is a same-origin redirect of a read, on which the
// HTTP client keeps the Authorization header (it does so only for the
// same host, and the port cannot change here).
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	first, prev := via[0], via[len(via)-1]
	refuse := func(reason string) error {
		return &RedirectError{From: RedactedURL(prev.URL), To: RedactedURL(req.URL), Reason: reason}
	}
	switch {
	case isCredentialRequest(req.Context()) || isCredentialRequest(first.Context()):
		return refuse("a request carrying credentials never follows a redirect")
	case first.Method != http.MethodGet && first.Method != http.MethodHead:
		return refuse(fmt.Sprintf("a %s is never redirected (it may carry a change or a secret)", first.Method))
	case len(via) >= MaxRedirects:
		return refuse(fmt.Sprintf("more than %d redirects", MaxRedirects))
	}
	from, to := first.URL, req.URL
	switch {
	case strings.EqualFold(from.Scheme, "https") && !strings.EqualFold(to.Scheme, "https"):
		return refuse("https must not be downgraded to " + to.Scheme)
	case !strings.EqualFold(from.Scheme, to.Scheme):
		return refuse("the scheme changes")
	case !strings.EqualFold(from.Hostname(), to.Hostname()):
		return refuse("the host changes")
	case effectivePort(from) != effectivePort(to):
		return refuse("the port changes")
	}
	return nil
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// ProtectRedirects returns a copy of hc (a new client when nil) whose
// redirects go through CheckRedirect first, then through hc's own policy
// if it had one. hc itself is not changed.
func ProtectRedirects(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	prior := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := CheckRedirect(req, via); err != nil {
			return err
		}
		if prior != nil {
			return prior(req, via)
		}
		return nil
	}
	return &c
}
