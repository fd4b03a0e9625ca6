// Package jsc provides a client for the Jamf Security Cloud (JSC) Risk API:
// list devices with their risk level, override it, and hand a device back
// to JSC's own risk calculation.
//
// It keeps the published limits of a Risk API integration (5 requests per
// second, 10,000 per day) with a client-side pacer and a daily budget that
// callers can read.
package jsc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/ctxtime"
	"github.com/jamfops/jamfops/internal/netsafe"
)

// DefaultBaseURL is the public Risk API host.
const DefaultBaseURL = "https://api.wandera.com"

// Published limits of one Risk API integration.
const (
	DefaultRate        = 5      // requests per second
	DefaultDailyBudget = 10_000 // requests per day
	DefaultBatchSize   = 50     // device IDs per override request
	maxPageSize        = 100
	maxBodyBytes       = 64 << 20
	// maxRetryWait is the longest wait the client sits out by itself; a
	// longer one (a spent daily budget) is returned to the caller.
	maxRetryWait = 30 * time.Second
)

// Client talks to the Risk API. It is safe for concurrent use.
type Client struct {
	httpClient *http.Client
	baseURL    *url.URL
	userAgent  string
	logger     *slog.Logger
	appID      string
	secret     string
	batchSize  int
	now        func() time.Time
	tokens     tokenCache
	pace       *pacer
}

// Option configures a Client.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error { c.httpClient = hc; return nil }
}

// WithTimeout sets the per-request timeout.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		hc := *c.httpClient
		hc.Timeout = d
		c.httpClient = &hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) error { c.userAgent = ua; return nil } }

// WithLogger sends debug records (never tokens or secrets) to l.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// WithBatchSize sets how many device IDs one override request carries.
func WithBatchSize(n int) Option {
	return func(c *Client) error {
		if n < 1 || n > 1000 {
			return fmt.Errorf("jsc: batch size %d must be between 1 and 1000", n)
		}
		c.batchSize = n
		return nil
	}
}

// WithLimits sets the request rate (per second) and the daily budget the
// client keeps to; the defaults are the published 5 and 10,000.
func WithLimits(perSecond float64, perDay int) Option {
	return func(c *Client) error {
		if perSecond <= 0 || perDay < 1 {
			return fmt.Errorf("jsc: limits must be positive")
		}
		c.pace = newPacer(perSecond, perDay, c.now)
		return nil
	}
}

// NewClient returns a client for the Risk API at baseURL (DefaultBaseURL
// when empty) authenticating with an application ID and secret from the
// JSC portal (Integrations › Risk API).
func NewClient(baseURL, appID, secret string, opts ...Option) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	u, err := netsafe.ParseBaseURL(baseURL, "JSC", "JSC_URL")
	if err != nil {
		return nil, fmt.Errorf("jsc: %w", err)
	}
	if appID == "" || secret == "" {
		return nil, fmt.Errorf("jsc: the Risk API application ID and secret are both required (JSC_APP_ID, JSC_APP_SECRET)")
	}
	c := &Client{httpClient: &http.Client{Timeout: 60 * time.Second}, baseURL: u, userAgent: "jamfops", logger: slog.New(slog.DiscardHandler),
		appID: appID, secret: secret, batchSize: DefaultBatchSize, now: time.Now}
	c.pace = newPacer(DefaultRate, DefaultDailyBudget, c.now)
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// BaseURL returns the Risk API address.
func (c *Client) BaseURL() string { return strings.TrimSuffix(c.baseURL.String(), "/") }

// AppID returns the application ID (not secret), for audit records.
func (c *Client) AppID() string { return c.appID }

// BatchSize returns how many devices one override request carries.
func (c *Client) BatchSize() int { return c.batchSize }

// Budget reports the day's requests used and left, and when it resets.
func (c *Client) Budget() Budget { return c.pace.budget() }

// request is one API call before it is sent.
type request struct {
	method string
	path   string
	query  url.Values
	body   any
	id     string // X-Request-ID, for audit
}

// do sends r with a bearer token, the pacer and retries: a 429 or 503 is
// retried after the server's wait (the server did nothing), a 401 once
// after a fresh login. Overrides are idempotent (they set a level), so the
// same policy is safe for them.
func (c *Client) do(ctx context.Context, r *request, v any) (*http.Response, error) {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("jsc: encoding request: %w", err)
		}
	}
	relogged := false
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.get(ctx, c)
		if err != nil {
			return nil, err
		}
		if err := c.pace.wait(ctx); err != nil {
			return nil, err
		}
		u := c.baseURL.ResolveReference(&url.URL{Path: r.path})
		if r.query != nil {
			u.RawQuery = r.query.Encode()
		}
		req, err := http.NewRequestWithContext(ctx, r.method, u.String(), bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("jsc: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", c.userAgent)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if r.id != "" {
			req.Header.Set("X-Request-ID", r.id)
		}
		resp, err := c.httpClient.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if attempt < 3 {
				if werr := ctxtime.Sleep(ctx, time.Duration(attempt+1)*500*time.Millisecond); werr != nil {
					return nil, werr
				}
				continue
			}
			return nil, fmt.Errorf("jsc: %s /%s: %w", r.method, r.path, redact(err))
		}
		c.logger.Debug("jsc request", "method", r.method, "path", r.path, "status", resp.StatusCode)
		cerr := checkResponse(resp, r)
		if cerr == nil {
			defer resp.Body.Close()
			if v == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBodyBytes))
				return resp, nil
			}
			data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
			if err != nil {
				return resp, fmt.Errorf("jsc: reading %s: %w", r.path, err)
			}
			if err := json.Unmarshal(data, v); err != nil {
				return resp, fmt.Errorf("jsc: %s /%s: the answer is not the expected JSON: %w", r.method, r.path, err)
			}
			return resp, nil
		}
		resp.Body.Close()
		var er *ErrorResponse
		var rl *RateLimitError
		switch {
		case asError(cerr, &er) && er.StatusCode == http.StatusUnauthorized && !relogged:
			relogged = true
			c.tokens.drop(tok)
			continue
		case asError(cerr, &rl) && attempt < 4 && rl.RetryAfter <= maxRetryWait:
			if werr := ctxtime.Sleep(ctx, rl.RetryAfter); werr != nil {
				return nil, werr
			}
			continue
		}
		return resp, cerr
	}
}

// redact drops query strings from transport errors.
func redact(err error) error {
	var ue *url.Error
	if asError(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}
