package jamf

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// ClassicService reads the Classic API endpoints the Jamf Pro API has no
// equivalent for: static computer group members and per-device command
// history with last-push times.
type ClassicService service

// ClassicComputerGroup is a Classic computer group with its members.
type ClassicComputerGroup struct {
	ID        int    `json:"id" xml:"id"`
	Name      string `json:"name" xml:"name"`
	IsSmart   bool   `json:"is_smart" xml:"is_smart"`
	Computers []struct {
		ID           int    `json:"id" xml:"id"`
		Name         string `json:"name" xml:"name"`
		SerialNumber string `json:"serial_number" xml:"serial_number"`
	} `json:"computers" xml:"computers>computer"`
}

// ComputerGroup returns a computer group with its members
// (GET /JSSResource/computergroups/id/{id}, as JSON).
func (s *ClassicService) ComputerGroup(ctx context.Context, id string) (*ClassicComputerGroup, *Response, error) {
	var body struct {
		ComputerGroup ClassicComputerGroup `json:"computer_group"`
	}
	r := &request{method: http.MethodGet, path: "JSSResource/computergroups/id/" + url.PathEscape(id), privileges: []string{PrivReadStaticComputerGrps}}
	resp, err := s.client.do(ctx, r, &body)
	if err != nil {
		return nil, resp, err
	}
	return &body.ComputerGroup, resp, nil
}

// HistoryCommand is one entry of a device's Classic management history.
type HistoryCommand struct {
	Name      string
	Status    string
	Username  string
	Error     string
	Issued    time.Time
	LastPush  time.Time
	Completed time.Time
	Failed    time.Time
}

// CommandHistory is a device's commands by outcome, as the Classic history
// endpoints report them (newest first within each list).
type CommandHistory struct {
	Completed []HistoryCommand
	Pending   []HistoryCommand
	Failed    []HistoryCommand
}

// historyXMLCommand reads both the computer field names (issued_epoch) and
// the mobile ones (date_time_issued_epoch).
type historyXMLCommand struct {
	Name              string `xml:"name"`
	Status            string `xml:"status"`
	Username          string `xml:"username"`
	Error             string `xml:"error"`
	IssuedEpoch       int64  `xml:"issued_epoch"`
	LastPushEpoch     int64  `xml:"last_push_epoch"`
	CompletedEpoch    int64  `xml:"completed_epoch"`
	FailedEpoch       int64  `xml:"failed_epoch"`
	DTIssuedEpoch     int64  `xml:"date_time_issued_epoch"`
	DTLastPushEpoch   int64  `xml:"date_time_last_push_epoch"`
	DTCompletedEpoch  int64  `xml:"date_time_completed_epoch"`
	DTFailedEpoch     int64  `xml:"date_time_failed_epoch"`
	IssuedUTC         string `xml:"issued_utc"`
	LastPushUTC       string `xml:"last_push_utc"`
	CompletedUTC      string `xml:"completed_utc"`
	FailedUTC         string `xml:"failed_utc"`
	DateTimeIssued    string `xml:"date_time_issued_utc"`
	DateTimeCompleted string `xml:"date_time_completed_utc"`
	DateTimeFailed    string `xml:"date_time_failed_utc"`
}

type historyXMLLists struct {
	Completed []historyXMLCommand `xml:"completed>command"`
	Pending   []historyXMLCommand `xml:"pending>command"`
	Failed    []historyXMLCommand `xml:"failed>command"`
}

func pickTime(epochs []int64, texts []string) time.Time {
	for _, e := range epochs {
		if t, ok := EpochMillis(e); ok {
			return t
		}
	}
	for _, s := range texts {
		s = strings.Replace(s, "+0000", "Z", 1)
		if t, ok := ParseTime(s); ok {
			return t
		}
	}
	return time.Time{}
}

