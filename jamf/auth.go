package jamf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jamfops/jamfops/internal/netsafe"
	"github.com/jamfops/jamfops/internal/tokencache"
)

// tokenSource hands out bearer tokens, fetching and caching them.
type tokenSource interface {
	token(ctx context.Context, c *Client) (string, error)
	invalidate(token string)
	close(ctx context.Context, c *Client) error
	identity() string
}

// noAuth sends requests without credentials.
type noAuth struct{}

func (noAuth) token(context.Context, *Client) (string, error) { return "", nil }
func (noAuth) invalidate(string)                              {}
func (noAuth) close(context.Context, *Client) error           { return nil }
func (noAuth) identity() string                               { return "" }

// AuthError reports that Jamf Pro refused the credentials themselves.
type AuthError struct {
	// Kind is "API client" or "user".
	Kind string
	// Identity is the client ID or username (never the secret).
	Identity string
	// Status is the HTTP status of the token endpoint's answer.
	Status int
	// Reason is the server's one-line reason.
	Reason string
}

// Error implements error.
func (e *AuthError) Error() string {
	msg := fmt.Sprintf("jamf: the server refused the %s credentials for %q (HTTP %d)", e.Kind, e.Identity, e.Status)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg + "; check the ID and secret, and that the " + e.Kind + " is enabled"
}

// cachedToken is one bearer token and when the client should stop using it.
type cachedToken struct {
	value     string
	expires   time.Time
	refreshAt time.Time
}

// refreshMargin is how long before expiry a token is replaced: five minutes
// for long-lived tokens, a fifth of the lifetime for short ones.
func refreshMargin(lifetime time.Duration) time.Duration {
	return tokencache.RefreshMargin(lifetime, 5*time.Minute)
}

func newCachedToken(value string, issued, expires time.Time) *cachedToken {
	return &cachedToken{value: value, expires: expires, refreshAt: expires.Add(-refreshMargin(expires.Sub(issued)))}
}

// tokenCache holds one token per client; expires remembers the current
// token's real expiry, for Close.
type tokenCache struct {
	cache   tokencache.Cache
	mu      sync.Mutex
	expires time.Time
	fetch   func(ctx context.Context, c *Client) (*cachedToken, error)
}

func (tc *tokenCache) get(ctx context.Context, c *Client) (string, error) {
	return tc.cache.Get(ctx, c.now(), func(ctx context.Context) (string, time.Time, error) {
		tok, err := tc.fetch(ctx, c)
		if err != nil {
			return "", time.Time{}, err
		}
		tc.mu.Lock()
		tc.expires = tok.expires
		tc.mu.Unlock()
		return tok.value, tok.refreshAt, nil
	})
}

func (tc *tokenCache) drop(value string) { tc.cache.Drop(value) }

// take forgets the token, returning it and its expiry.
func (tc *tokenCache) take() (string, time.Time) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.cache.Take(), tc.expires
}

// postForToken sends a token request outside the retry loop (a credential
// exchange is never retried blindly) but inside the concurrency limit.
func (c *Client) postForToken(ctx context.Context, r *request, setAuth func(*http.Request)) (*http.Response, []byte, error) {
	if err := c.sem.Acquire(ctx, 1); err != nil {
		return nil, nil, err
	}
	defer c.sem.Release(1)
	// A request carrying credentials never follows a redirect.
	req, err := c.newHTTPRequest(netsafe.CredentialRequest(ctx), r, "")
	if err != nil {
		return nil, nil, err
	}
	if setAuth != nil {
		setAuth(req)
	}
	hr, err := c.httpClient.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, nil, ctxErr
		}
		return nil, nil, fmt.Errorf("jamf: requesting a token: %w", redactErr(err))
	}
	defer hr.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hr.Body, maxErrorBodyBytes))
	if err != nil {
		return nil, nil, fmt.Errorf("jamf: reading the token response: %w", err)
	}
	return hr, data, nil
}

// tokenRateLimit returns a *RateLimitError for a token request answered
// 429 (or 503 with a retry hint), so that callers can say and hold the wait
// as for any other call; nil otherwise.
func (c *Client) tokenRateLimit(hr *http.Response, r *request, data []byte) error {
	if hr.StatusCode != http.StatusTooManyRequests && (hr.StatusCode != http.StatusServiceUnavailable || !hasRetryHint(hr.Header)) {
		return nil
	}
	er := ErrorResponse{Response: hr, Method: r.method, Path: "/" + r.path}
	er.Errors, er.Message = parseErrorBody(hr.Header.Get("Content-Type"), data)
	hint := parseRetryHint(hr.Header, c.now())
	return &RateLimitError{ErrorResponse: er, RetryAfter: capWait(hint.Asked), Asked: hint.Asked, Header: hint.Header}
}

// oauthSource implements the OAuth client-credentials grant (API Roles and
// Clients).
type oauthSource struct {
	clientID, secret string
	cache            tokenCache
}

func newOAuthSource(id, secret string) *oauthSource {
	s := &oauthSource{clientID: id, secret: secret}
	s.cache.fetch = s.fetch
	return s
}

// OAuthToken is the token endpoint's answer (OAuthTokenResponse).
type OAuthToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	ExpiresIn   int64  `json:"expires_in"`
}

// ParseOAuthToken decodes and checks a client-credentials token response.
func ParseOAuthToken(data []byte) (OAuthToken, error) {
	var t OAuthToken
	if err := json.Unmarshal(data, &t); err != nil {
		return OAuthToken{}, fmt.Errorf("jamf: token response is not JSON: %w", err)
	}
	if t.AccessToken == "" {
		return OAuthToken{}, errors.New("jamf: token response has no access_token")
	}
	if t.ExpiresIn <= 0 || t.ExpiresIn > 366*24*3600 {
		return OAuthToken{}, fmt.Errorf("jamf: token response has an unusable expires_in (%d)", t.ExpiresIn)
	}
	if t.TokenType != "" && !strings.EqualFold(t.TokenType, "Bearer") {
		return OAuthToken{}, fmt.Errorf("jamf: token type %q is not Bearer", t.TokenType)
	}
	return t, nil
}

