package jsc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/errtext"
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

// RateLimitError is a 429 (or 503): the server did nothing and asks to wait.
type RateLimitError struct {
	ErrorResponse
	RetryAfter time.Duration
}

// Error implements error.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s (retry after %s)", e.ErrorResponse.Error(), e.RetryAfter)
}

// Unwrap exposes the ErrorResponse.
func (e *RateLimitError) Unwrap() error { return &e.ErrorResponse }

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
}

// Error implements error.
func (e *BudgetError) Error() string {
	return fmt.Sprintf("jsc: the daily budget of %d Risk API requests is spent; it resets at %s UTC", e.Limit, e.ResetAt.UTC().Format("15:04"))
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

// retryAfter reads X-Rate-Limit-Retry-After-Milliseconds (or Retry-After),
// at least half a second; two seconds when the server does not say.
func retryAfter(h http.Header) time.Duration {
	d := 2 * time.Second
	if v := h.Get("X-Rate-Limit-Retry-After-Milliseconds"); v != "" {
		if ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && ms >= 0 {
			d = time.Duration(ms) * time.Millisecond
		}
	} else if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && s >= 0 {
			d = time.Duration(s * float64(time.Second))
		}
	}
	return max(d, 500*time.Millisecond)
}

func checkResponse(resp *http.Response, r *request) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	er := ErrorResponse{Method: r.method, Path: r.path, StatusCode: resp.StatusCode}
	er.Logref, er.Message = ParseError(data)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		return &RateLimitError{ErrorResponse: er, RetryAfter: retryAfter(resp.Header)}
	}
	return &er
}
