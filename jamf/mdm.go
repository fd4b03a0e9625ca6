package jamf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MDMService sends, lists and flushes MDM commands.
type MDMService service

// CommandState is an MDM command's state in the Jamf Pro API.
type CommandState string

// Command states (MdmCommandState).
const (
	StatePending            CommandState = "PENDING"
	StateAcknowledged       CommandState = "ACKNOWLEDGED"
	StateNotNow             CommandState = "NOT_NOW"
	StateError              CommandState = "ERROR"
	StateCommandFormatError CommandState = "COMMAND_FORMAT_ERROR"
)

// CommandClient is the device (or user channel) a command is for.
type CommandClient struct {
	ManagementID string `json:"managementId"`
	ClientType   string `json:"clientType"`
}

// CommandError is why a command failed, as the device reported it.
type CommandError struct {
	ErrorCode                 int    `json:"errorCode"`
	ErrorDomain               string `json:"errorDomain"`
	ErrorLocalizedDescription string `json:"errorLocalizedDescription"`
	ErrorEnglishDescription   string `json:"errorEnglishDescription"`
}

// Text returns the most useful one-line description of the failure.
func (e *CommandError) Text() string {
	if e == nil {
		return ""
	}
	msg := e.ErrorEnglishDescription
	if msg == "" {
		msg = e.ErrorLocalizedDescription
	}
	if e.ErrorDomain != "" || e.ErrorCode != 0 {
		msg = fmt.Sprintf("%s (%s %d)", msg, e.ErrorDomain, e.ErrorCode)
	}
	return strings.TrimSpace(msg)
}

// Command is one MDM command from GET /api/v2/mdm/commands (MdmCommand).
type Command struct {
	UUID          string        `json:"uuid"`
	DateSent      Time          `json:"dateSent"`
	DateCompleted Time          `json:"dateCompleted"`
	Client        CommandClient `json:"client"`
	CommandState  CommandState  `json:"commandState"`
	CommandType   string        `json:"commandType"`
	CommandError  *CommandError `json:"commandError"`
	ProfileID     *int          `json:"profileId"`
}

// ListCommands returns the MDM commands matching opts.Filter, which Jamf Pro
// requires (fields: uuid, clientManagementId, command, status, clientType,
// dateSent, validAfter, dateCompleted, profileId, profileIdentifier, active).
// It reads every page of GET /api/v2/mdm/commands.
//
// Jamf Pro API docs: https://developer.jamf.com/jamf-pro/reference/get_v2-mdm-commands
func (s *MDMService) ListCommands(ctx context.Context, opts *ListOptions) ([]Command, *Response, error) {
	if opts == nil || opts.Filter == "" {
		return nil, nil, errors.New("jamf: listing MDM commands needs a filter (for example on clientManagementId)")
	}
	return listAll[Command](ctx, s.client, "api/v2/mdm/commands", nil, opts, PrivViewMDMCommands)
}

// CommandsForDevices lists every command of the given management IDs, newest
// first, batching the IDs into =in= filters.
func (s *MDMService) CommandsForDevices(ctx context.Context, managementIDs []string) ([]Command, *Response, error) {
	return listByIDs(ctx, s.client, managementIDs, func(ctx context.Context, part []string) ([]Command, *Response, error) {
		return s.ListCommands(ctx, &ListOptions{Filter: In("clientManagementId", part...), Sort: []string{"dateSent:desc"}})
	})
}

// CommandsOfTypeForDevices lists the commands of one type of the given
// management IDs, newest first: the =in= filters also carry command==TYPE,
// so a long history of other commands costs no extra pages.
func (s *MDMService) CommandsOfTypeForDevices(ctx context.Context, managementIDs []string, commandType string) ([]Command, *Response, error) {
	return listByIDs(ctx, s.client, managementIDs, func(ctx context.Context, part []string) ([]Command, *Response, error) {
		return s.ListCommands(ctx, &ListOptions{Filter: And(In("clientManagementId", part...), Eq("command", commandType)), Sort: []string{"dateSent:desc"}})
	})
}

// CommandData is the commandData object of a send request: the command type
// and its type-specific fields (see the Jamf Pro API's MdmCommandRequest).
type CommandData struct {
	// CommandType is the Jamf command type, for example "RESTART_DEVICE".
	CommandType string
	// Fields are the type's extra fields, for example {"notifyUser": true}.
	Fields map[string]any
}

// MarshalJSON writes commandType beside the extra fields.
func (d CommandData) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(d.Fields)+1)
	for k, v := range d.Fields {
		m[k] = v
	}
	m["commandType"] = d.CommandType
	return json.Marshal(m)
}

// HrefResponse is one created object's ID and address.
type HrefResponse struct {
	ID   string `json:"id"`
	Href string `json:"href"`
}

// ParseHrefResponses reads a send answer. The spec says an array of
// {id, href}; some servers answer with one object, so both are accepted.
func ParseHrefResponses(data []byte) ([]HrefResponse, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, nil
	}
	if data[0] == '[' {
		var list []HrefResponse
		err := json.Unmarshal(data, &list)
		return list, err
	}
	var one HrefResponse
	if err := json.Unmarshal(data, &one); err != nil {
		return nil, err
	}
	return []HrefResponse{one}, nil
}

