// Package jamf provides a client for the Jamf Pro API (/api) and the parts of
// the Classic API (/JSSResource) that have no Jamf Pro API equivalent.
//
// The client is shaped like go-github: NewClient with options, services as
// fields, context-first methods returning (T, *Response, error), and typed
// errors that work with errors.As. It keeps Jamf's published load guidance: one
// shared concurrency limit per client (default 5), an optional shared rate
// limiter, retries only for idempotent reads, and never an automatic resend of a
// write that may have reached the server.
//
// Against a hostile or broken server it holds these lines: a token request
// or a write never follows a redirect, and a read follows one only to the
// same scheme, host and port (netsafe.CheckRedirect); a server-requested wait
// is honoured up to MaxServerWait and sat out by the client only up to
// MaxRetryWait (RateLimitError says what was asked); a read ends within its
// read deadline (DefaultReadDeadline) whatever the server does; a write
// answered with any 5xx is an OutcomeUnknownError; a listing whose pages are
// larger than asked, grow or repeat ends with a PagingError; no body is read
// past MaxResponseBytes.
package jamf

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"

	"github.com/jamfops/jamfops/internal/netsafe"
)

// DefaultConcurrency is Jamf's published guidance for API clients: at most five
// concurrent connections to one Jamf Pro server.
const DefaultConcurrency = 5

// MaxResponseBytes caps how much of any one response body the client
// reads: a larger (or endless) body fails the call with a
// *ResponseTooLargeError instead of exhausting memory.
const MaxResponseBytes = 64 << 20

// maxErrorBodyBytes caps how much of an error body the client reads.
const maxErrorBodyBytes = 1 << 20

// Client talks to one Jamf Pro server. It is safe for concurrent use.
type Client struct {
	httpClient *http.Client
	baseURL    *url.URL
	userAgent  string
	logger     *slog.Logger

	auth    tokenSource
	sem     *semaphore.Weighted
	conc    int
	limiter *rate.Limiter
	retry   retryPolicy
	// readDeadline bounds each read, retries and waits included.
	readDeadline time.Duration
	// maxBody is MaxResponseBytes (smaller in tests).
	maxBody int64
	sticky  *stickySession
	now     func() time.Time

	privMu     sync.Mutex
	privileges *Privileges

	common service

	// Auth reads the calling account's authorization and privileges.
	Auth *AuthService
	// Classic reads the Classic API endpoints that have no Jamf Pro API equivalent.
	Classic *ClassicService
	// Computers lists computer inventory.
	Computers *ComputersService
	// Groups lists computer and mobile-device groups and their members.
	Groups *GroupsService
	// MDM sends, lists and flushes MDM commands.
	MDM *MDMService
	// MobileDevices lists mobile-device inventory.
	MobileDevices *MobileDevicesService
}

type service struct{ client *Client }

// NewClient returns a client for the Jamf Pro server at baseURL (for example
// "https://example.jamfcloud.com"). The URL must use HTTPS unless its host is a
// loopback address. Without an auth option the client sends no credentials.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := ParseServerURL(baseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		httpClient:   &http.Client{Timeout: 120 * time.Second},
		baseURL:      u,
		userAgent:    "jamfops",
		logger:       slog.New(slog.DiscardHandler),
		conc:         DefaultConcurrency,
		retry:        defaultRetryPolicy(),
		now:          time.Now,
		readDeadline: DefaultReadDeadline,
		maxBody:      MaxResponseBytes,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	// Every redirect goes through the redirect policy, whoever built the
	// HTTP client (see netsafe.CheckRedirect).
	c.httpClient = netsafe.ProtectRedirects(c.httpClient)
	c.sem = semaphore.NewWeighted(int64(c.conc))
	if c.auth == nil {
		c.auth = noAuth{}
	}
	c.common.client = c
	c.Auth = (*AuthService)(&c.common)
	c.Classic = (*ClassicService)(&c.common)
	c.Computers = (*ComputersService)(&c.common)
	c.Groups = (*GroupsService)(&c.common)
	c.MDM = (*MDMService)(&c.common)
	c.MobileDevices = (*MobileDevicesService)(&c.common)
	return c, nil
}

// ParseServerURL checks a Jamf Pro server address and returns it with a
// trailing slash. It accepts https URLs, and http only for loopback hosts
// (the in-memory test server), so credentials never cross a network in clear.
func ParseServerURL(raw string) (*url.URL, error) {
	u, err := netsafe.ParseBaseURL(raw, "Jamf Pro", "JAMF_URL or --url")
	if err != nil {
		return nil, fmt.Errorf("jamf: %w", err)
	}
	return u, nil
}

