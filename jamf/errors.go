package jamf

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/errtext"
)

// APIErrorCause is one entry of a Jamf Pro API error body's errors array.
type APIErrorCause struct {
	Code        string  `json:"code"`
	Field       *string `json:"field"`
	Description string  `json:"description"`
	ID          *string `json:"id"`
}

// ErrorResponse is a non-2xx answer from Jamf Pro.
type ErrorResponse struct {
	// Response is the HTTP response (its body has been read and closed).
	Response *http.Response
	// Method and Path name the call (path only: no query, no host).
	Method, Path string
	// Errors holds the Jamf Pro API errors[] entries, when the body had them.
	Errors []APIErrorCause
	// Message is the one-line reason: the Classic status page's text, an
	// OAuth error description, or the start of an unrecognised body.
	Message string
	// Privileges names what the call needs; filled on 403 so that the user
	// knows which privilege to ask for.
	Privileges []string
}

// Error implements error.
func (e *ErrorResponse) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.Method, e.Path, e.Response.Status)
	for _, c := range e.Errors {
		switch {
		case c.Code != "" && c.Description != "":
			fmt.Fprintf(&b, ": %s: %s", c.Code, c.Description)
		case c.Code != "":
			fmt.Fprintf(&b, ": %s", c.Code)
		case c.Description != "":
			fmt.Fprintf(&b, ": %s", c.Description)
		}
	}
	if len(e.Errors) == 0 && e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Response.StatusCode == http.StatusForbidden && len(e.Privileges) > 0 {
		fmt.Fprintf(&b, " (this needs the Jamf Pro privilege %s)", quoteList(e.Privileges))
	}
	return b.String()
}

// StatusCode returns the HTTP status code.
func (e *ErrorResponse) StatusCode() int { return e.Response.StatusCode }

// HasCode reports whether any errors[] entry has the given Jamf error code.
func (e *ErrorResponse) HasCode(code string) bool {
	for _, c := range e.Errors {
		if c.Code == code {
			return true
		}
	}
	return false
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, " and ")
}

// RateLimitError is a 429, or a 503 that carried a retry hint: the server
// refused the request without acting on it and asks the caller to wait.
type RateLimitError struct {
	ErrorResponse
	// RetryAfter is how long the server asked to wait (0 when it did not say).
	RetryAfter time.Duration
}

// Error implements error.
func (e *RateLimitError) Error() string {
	s := e.ErrorResponse.Error()
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter.Round(time.Millisecond))
	}
	return s
}

// Unwrap lets errors.As find the embedded *ErrorResponse.
func (e *RateLimitError) Unwrap() error { return &e.ErrorResponse }

// OutcomeUnknownError reports a write that may have reached the server but
// whose answer was lost (a timeout, a reset connection, a gateway timeout).
// The client never re-sends such a write; the caller must check what happened
// (for MDM commands: list the devices' commands) before trying again.
type OutcomeUnknownError struct {
	Method, Path string
	Err          error
}

// Error implements error.
func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("%s %s: outcome unknown, the server may have acted on it: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// ErrNotFound matches (with errors.Is) any 404 ErrorResponse.
var ErrNotFound = errors.New("not found")

// Is makes errors.Is(err, ErrNotFound) true for 404 answers.
func (e *ErrorResponse) Is(target error) bool {
	return target == ErrNotFound && e.Response.StatusCode == http.StatusNotFound
}

// checkResponse returns nil for 2xx answers and a typed error otherwise. It
// reads the body through a size cap.
func (c *Client) checkResponse(hr *http.Response, r *request) error {
	if hr.StatusCode >= 200 && hr.StatusCode < 300 {
		return nil
	}
	data, _ := io.ReadAll(io.LimitReader(hr.Body, maxErrorBodyBytes))
	er := ErrorResponse{Response: hr, Method: r.method, Path: "/" + r.path}
	er.Errors, er.Message = parseErrorBody(hr.Header.Get("Content-Type"), data)
	if hr.StatusCode == http.StatusForbidden {
		er.Privileges = r.privileges
	}
	if hr.StatusCode == http.StatusTooManyRequests ||
		(hr.StatusCode == http.StatusServiceUnavailable && hasRetryHint(hr.Header)) {
		return &RateLimitError{ErrorResponse: er, RetryAfter: retryAfter(hr.Header, c.now())}
	}
	return &er
}

// parseErrorBody understands the Jamf Pro API ApiError JSON, the OAuth token
// endpoint's RFC 6749 error JSON and Classic HTML status pages; anything else
// is reduced to its first line.
func parseErrorBody(contentType string, data []byte) ([]APIErrorCause, string) {
	trimmed := strings.TrimSpace(string(data))
	if trimmed == "" {
		return nil, ""
	}
	if strings.HasPrefix(trimmed, "{") {
		var api struct {
			Errors           []APIErrorCause `json:"errors"`
			Error            string          `json:"error"`
			ErrorDescription string          `json:"error_description"`
		}
		if json.Unmarshal(data, &api) == nil {
			if len(api.Errors) > 0 {
				return api.Errors, ""
			}
			if api.Error != "" {
				msg := api.Error
				if api.ErrorDescription != "" {
					msg += ": " + api.ErrorDescription
				}
				return nil, oneLine(msg)
			}
		}
	}
	if strings.Contains(contentType, "html") || strings.HasPrefix(trimmed, "<") {
		return nil, HTMLErrorReason(trimmed)
	}
	return nil, oneLine(trimmed)
}

var (
	paragraphRE = regexp.MustCompile(`(?is)<p[^>]*>(.*?)</p>`)
	titleRE     = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRE       = regexp.MustCompile(`(?s)<[^>]*>`)
)

// HTMLErrorReason reduces a Classic API HTML status page to its one-line
// reason, for example "Conflict: Error: Duplicate name".
func HTMLErrorReason(page string) string {
	var parts []string
	for _, m := range paragraphRE.FindAllStringSubmatch(page, 8) {
		if t := cleanHTMLText(m[1]); t != "" {
			parts = append(parts, t)
		}
	}
	if len(parts) == 0 {
		if m := titleRE.FindStringSubmatch(page); m != nil {
			if t := cleanHTMLText(m[1]); t != "" && t != "Status page" {
				parts = append(parts, t)
			}
		}
	}
	if len(parts) == 0 {
		// Fragments such as "<br>An error has occurred.<br>Invalid resource type".
		for _, seg := range strings.Split(tagRE.ReplaceAllString(page, "\n"), "\n") {
			if t := cleanHTMLText(seg); t != "" {
				parts = append(parts, t)
			}
		}
	}
	return oneLine(strings.Join(parts, ": "))
}

func cleanHTMLText(s string) string {
	s = html.UnescapeString(tagRE.ReplaceAllString(s, " "))
	return strings.Join(strings.Fields(s), " ")
}

// oneLine keeps the first line of s, at most 300 characters.
func oneLine(s string) string { return errtext.OneLine(s) }

func hasRetryHint(h http.Header) bool {
	return h.Get("Retry-After") != "" || h.Get("X-RateLimit-Reset") != "" || h.Get("X-RateLimit-Retry-After") != ""
}

// retryAfter reads Retry-After (seconds or an HTTP date) or the x-ratelimit-*
// headers. It never returns a negative duration.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && secs < 86400 {
			return time.Duration(secs * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && secs < 86400 {
			return time.Duration(secs * float64(time.Second))
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			// Either an epoch time or a count of seconds.
			if n > 1_000_000_000 {
				return max(time.Unix(n, 0).Sub(now), 0)
			}
			if n < 86400 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}
