// Package jsc provides a client for the Jamf Security Cloud (JSC) Risk API:
// list devices with their risk level, override it, and hand a device back
// to JSC's own risk calculation.
//
// It keeps the published limits of a Risk API integration (5 requests per
// second, 10,000 per day) with a client-side pacer and a daily budget that
// callers can read; WithSharedBudget counts that budget in a file every
// process of the user shares. Logins and data calls share the per-second pace; a
// 429 on either is waited out when the server asks for at most
// MaxRetryWait, up to MaxRateLimitRetries times; longer waits are returned
// as a RateLimitError (capped at MaxServerWait, with what was asked). A
// login never follows a redirect, and a data call only to the same scheme,
// host and port.
package jsc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
)

// MaxResponseBytes caps how much of any one response body the client
// reads: a larger (or endless) body fails the call with a
// *ResponseTooLargeError instead of exhausting memory.
const MaxResponseBytes = 64 << 20

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
	// readDeadline bounds each read, retries and waits included.
	readDeadline time.Duration
	// maxBody is MaxResponseBytes (smaller in tests).
	maxBody int64
}

// Option configures a Client.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client. Its redirects still go through the
// client's redirect policy (see netsafe.CheckRedirect).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return fmt.Errorf("jsc: WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithReadDeadline bounds every read (a device page) as a whole, retries
// and server-requested waits included; default DefaultReadDeadline. A read
// that does not complete in time fails with a *DeadlineError.
func WithReadDeadline(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("jsc: WithReadDeadline: %v is not positive", d)
		}
		c.readDeadline = d
		return nil
	}
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
		c.pace.setLimits(perSecond, perDay)
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
		appID: appID, secret: secret, batchSize: DefaultBatchSize, now: time.Now, readDeadline: DefaultReadDeadline, maxBody: MaxResponseBytes}
	c.pace = newPacer(DefaultRate, DefaultDailyBudget, c.now)
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	// Every redirect goes through the redirect policy, whoever built the
	// HTTP client: a login never follows one, data calls only same origin.
	c.httpClient = netsafe.ProtectRedirects(c.httpClient)
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
// retried after the server's wait (the server did nothing) when that wait
// is at most MaxRetryWait, up to MaxRateLimitRetries times; a 401 once
// after a fresh login. Overrides are idempotent (they set a level), so the
// same policy is safe for them. A read runs under the client's read
// deadline, retries and waits included.
func (c *Client) do(ctx context.Context, r *request, v any) (*http.Response, error) {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("jsc: encoding request: %w", err)
		}
	}
	parent := ctx
	if r.method == http.MethodGet {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.readDeadline)
		defer cancel()
	}
	var lastErr error
	// ended explains why the call's context ended: the caller's own
	// cancellation as it is, the read deadline as a *DeadlineError.
	ended := func() error {
		if err := parent.Err(); err != nil {
			return err
		}
		return &DeadlineError{Method: r.method, Path: r.path, Limit: c.readDeadline, Last: lastErr}
	}
	relogged := false
	limited, failed := 0, 0
	for {
		tok, err := c.tokens.get(ctx, c)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ended()
			}
			return nil, err
		}
		if err := c.pace.wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ended()
			}
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
				return nil, ended()
			}
			var re *netsafe.RedirectError
			if errors.As(err, &re) {
				return nil, fmt.Errorf("jsc: %s /%s: %w", r.method, r.path, re)
			}
			lastErr = redact(err)
			if failed < 3 {
				failed++
				if werr := ctxtime.Sleep(ctx, time.Duration(failed)*500*time.Millisecond); werr != nil {
					return nil, ended()
				}
				continue
			}
			if r.method != http.MethodGet {
				return nil, &OutcomeUnknownError{Method: r.method, Path: r.path, Err: lastErr}
			}
			return nil, fmt.Errorf("jsc: %s /%s: %w", r.method, r.path, lastErr)
		}
		c.logger.Debug("jsc request", "method", r.method, "path", r.path, "status", resp.StatusCode)
		cerr := checkResponse(resp, r, c.now())
		if cerr == nil {
			defer resp.Body.Close()
			data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
			if err != nil {
				if ctx.Err() != nil {
					return resp, ended()
				}
				return resp, fmt.Errorf("jsc: reading %s: %w", r.path, err)
			}
			if int64(len(data)) > c.maxBody {
				return resp, &ResponseTooLargeError{Method: r.method, Path: r.path, Limit: c.maxBody}
			}
			if v == nil {
				return resp, nil
			}
			if err := json.Unmarshal(data, v); err != nil {
				return resp, fmt.Errorf("jsc: %s /%s: the answer is not the expected JSON: %w", r.method, r.path, err)
			}
			return resp, nil
		}
		resp.Body.Close()
		lastErr = cerr
		var er *ErrorResponse
		var rl *RateLimitError
		if errors.As(cerr, &rl) && daySpent(rl.Asked, c.now()) {
			c.pace.spent()
		}
		switch {
		case errors.As(cerr, &er) && er.StatusCode == http.StatusUnauthorized && !relogged:
			relogged = true
			c.tokens.drop(tok)
			continue
		case errors.As(cerr, &rl) && limited < MaxRateLimitRetries && rl.Asked <= MaxRetryWait:
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < rl.RetryAfter {
				return resp, cerr // the wait would outlive the read deadline
			}
			limited++
			if werr := ctxtime.Sleep(ctx, rl.RetryAfter); werr != nil {
				return nil, ended()
			}
			continue
		}
		if r.method != http.MethodGet && resp.StatusCode >= 500 && rl == nil {
			// A server error does not prove the override was not applied.
			return resp, &OutcomeUnknownError{Method: r.method, Path: r.path, Status: resp.StatusCode, Err: cerr}
		}
		return resp, cerr
	}
}

// daySpent reads a 429's wait as the server's word that the day's budget
// is spent: the only rate-limit header the Risk API is known to send is
// X-Rate-Limit-Retry-After-Milliseconds (no "remaining" count), and a wait
// longer than MaxRetryWait that reaches within a minute of the next UTC
// midnight can only mean the daily limit. Then the shared count is raised
// to the whole limit, so every process stops asking until the day resets.
func daySpent(asked time.Duration, now time.Time) bool {
	if asked <= MaxRetryWait {
		return false
	}
	reset := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	return now.Add(asked).After(reset.Add(-time.Minute))
}

// redact drops query strings and userinfo from transport errors.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			return &url.Error{Op: ue.Op, URL: netsafe.RedactedURL(u), Err: ue.Err}
		}
		return &url.Error{Op: ue.Op, URL: netsafe.RedactURL(ue.URL), Err: ue.Err}
	}
	return err
}
