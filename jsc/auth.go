package jsc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/ctxtime"
	"github.com/jamfops/jamfops/internal/netsafe"
	"github.com/jamfops/jamfops/internal/tokencache"
)

// tokenLifetime is the Risk API's documented JWT lifetime, used when the
// token does not say.
const tokenLifetime = 15 * time.Minute

// tokenCache is the client's cached login.
type tokenCache struct{ cache tokencache.Cache }

func (tc *tokenCache) get(ctx context.Context, c *Client) (string, error) {
	return tc.cache.Get(ctx, c.now(), func(ctx context.Context) (string, time.Time, error) {
		tok, exp, err := c.login(ctx)
		if err != nil {
			return "", time.Time{}, err
		}
		return tok, exp.Add(-tokencache.RefreshMargin(exp.Sub(c.now()), 30*time.Second)), nil
	})
}

func (tc *tokenCache) drop(tok string) { tc.cache.Drop(tok) }

// TokenExpiry reads the exp claim of a JWT without verifying it (the
// client only needs to know when to log in again). ok is false when the
// token carries no readable expiry.
func TokenExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, false
	}
	n, err := claims.Exp.Int64()
	if err != nil || n <= 0 || n > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// ParseLoginResponse reads the login answer's token.
func ParseLoginResponse(data []byte) (string, error) {
	var body struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(data, &body); err != nil {
		return "", fmt.Errorf("jsc: the login answer is not JSON: %w", err)
	}
	if body.Token == "" {
		return "", errors.New("jsc: the login answer has no token")
	}
	return body.Token, nil
}

// login exchanges the application ID and secret for a bearer token
// (POST /v1/login with basic auth). Logins share the data calls' pace. A
// login answered 429 (or 503) is retried after the server's wait when that
// wait is at most MaxRetryWait, up to MaxRateLimitRetries times.
func (c *Client) login(ctx context.Context) (string, time.Time, error) {
	for attempt := 0; ; attempt++ {
		tok, exp, err := c.loginOnce(ctx)
		var rl *RateLimitError
		if errors.As(err, &rl) && attempt < MaxRateLimitRetries && rl.Asked <= MaxRetryWait {
			if werr := ctxtime.Sleep(ctx, rl.RetryAfter); werr != nil {
				return "", time.Time{}, werr
			}
			continue
		}
		return tok, exp, err
	}
}

func (c *Client) loginOnce(ctx context.Context) (string, time.Time, error) {
	if err := c.pace.waitLogin(ctx); err != nil {
		return "", time.Time{}, err
	}
	u := c.baseURL.ResolveReference(&url.URL{Path: "v1/login"})
	// A request carrying credentials never follows a redirect.
	req, err := http.NewRequestWithContext(netsafe.CredentialRequest(ctx), http.MethodPost, u.String(), nil)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("jsc: %w", err)
	}
	req.SetBasicAuth(c.appID, c.secret)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.httpClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", time.Time{}, ctx.Err()
		}
		var re *netsafe.RedirectError
		if errors.As(err, &re) {
			return "", time.Time{}, fmt.Errorf("jsc: logging in: %w", re)
		}
		return "", time.Time{}, fmt.Errorf("jsc: logging in: %w", redact(err))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		logref, msg := ParseError(data)
		er := ErrorResponse{Method: http.MethodPost, Path: "v1/login", StatusCode: resp.StatusCode, Logref: logref, Message: msg}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			return "", time.Time{}, rateLimitError(er, resp.Header, c.now())
		case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return "", time.Time{}, &AuthError{AppID: c.appID, Status: resp.StatusCode, Reason: msg}
		}
		return "", time.Time{}, &er
	}
	tok, err := ParseLoginResponse(data)
	if err != nil {
		return "", time.Time{}, err
	}
	exp, ok := TokenExpiry(tok)
	if !ok || !exp.After(c.now()) {
		exp = c.now().Add(tokenLifetime)
	}
	return tok, exp, nil
}