func (s *oauthSource) fetch(ctx context.Context, c *Client) (*cachedToken, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.clientID}, "client_secret": {s.secret}}
	r := &request{method: http.MethodPost, path: "api/v1/oauth/token", body: []byte(form.Encode()), ctype: "application/x-www-form-urlencoded"}
	issued := c.now()
	hr, data, err := c.postForToken(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	if hr.StatusCode != http.StatusOK {
		if err := c.tokenRateLimit(hr, r, data); err != nil {
			return nil, err
		}
		_, msg := parseErrorBody(hr.Header.Get("Content-Type"), data)
		if hr.StatusCode == http.StatusBadRequest || hr.StatusCode == http.StatusUnauthorized || hr.StatusCode == http.StatusForbidden {
			return nil, &AuthError{Kind: "API client", Identity: s.clientID, Status: hr.StatusCode, Reason: msg}
		}
		return nil, fmt.Errorf("jamf: token endpoint answered %s: %s", hr.Status, msg)
	}
	t, err := ParseOAuthToken(data)
	if err != nil {
		return nil, err
	}
	return newCachedToken(t.AccessToken, issued, issued.Add(time.Duration(t.ExpiresIn)*time.Second)), nil
}

func (s *oauthSource) token(ctx context.Context, c *Client) (string, error) {
	return s.cache.get(ctx, c)
}
func (s *oauthSource) invalidate(tok string) { s.cache.drop(tok) }
func (s *oauthSource) identity() string      { return s.clientID }

// close forgets the token: API-client tokens cannot be invalidated early and
// simply expire.
func (s *oauthSource) close(context.Context, *Client) error { s.cache.take(); return nil }

// userSource exchanges a username and password for a user bearer token.
type userSource struct {
	username, password string
	cache              tokenCache
}

func newUserSource(user, pass string) *userSource {
	s := &userSource{username: user, password: pass}
	s.cache.fetch = s.fetch
	return s
}

// UserToken is the answer of /api/v1/auth/token and keep-alive (AuthTokenV1).
type UserToken struct {
	Token   string `json:"token"`
	Expires string `json:"expires"`
}

// ParseUserToken decodes a user token response and its expiry time.
func ParseUserToken(data []byte) (UserToken, time.Time, error) {
	var t UserToken
	if err := json.Unmarshal(data, &t); err != nil {
		return UserToken{}, time.Time{}, fmt.Errorf("jamf: token response is not JSON: %w", err)
	}
	if t.Token == "" {
		return UserToken{}, time.Time{}, errors.New("jamf: token response has no token")
	}
	exp, err := time.Parse(time.RFC3339Nano, t.Expires)
	if err != nil {
		return UserToken{}, time.Time{}, fmt.Errorf("jamf: token response has an unreadable expiry %q", oneLine(t.Expires))
	}
	return t, exp, nil
}

func (s *userSource) fetch(ctx context.Context, c *Client) (*cachedToken, error) {
	r := &request{method: http.MethodPost, path: "api/v1/auth/token"}
	issued := c.now()
	hr, data, err := c.postForToken(ctx, r, func(req *http.Request) { req.SetBasicAuth(s.username, s.password) })
	if err != nil {
		return nil, err
	}
	if hr.StatusCode != http.StatusOK {
		if err := c.tokenRateLimit(hr, r, data); err != nil {
			return nil, err
		}
		causes, msg := parseErrorBody(hr.Header.Get("Content-Type"), data)
		for _, cause := range causes {
			if cause.Code == "USER_EXPIRED_PASSWORD" {
				msg = "the password has expired and must be changed in Jamf Pro"
			} else if msg == "" {
				msg = cause.Code
			}
		}
		if hr.StatusCode == http.StatusUnauthorized || hr.StatusCode == http.StatusForbidden {
			return nil, &AuthError{Kind: "user", Identity: s.username, Status: hr.StatusCode, Reason: msg}
		}
		return nil, fmt.Errorf("jamf: token endpoint answered %s: %s", hr.Status, msg)
	}
	t, exp, err := ParseUserToken(data)
	if err != nil {
		return nil, err
	}
	if !exp.After(issued) {
		// A skewed server clock: trust Jamf's documented 30-minute lifetime.
		exp = issued.Add(30 * time.Minute)
	}
	return newCachedToken(t.Token, issued, exp), nil
}

func (s *userSource) token(ctx context.Context, c *Client) (string, error) {
	return s.cache.get(ctx, c)
}
func (s *userSource) invalidate(tok string) { s.cache.drop(tok) }
func (s *userSource) identity() string      { return s.username }

// close invalidates the user token on the server so it cannot be reused.
func (s *userSource) close(ctx context.Context, c *Client) error {
	value, expires := s.cache.take()
	if value == "" || !c.now().Before(expires) {
		return nil
	}
	r := &request{method: http.MethodPost, path: "api/v1/auth/invalidate-token"}
	hr, _, err := c.postForToken(ctx, r, func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+value) })
	if err != nil {
		return err
	}
	if hr.StatusCode != http.StatusNoContent && hr.StatusCode != http.StatusOK && hr.StatusCode != http.StatusUnauthorized {
		return fmt.Errorf("jamf: invalidating the token: server answered %s", hr.Status)
	}
	return nil
}
