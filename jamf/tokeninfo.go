package jamf

import (
	"context"
	"errors"
	"time"
)

// TokenInfo describes the bearer token a client holds, never its value.
type TokenInfo struct {
	// Kind is "API client" or "user".
	Kind string
	// Identity is the client ID or username.
	Identity string
	// Expires is when the server stops accepting the token.
	Expires time.Time
	// Lifetime is how long the token had left when it was read, rounded to
	// the second: on a client that has not fetched one yet, the lifetime the
	// server grants (an API client's accessTokenLifetimeSeconds).
	Lifetime time.Duration
}

// Token obtains a bearer token if the client holds none (an *AuthError when
// the server refuses the credentials) and describes it.
func (c *Client) Token(ctx context.Context) (TokenInfo, error) {
	var (
		kind  string
		cache *tokenCache
	)
	switch s := c.auth.(type) {
	case *oauthSource:
		kind, cache = "API client", &s.cache
	case *userSource:
		kind, cache = "user", &s.cache
	default:
		return TokenInfo{}, errors.New("jamf: the client has no credentials")
	}
	if _, err := cache.get(ctx, c); err != nil {
		return TokenInfo{}, err
	}
	cache.mu.Lock()
	exp := cache.expires
	cache.mu.Unlock()
	return TokenInfo{Kind: kind, Identity: c.auth.identity(), Expires: exp, Lifetime: exp.Sub(c.now()).Round(time.Second)}, nil
}