// SendCommand queues one command for many devices in a single request
// (POST /api/v2/mdm/commands). platform only shapes the privilege named in
// a 403. A 201 means queued, not done: read the commands back to see them
// acknowledged, refused (NotNow) or failed. The write is never re-sent
// automatically; an *OutcomeUnknownError means it may or may not have been
// queued.
//
// Jamf Pro API docs: https://developer.jamf.com/jamf-pro/reference/post_v2-mdm-commands
func (s *MDMService) SendCommand(ctx context.Context, platform Platform, cmd CommandData, managementIDs []string) ([]HrefResponse, *Response, error) {
	if len(managementIDs) == 0 {
		return nil, nil, errors.New("jamf: SendCommand: no devices")
	}
	clients := make([]map[string]string, len(managementIDs))
	for i, id := range managementIDs {
		clients[i] = map[string]string{"managementId": id}
	}
	body := map[string]any{"clientData": clients, "commandData": cmd}
	privs := []string{PrivViewMDMCommands}
	if p := CommandPrivilege(platform, cmd.CommandType); p != "" {
		privs = append(privs, p)
	}
	r, err := jsonRequest(http.MethodPost, "api/v2/mdm/commands", body, privs...)
	if err != nil {
		return nil, nil, err
	}
	var raw bytes.Buffer
	resp, err := s.client.do(ctx, r, &raw)
	if err != nil {
		return nil, resp, err
	}
	refs, err := ParseHrefResponses(raw.Bytes())
	if err != nil {
		// The command was queued; only the answer was unreadable.
		return nil, resp, nil
	}
	return refs, resp, nil
}

// BlankPush asks Apple's push service to wake the devices so they check in
// and fetch their pending commands (POST /api/v2/mdm/blank-push). It returns
// the management IDs the server could not push to.
//
// Jamf Pro API docs: https://developer.jamf.com/jamf-pro/reference/post_v2-mdm-blank-push
func (s *MDMService) BlankPush(ctx context.Context, managementIDs []string) ([]string, *Response, error) {
	if len(managementIDs) == 0 {
		return nil, nil, errors.New("jamf: BlankPush: no devices")
	}
	r, err := jsonRequest(http.MethodPost, "api/v2/mdm/blank-push", map[string]any{"clientManagementIds": managementIDs}, PrivViewMDMCommands)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		ErrorUUIDs []string `json:"errorUuids"`
	}
	resp, err := s.client.do(ctx, r, &out)
	return out.ErrorUUIDs, resp, err
}

// FlushStatus selects which commands a flush removes.
type FlushStatus string

// Flush statuses of the Classic commandflush endpoint. Pending includes
// commands a device answered NotNow.
const (
	FlushPending          FlushStatus = "Pending"
	FlushFailed           FlushStatus = "Failed"
	FlushPendingAndFailed FlushStatus = "Pending+Failed"
)

// ParseFlushStatus reads "pending", "failed" or "both" (or the Jamf spellings).
func ParseFlushStatus(s string) (FlushStatus, error) {
	switch strings.ToLower(s) {
	case "pending":
		return FlushPending, nil
	case "failed":
		return FlushFailed, nil
	case "both", "pending+failed", "all":
		return FlushPendingAndFailed, nil
	}
	return "", fmt.Errorf("unknown flush status %q (want pending, failed or both)", s)
}

// FlushTarget says what the IDs of a flush name.
type FlushTarget string

// Flush targets.
const (
	FlushComputers          FlushTarget = "computers"
	FlushComputerGroups     FlushTarget = "computergroups"
	FlushMobileDevices      FlushTarget = "mobiledevices"
	FlushMobileDeviceGroups FlushTarget = "mobiledevicegroups"
)

// flushIDsPerRequest keeps the comma-separated ID list well inside URL limits.
const flushIDsPerRequest = 200

// Flush removes pending and/or failed commands from devices or from every
// member of groups, through the Classic API's
// DELETE /JSSResource/commandflush/{target}/id/{ids}/status/{status} (the Jamf
// Pro API has no equivalent). Jamf cannot cancel a single command: this
// removes all commands of that status. Large ID lists are split into several
// requests; the first failure stops the rest and is returned with the count
// of IDs already flushed.
func (s *MDMService) Flush(ctx context.Context, target FlushTarget, ids []string, status FlushStatus) (flushed int, err error) {
	switch target {
	case FlushComputers, FlushComputerGroups, FlushMobileDevices, FlushMobileDeviceGroups:
	default:
		return 0, fmt.Errorf("jamf: unknown flush target %q", target)
	}
	switch status {
	case FlushPending, FlushFailed, FlushPendingAndFailed:
	default:
		return 0, fmt.Errorf("jamf: unknown flush status %q", status)
	}
	privs := []string{PrivFlushMDMCommands}
	switch target {
	case FlushComputerGroups:
		privs = append(privs, PrivReadSmartComputerGrps)
	case FlushMobileDeviceGroups:
		privs = append(privs, PrivReadSmartMobileGrps)
	}
	for _, part := range chunk(ids, flushIDsPerRequest) {
		escaped := make([]string, len(part))
		for i, id := range part {
			escaped[i] = url.PathEscape(id)
		}
		// The "+" of Pending+Failed stays literal: Jamf reads it as the
		// separator, and url.PathEscape keeps it.
		path := fmt.Sprintf("JSSResource/commandflush/%s/id/%s/status/%s", target, strings.Join(escaped, ","), status)
		r := &request{method: http.MethodDelete, path: path, accept: "application/xml", privileges: privs}
		if _, err := s.client.do(ctx, r, nil); err != nil {
			return flushed, err
		}
		flushed += len(part)
	}
	return flushed, nil
}