// BaseURL returns the server address the client talks to.
func (c *Client) BaseURL() string { return strings.TrimSuffix(c.baseURL.String(), "/") }

// Concurrency returns the client's shared limit on requests in flight.
func (c *Client) Concurrency() int { return c.conc }

// Credential returns the non-secret identity the client authenticates as (an
// API client ID or a username), for audit records.
func (c *Client) Credential() string { return c.auth.identity() }

// Close invalidates a user bearer token on the server (API-client tokens simply
// expire). It is safe to call more than once.
func (c *Client) Close(ctx context.Context) error { return c.auth.close(ctx, c) }

// Response wraps the HTTP response and adds paging information.
type Response struct {
	*http.Response
	// TotalCount is the server's totalCount for paged Jamf Pro API collections.
	TotalCount int
	// Requests counts the HTTP requests a call needed (pages, retries).
	Requests int
}

// request describes one API call before it is sent.
type request struct {
	method string
	path   string // relative to the base URL, without a leading slash
	query  url.Values
	body   []byte
	ctype  string
	accept string
	// privileges names what the call needs, to explain a 403.
	privileges []string
}

func (c *Client) newHTTPRequest(ctx context.Context, r *request, token string) (*http.Request, error) {
	if strings.HasPrefix(r.path, "/") || strings.Contains(r.path, "://") {
		return nil, fmt.Errorf("jamf: request path %q must be relative to the base URL", r.path)
	}
	rel, err := url.Parse(r.path)
	if err != nil {
		return nil, fmt.Errorf("jamf: bad request path: %w", err)
	}
	u := c.baseURL.ResolveReference(rel)
	if r.query != nil {
		u.RawQuery = r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("jamf: %w", err)
	}
	if r.body != nil {
		req.Header.Set("Content-Type", r.ctype)
	}
	accept := r.accept
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.userAgent)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if c.sticky != nil {
		c.sticky.apply(req)
	}
	return req, nil
}

// do sends r with auth, the shared limits, retries for idempotent reads and one
// retry after a 401, and decodes a successful body into v (JSON or XML by
// content type; an io.Writer receives the raw body).
//
// A read (GET, HEAD) runs under the client's read deadline, retries and
// waits included, and sits out a server-requested wait only when it is at
// most MaxRetryWait and fits in that deadline; otherwise the
// *RateLimitError is returned at once. A write is never re-sent once it
// may have reached the server: a lost answer, any 5xx or a refused
// redirect make it an *OutcomeUnknownError.
func (c *Client) do(ctx context.Context, r *request, v any) (*Response, error) {
	idempotent := r.method == http.MethodGet || r.method == http.MethodHead
	parent := ctx
	if idempotent {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.readDeadline)
		defer cancel()
	}
	var (
		resp     *Response
		lastErr  error
		reauthed bool
		attempts int
	)
	// ended explains why the call's context ended: the caller's own
	// cancellation as it is, the read deadline as a *DeadlineError.
	ended := func() error {
		if err := parent.Err(); err != nil {
			return err
		}
		return &DeadlineError{Method: r.method, Path: "/" + r.path, Limit: c.readDeadline, Last: lastErr}
	}
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return resp, ended()
		}
		token, err := c.auth.token(ctx, c)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ended()
			}
			return nil, err
		}
		attempts++
		hr, sent, err := c.roundTrip(ctx, r, token)
		if err != nil {
			if ctx.Err() != nil {
				if !idempotent && sent {
					return nil, &OutcomeUnknownError{Method: r.method, Path: "/" + r.path, Err: ended()}
				}
				return nil, ended()
			}
			lastErr = err
			var re *netsafe.RedirectError
			if errors.As(err, &re) {
				// A refused redirect is an answer, not a fault: never retried.
				// On a write, a redirect (a 303 above all) may follow a change.
				if !idempotent {
					return nil, &OutcomeUnknownError{Method: r.method, Path: "/" + r.path, Err: re}
				}
				return nil, fmt.Errorf("jamf: %s /%s: %w", r.method, r.path, re)
			}
			if (idempotent || !sent) && c.retry.shouldRetry(attempt) {
				if werr := c.retry.wait(ctx, attempt, 0); werr != nil {
					return nil, ended()
				}
				continue
			}
			if !idempotent && sent {
				return nil, &OutcomeUnknownError{Method: r.method, Path: "/" + r.path, Err: err}
			}
			return nil, fmt.Errorf("jamf: %s /%s: %w", r.method, r.path, lastErr)
		}
		resp = &Response{Response: hr, Requests: attempts}
		cerr := c.checkResponse(hr, r)
		if cerr == nil {
			err := decodeBody(hr, v, c.maxBody)
			hr.Body.Close()
			if err != nil {
				if ctx.Err() != nil {
					return resp, ended()
				}
				var too *ResponseTooLargeError
				if errors.As(err, &too) {
					too.Method, too.Path = r.method, "/"+r.path
					return resp, too
				}
				return resp, fmt.Errorf("jamf: %s /%s: decoding response: %w", r.method, r.path, err)
			}
			return resp, nil
		}
		hr.Body.Close()
		lastErr = cerr
		var er *ErrorResponse
		if errors.As(cerr, &er) && er.Response.StatusCode == http.StatusUnauthorized && !reauthed {
			// The token expired or was revoked: fetch a new one and try once more.
			// A 401 means the server did nothing, so this is safe for writes too.
			reauthed = true
			c.auth.invalidate(token)
			continue
		}
		if idempotent && isRetryableStatus(hr.StatusCode) && c.retry.shouldRetry(attempt) {
			var after time.Duration
			var rl *RateLimitError
			if errors.As(cerr, &rl) {
				if rl.Asked > c.retry.cap {
					// A long wait is the caller's to hold and to say, not ours to sit out.
					return resp, cerr
				}
				after = rl.RetryAfter
			}
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < after {
				return resp, cerr // the wait would outlive the read deadline
			}
			if werr := c.retry.wait(ctx, attempt, after); werr != nil {
				return resp, ended()
			}
			continue
		}
		if !idempotent && hr.StatusCode >= 500 {
			// A server error does not prove the write was not carried out.
			return resp, &OutcomeUnknownError{Method: r.method, Path: "/" + r.path, Status: hr.StatusCode, Err: cerr}
		}
		return resp, cerr
	}
}

