package jsc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jamfops/jamfops/internal/errtext"
	"github.com/jamfops/jamfops/internal/waittext"
)

func asError[T error](err error, target *T) bool { return errors.As(err, target) }

// ErrorResponse is a non-2xx answer from the Risk API.
type ErrorResponse struct {
	Method, Path string
	StatusCode   int
	// Logref is the stable error code (MAX_LIMIT_PER_PAGE, TOO_MANY_REQUESTS…).
	Logref  string
	Message string
}

// Error implements error.
func (e *ErrorResponse) Error() string {
	msg := fmt.Sprintf("jsc: %s /%s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Logref != "" {
		msg += " " + e.Logref
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.StatusCode == http.StatusForbidden {
		msg += " (is this integration scoped for the Risk API? check Integrations › Risk API in the JSC portal)"
	}
	return msg
}

// RateLimitError is a 429 (or 503): the server did nothing and asks to
// wait. Waits of at most MaxRetryWait are sat out by the client itself, up
// to MaxRateLimitRetries times, for logins and data calls alike; a longer
// one is returned at once.
type RateLimitError struct {
	ErrorResponse
	// RetryAfter is how long to wait before trying again: what the server
	// asked (2 s when it did not say), at least 500 ms, at most MaxServerWait.
	RetryAfter time.Duration
	// Asked is what the server asked for, uncut (0 when it did not say or
	// said something unreadable). It may be far longer than RetryAfter.
	Asked time.Duration
	// Header is the header that asked, name and value, for messages (for
	// example "X-Rate-Limit-Retry-After-Milliseconds: 800"); empty when none.
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
	if e.Capped() {
		return fmt.Sprintf("%s (server asked to wait %s; jamfops waits at most %s, retry after %s)", e.ErrorResponse.Error(), waittext.Duration(e.Asked), MaxServerWait, e.RetryAfter)
	}
	return fmt.Sprintf("%s (retry after %s)", e.ErrorResponse.Error(), e.RetryAfter)
}

// Unwrap exposes the ErrorResponse.
func (e *RateLimitError) Unwrap() error { return &e.ErrorResponse }

// OutcomeUnknownError reports an override (a write) that may have been
// applied although the call failed: it was answered with a 5xx status
// other than a rate limit (500, 502, 504…), or its answer was lost after
// the client's retries. Overrides set a level, so sending one again is
// harmless; a caller that must know reads the devices back.
type OutcomeUnknownError struct {
	Method, Path string
	// Status is the HTTP status of the answer, 0 when there was none.
	Status int
	// Err is the cause: the *ErrorResponse or the transport error.
	Err error
}

// Error implements error.
func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("jsc: %s /%s: outcome unknown, the change may have been applied: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the cause.
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
	s := fmt.Sprintf("jsc: %s /%s: no answer within %s (the read deadline)", e.Method, e.Path, e.Limit)
	if e.Last != nil {
		s += "; last: " + e.Last.Error()
	}
	return s
}

// Unwrap makes errors.Is(err, context.DeadlineExceeded) true.
func (e *DeadlineError) Unwrap() error { return context.DeadlineExceeded }

// PagingError reports a device listing the client ended because the
// server's pages could not be trusted: a page larger than asked, a page
// count that grew, or a page that only repeats devices already listed.
type PagingError struct {
	Path   string
	Reason string
}

// Error implements error.
func (e *PagingError) Error() string {
	return fmt.Sprintf("jsc: GET /%s: listing stopped: %s", e.Path, e.Reason)
}

// ResponseTooLargeError reports an answer larger than the client reads
// (MaxResponseBytes): the call fails rather than exhaust memory.
type ResponseTooLargeError struct {
	Method, Path string
	Limit        int64
}

// Error implements error.
func (e *ResponseTooLargeError) Error() string {
	return fmt.Sprintf("jsc: %s /%s: the answer is larger than %d MiB; refusing to read more", e.Method, e.Path, e.Limit>>20)
}

// AuthError means the Risk API refused the application ID and secret.
type AuthError struct {
	AppID  string
	Status int
	Reason string
}

// Error implements error.
func (e *AuthError) Error() string {
	msg := fmt.Sprintf("jsc: the Risk API refused application %q (HTTP %d)", e.AppID, e.Status)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg + "; check JSC_APP_ID and JSC_APP_SECRET (Integrations › Risk API in the JSC portal)"
}

// BudgetError means the day's request budget is spent; nothing was sent.
type BudgetError struct {
	Limit   int
	ResetAt time.Time
	// Shared is true when the budget is shared by every jamfops process
	// of this user and application (WithSharedBudget).
	Shared bool
}

// Error implements error.
func (e *BudgetError) Error() string {
	who := ""
	if e.Shared {
		who = " (counted across every jamfops process using this application)"
	}
	return fmt.Sprintf("jsc: the daily budget of %d Risk API requests is spent%s; it resets at %s UTC", e.Limit, who, e.ResetAt.UTC().Format("15:04"))
}

// apiErrorBody is the Risk API's error envelope, read leniently.
type apiErrorBody struct {
	Logref  string `json:"logref"`
	Message string `json:"message"`
	Error   string `json:"error"`
}

// ParseError reads an error body into its code and message.
func ParseError(data []byte) (logref, message string) {
	var b apiErrorBody
	if json.Unmarshal(data, &b) == nil {
		msg := b.Message
		if msg == "" {
			msg = b.Error
		}
		return oneLine(b.Logref), oneLine(msg)
	}
	return "", oneLine(string(data))
}

func oneLine(s string) string { return errtext.OneLine(s) }

func checkResponse(resp *http.Response, r *request, now time.Time) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	er := ErrorResponse{Method: r.method, Path: r.path, StatusCode: resp.StatusCode}
	er.Logref, er.Message = ParseError(data)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		return rateLimitError(er, resp.Header, now)
	}
	return &er
}

func rateLimitError(er ErrorResponse, h http.Header, now time.Time) *RateLimitError {
	hint := parseRetryHint(h, now)
	return &RateLimitError{ErrorResponse: er, RetryAfter: honoured(hint), Asked: hint.Asked, Header: hint.Header}
}
