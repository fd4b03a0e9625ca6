package jamf

import (
	"context"
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
	"github.com/jamfops/jamfops/internal/waittext"
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
// refused the request and asks the caller to wait.
//
// A 429 comes from a rate limiter, which answers before doing any work, so
// a write answered 429 was not carried out and is returned as this error.
// A write answered 503 (with or without a hint) is returned as an
// *OutcomeUnknownError wrapping this error, because a 5xx does not prove
// that nothing was done; errors.As still finds the wait in it.
type RateLimitError struct {
	ErrorResponse
	// RetryAfter is how long to wait before trying again: what the server
	// asked, cut to MaxServerWait (0 when it did not say).
	RetryAfter time.Duration
	// Asked is what the server asked for, uncut (0 when it did not say or
	// said something unreadable). It may be far longer than RetryAfter.
	Asked time.Duration
	// Header is the header that asked, name and value, for messages (for
	// example "Retry-After: 86399"); empty when none did.
	Header string
}

// Capped reports whether the server asked for longer than MaxServerWait.
func (e *RateLimitError) Capped() bool { return e.Asked > e.RetryAfter }

// Hold says, for people, what the server asked and until when a caller
// that honours RetryAfter from now holds, for example "server asked to
// wait 23h59m59s; holding until 04:10".
func (e *RateLimitError) Hold(now time.Time) string {
	return waittext.Hold(e.Asked, e.RetryAfter, now)
}

// Error implements error.
func (e *RateLimitError) Error() string {
	s := e.ErrorResponse.Error()
	switch {
	case e.Capped():
		s += fmt.Sprintf(" (server asked to wait %s; jamfops waits at most %s, retry after %s)", waittext.Duration(e.Asked), MaxServerWait, e.RetryAfter.Round(time.Millisecond))
	case e.RetryAfter > 0:
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter.Round(time.Millisecond))
	}
	return s
}

// Unwrap lets errors.As find the embedded *ErrorResponse.
func (e *RateLimitError) Unwrap() error { return &e.ErrorResponse }

// OutcomeUnknownError reports a write that may have reached the server but
// whose fate is unknown: its answer was lost (a timeout, a reset
// connection), it was answered with any 5xx status (500, 502, 503, 504…:
// a server error does not prove the change was not made), or it was
// answered with a redirect the client refused to follow. The client never
// re-sends such a write; the caller must check what happened (for MDM
// commands: list the devices' commands) before trying again.
type OutcomeUnknownError struct {
	Method, Path string
	// Status is the HTTP status of the answer, 0 when there was none.
	Status int
	// Err is the cause: a transport error, or the *ErrorResponse (or
	// *RateLimitError for a 503 with a retry hint) of the 5xx answer.
	Err error
}

// Error implements error.
func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("%s %s: outcome unknown, the server may have acted on it: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// DeadlineError reports a read that got no complete answer within its
// overall deadline (DefaultReadDeadline or WithReadDeadline), retries and
// waits included. errors.Is(err, context.DeadlineExceeded) is true.
type DeadlineError struct {
	Method, Path string
	// Limit is the deadline the call had.
	Limit time.Duration
	// Last is the last failure before the deadline passed, if any.
	Last error
}

// Error implements error.
func (e *DeadlineError) Error() string {
	s := fmt.Sprintf("jamf: %s %s: no answer within %s (the read deadline)", e.Method, e.Path, e.Limit)
	if e.Last != nil {
		s += "; last: " + e.Last.Error()
	}
	return s
}

// Unwrap makes errors.Is(err, context.DeadlineExceeded) true.
func (e *DeadlineError) Unwrap() error { return context.DeadlineExceeded }

// ResponseTooLargeError reports an answer larger than the client reads
// (MaxResponseBytes): the call fails rather than exhaust memory.
type ResponseTooLargeError struct {
	Method, Path string
	// Limit is the size cap in bytes.
	Limit int64
}

// Error implements error.
func (e *ResponseTooLargeError) Error() string {
	return fmt.Sprintf("jamf: %s %s: the answer is larger than %d MiB; refusing to read more", e.Method, e.Path, e.Limit>>20)
}

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
		hint := parseRetryHint(hr.Header, c.now())
		return &RateLimitError{ErrorResponse: er, RetryAfter: capWait(hint.Asked), Asked: hint.Asked, Header: hint.Header}
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
