package jamf

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// Option configures a Client in NewClient.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client used for every request.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("jamf: WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout sets the per-request timeout of the default HTTP client.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("jamf: WithTimeout: %v is not positive", d)
		}
		hc := *c.httpClient
		hc.Timeout = d
		c.httpClient = &hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.userAgent = ua; return nil }
}

// WithLogger sends debug records of each request (never tokens or secrets) to l.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// WithClientCredentials authenticates with a Jamf Pro API client (API Roles and
// Clients, Jamf Pro 10.49+) through the OAuth client-credentials grant. This is
// the recommended, least-privilege way to connect.
func WithClientCredentials(clientID, clientSecret string) Option {
	return func(c *Client) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("jamf: API client ID and secret are both required")
		}
		c.auth = newOAuthSource(clientID, clientSecret)
		return nil
	}
}

// WithUserCredentials authenticates as a Jamf Pro user account, exchanging
// basic credentials for a bearer token. Prefer WithClientCredentials.
func WithUserCredentials(username, password string) Option {
	return func(c *Client) error {
		if username == "" || password == "" {
			return errors.New("jamf: username and password are both required")
		}
		c.auth = newUserSource(username, password)
		return nil
	}
}

// WithConcurrency sets how many requests the client may have in flight at once
// (shared by every caller of this client). Jamf asks for at most 5.
func WithConcurrency(n int) Option {
	return func(c *Client) error {
		if n < 1 {
			return fmt.Errorf("jamf: concurrency %d must be at least 1", n)
		}
		c.conc = n
		return nil
	}
}

// WithRateLimiter makes every request wait on l first. Share one limiter
// between clients to pace them together.
func WithRateLimiter(l *rate.Limiter) Option {
	return func(c *Client) error { c.limiter = l; return nil }
}

// WithRetries sets how many times an idempotent read is retried after 429,
// 502, 503, 504 or a connection failure, and the first backoff delay.
func WithRetries(max int, firstDelay time.Duration) Option {
	return func(c *Client) error {
		if max < 0 || firstDelay < 0 {
			return errors.New("jamf: WithRetries: negative value")
		}
		c.retry.max = max
		c.retry.base = firstDelay
		return nil
	}
}

// WithStickySessions keeps Jamf Cloud's load-balancer cookie (jpro-ingress or
// the older APBALANCEID) so that requests reach the same cluster node. Jamf
// recommends it only for create-then-read flows.
func WithStickySessions() Option {
	return func(c *Client) error { c.sticky = &stickySession{}; return nil }
}

// WithReadDeadline bounds every read (GET, HEAD) as a whole, retries and
// server-requested waits included; default DefaultReadDeadline. A read
// that does not complete in time fails with a *DeadlineError. Writes are
// bounded by the per-request timeout (WithTimeout) and never retried once
// sent.
func WithReadDeadline(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("jamf: WithReadDeadline: %v is not positive", d)
		}
		c.readDeadline = d
		return nil
	}
}