// roundTrip sends one HTTP request within the client's concurrency and rate
// limits. sent reports whether any of the request reached the wire, which
// decides whether a failed write may be retried.
func (c *Client) roundTrip(ctx context.Context, r *request, token string) (*http.Response, bool, error) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, false, err
		}
	}
	if err := c.sem.Acquire(ctx, 1); err != nil {
		return nil, false, err
	}
	defer c.sem.Release(1)
	var (
		mu   sync.Mutex
		sent bool
	)
	trace := &traceState{onWrote: func() { mu.Lock(); sent = true; mu.Unlock() }}
	req, err := c.newHTTPRequest(trace.with(ctx), r, token)
	if err != nil {
		return nil, false, err
	}
	start := c.now()
	hr, err := c.httpClient.Do(req)
	mu.Lock()
	wasSent := sent
	mu.Unlock()
	if err != nil {
		c.logger.Debug("jamf request failed", "method", r.method, "path", r.path, "err", redactErr(err))
		return nil, wasSent, redactErr(err)
	}
	c.logger.Debug("jamf request", "method", r.method, "path", r.path, "status", hr.StatusCode, "elapsed", c.now().Sub(start))
	if c.sticky != nil {
		c.sticky.capture(hr)
	}
	return hr, true, nil
}

func decodeBody(hr *http.Response, v any, limit int64) error {
	body := io.LimitReader(hr.Body, limit+1)
	if v == nil {
		n, err := io.Copy(io.Discard, body)
		if n > limit {
			return &ResponseTooLargeError{Limit: limit}
		}
		return err
	}
	if w, ok := v.(io.Writer); ok {
		n, err := io.CopyN(w, body, limit)
		if err == nil && n == limit {
			if m, _ := io.CopyN(io.Discard, body, 1); m > 0 {
				return &ResponseTooLargeError{Limit: limit}
			}
		}
		if errors.Is(err, io.EOF) {
			err = nil
		}
		return err
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if int64(len(data)) > limit {
		return &ResponseTooLargeError{Limit: limit}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if strings.Contains(hr.Header.Get("Content-Type"), "xml") {
		return xml.Unmarshal(data, v)
	}
	return json.Unmarshal(data, v)
}

// jsonRequest builds a request with a JSON body.
func jsonRequest(method, path string, body any, privileges ...string) (*request, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("jamf: encoding request: %w", err)
	}
	return &request{method: method, path: path, body: data, ctype: "application/json", privileges: privileges}, nil
}