func (c historyXMLCommand) command(failed bool) HistoryCommand {
	h := HistoryCommand{
		Name:      strings.TrimSpace(c.Name),
		Status:    strings.TrimSpace(c.Status),
		Username:  strings.TrimSpace(c.Username),
		Error:     strings.TrimSpace(c.Error),
		Issued:    pickTime([]int64{c.IssuedEpoch, c.DTIssuedEpoch}, []string{c.IssuedUTC, c.DateTimeIssued}),
		LastPush:  pickTime([]int64{c.LastPushEpoch, c.DTLastPushEpoch}, []string{c.LastPushUTC}),
		Completed: pickTime([]int64{c.CompletedEpoch, c.DTCompletedEpoch}, []string{c.CompletedUTC, c.DateTimeCompleted}),
		Failed:    pickTime([]int64{c.FailedEpoch, c.DTFailedEpoch}, []string{c.FailedUTC, c.DateTimeFailed}),
	}
	if failed && h.Error == "" {
		// For failed computer commands Jamf puts the reason in status.
		h.Error = h.Status
	}
	return h
}

func (l historyXMLLists) history() *CommandHistory {
	h := &CommandHistory{}
	for _, c := range l.Completed {
		h.Completed = append(h.Completed, c.command(false))
	}
	for _, c := range l.Pending {
		h.Pending = append(h.Pending, c.command(false))
	}
	for _, c := range l.Failed {
		h.Failed = append(h.Failed, c.command(true))
	}
	for _, list := range [][]HistoryCommand{h.Completed, h.Pending, h.Failed} {
		sort.SliceStable(list, func(i, j int) bool { return list[i].Issued.After(list[j].Issued) })
	}
	return h
}

// ParseComputerHistoryXML reads a Classic computer_history document's
// commands subset.
func ParseComputerHistoryXML(data []byte) (*CommandHistory, error) {
	var doc struct {
		XMLName  xml.Name        `xml:"computer_history"`
		Commands historyXMLLists `xml:"commands"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("jamf: reading computer history: %w", err)
	}
	return doc.Commands.history(), nil
}

// ParseMobileDeviceHistoryXML reads a Classic mobile_device_history
// document's management_commands subset.
func ParseMobileDeviceHistoryXML(data []byte) (*CommandHistory, error) {
	var doc struct {
		XMLName  xml.Name        `xml:"mobile_device_history"`
		Commands historyXMLLists `xml:"management_commands"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("jamf: reading mobile device history: %w", err)
	}
	return doc.Commands.history(), nil
}

// ComputerCommandHistory returns a computer's completed, pending and failed
// commands with issue and last-push times
// (GET /JSSResource/computerhistory/id/{id}/subset/Commands, as XML).
func (s *ClassicService) ComputerCommandHistory(ctx context.Context, id string) (*CommandHistory, *Response, error) {
	return s.history(ctx, "JSSResource/computerhistory/id/"+url.PathEscape(id)+"/subset/Commands", PrivReadComputers, ParseComputerHistoryXML)
}

// MobileDeviceCommandHistory returns a mobile device's management commands
// (GET /JSSResource/mobiledevicehistory/id/{id}/subset/ManagementCommands).
func (s *ClassicService) MobileDeviceCommandHistory(ctx context.Context, id string) (*CommandHistory, *Response, error) {
	return s.history(ctx, "JSSResource/mobiledevicehistory/id/"+url.PathEscape(id)+"/subset/ManagementCommands", PrivReadMobileDevices, ParseMobileDeviceHistoryXML)
}

func (s *ClassicService) history(ctx context.Context, path, priv string, parse func([]byte) (*CommandHistory, error)) (*CommandHistory, *Response, error) {
	var raw strings.Builder
	r := &request{method: http.MethodGet, path: path, accept: "application/xml", privileges: []string{priv}}
	resp, err := s.client.do(ctx, r, &raw)
	if err != nil {
		return nil, resp, err
	}
	h, err := parse([]byte(raw.String()))
	return h, resp, err
}
