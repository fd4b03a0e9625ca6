package jsc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
)

// Sources of an override, as the Risk API names them.
const (
	// SourceManual pins the device at the given level.
	SourceManual = "MANUAL"
	// SourceJSC hands the device back to JSC's own risk calculation
	// ("WANDERA" is JSC's former name, still used on the wire).
	SourceJSC = "WANDERA"
)

// BatchResult is the outcome of one override request.
type BatchResult struct {
	DeviceIDs []string
	// RequestID is the X-Request-ID the client sent, for the audit log.
	RequestID string
	Err       error
}

// overrideBody is the PUT /risk/v1/override body.
type overrideBody struct {
	DeviceIDs []string `json:"deviceIds"`
	Risk      Level    `json:"risk,omitempty"`
	Source    string   `json:"source"`
}

// SetRisk pins devices at a level (source MANUAL), in batches of the
// client's batch size, one PUT /risk/v1/override per batch. It returns one
// result per batch; a failed batch does not stop the others.
func (c *Client) SetRisk(ctx context.Context, ids []string, l Level) []BatchResult {
	return c.override(ctx, ids, overrideBody{Risk: l, Source: SourceManual})
}

// clearOverrideBody is what "reset" sends. The Risk API documents no
// explicit "clear": Jamf's own risk-signalling Lambda sends source WANDERA
// with risk SECURE, and the Netskope integration sends source WANDERA with
// no risk at all. Both hand the device back to JSC's calculation; we send
// Jamf's form. Change it here if Jamf documents another spelling.
func clearOverrideBody() overrideBody { return overrideBody{Risk: Secure, Source: SourceJSC} }

// ClearOverride hands devices back to JSC's own risk calculation (source
// WANDERA). A device JSC still sees a threat on stays at its computed level.
func (c *Client) ClearOverride(ctx context.Context, ids []string) []BatchResult {
	return c.override(ctx, ids, clearOverrideBody())
}

func (c *Client) override(ctx context.Context, ids []string, body overrideBody) []BatchResult {
	var out []BatchResult
	for start := 0; start < len(ids); start += c.batchSize {
		part := ids[start:min(len(ids), start+c.batchSize)]
		b := body
		b.DeviceIDs = part
		res := BatchResult{DeviceIDs: part, RequestID: newRequestID()}
		if ctx.Err() != nil {
			res.Err = ctx.Err()
		} else if _, err := c.do(ctx, &request{method: http.MethodPut, path: "risk/v1/override", body: b, id: res.RequestID}, nil); err != nil {
			res.Err = err
		}
		out = append(out, res)
		var be *BudgetError
		if errors.As(res.Err, &be) || ctx.Err() != nil {
			// Nothing more can be sent today (or at all): report the rest.
			for rest := start + c.batchSize; rest < len(ids); rest += c.batchSize {
				out = append(out, BatchResult{DeviceIDs: ids[rest:min(len(ids), rest+c.batchSize)], Err: res.Err})
			}
			break
		}
	}
	return out
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
