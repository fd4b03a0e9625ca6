package jsc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Level is a JSC risk level.
type Level string

// Risk levels, lowest first.
const (
	Secure  Level = "SECURE"
	Low     Level = "LOW"
	Medium  Level = "MEDIUM"
	High    Level = "HIGH"
	Unknown Level = "UNKNOWN"
)

// Levels returns the settable levels, lowest first.
func Levels() []Level { return []Level{Secure, Low, Medium, High} }

// ParseLevel reads a level name (any case).
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToUpper(strings.TrimSpace(s)))
	switch l {
	case Secure, Low, Medium, High:
		return l, nil
	}
	return "", errors.New("unknown risk level " + strconv.Quote(s) + " (want HIGH, MEDIUM, LOW or SECURE)")
}

// Rank orders levels for sorting (SECURE 0 … HIGH 3, unknown -1).
func (l Level) Rank() int {
	switch l {
	case Secure:
		return 0
	case Low:
		return 1
	case Medium:
		return 2
	case High:
		return 3
	}
	return -1
}

// Device is a JSC device with its risk.
type Device struct {
	// ID is JSC's device ID (v2 guid, v1 deviceId): the override key.
	ID string
	// ExternalID is the UEM's ID; for Jamf Pro devices the lowercase UDID.
	ExternalID string
	Risk       Level
	Name       string
	UserName   string
	UserEmail  string
	OSType     string
	// LastSeen is the latest traffic or status update JSC saw.
	LastSeen time.Time
	JoinDate time.Time
}

// v2Device is a record of GET /risk/v2/devices.
type v2Device struct {
	GUID         string `json:"guid"`
	ExternalID   string `json:"externalId"`
	RiskCategory string `json:"riskCategory"`
	User         struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"user"`
	Info struct {
		Device struct {
			DeviceName string `json:"deviceName"`
			OSType     string `json:"osType"`
		} `json:"device"`
	} `json:"info"`
	StatusUpdate struct {
		Connector struct {
			LastStatusUpdateUtcMs millis `json:"lastStatusUpdateUtcMs"`
		} `json:"connector"`
	} `json:"statusUpdate"`
	LastDNSTraffic millis `json:"lastDnsTraffic"`
	JoinDate       millis `json:"joinDate"`
}

// millis reads an epoch-milliseconds value given as a number or a string;
// anything else is zero.
type millis int64

// UnmarshalJSON implements json.Unmarshaler.
func (m *millis) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		*m = 0
		return nil
	}
	*m = millis(n)
	return nil
}

func (m millis) time() time.Time {
	if m <= 0 || m > 7_258_118_400_000 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

func level(s string) Level {
	if l, err := ParseLevel(s); err == nil {
		return l
	}
	return Unknown
}

func (d v2Device) device() Device {
	seen := d.LastDNSTraffic.time()
	if t := d.StatusUpdate.Connector.LastStatusUpdateUtcMs.time(); t.After(seen) {
		seen = t
	}
	return Device{ID: d.GUID, ExternalID: d.ExternalID, Risk: level(d.RiskCategory), Name: d.Info.Device.DeviceName,
		UserName: d.User.Name, UserEmail: d.User.Email, OSType: d.Info.Device.OSType, LastSeen: seen, JoinDate: d.JoinDate.time()}
}

// v1Device is a record of the deprecated GET /risk/v1/devices.
type v1Device struct {
	DeviceID   string `json:"deviceId"`
	ExternalID string `json:"externalId"`
	Name       string `json:"name"`
	Risk       string `json:"risk"`
}

// ListOptions narrows a device listing.
type ListOptions struct {
	// ExternalID finds the device with this UEM ID (lowercase UDID for Jamf Pro).
	ExternalID string
	// ID finds the device with this JSC ID.
	ID string
	// Progress, when set, is called after each page with the number of
	// devices read so far (a listing's progress).
	Progress func(devices int)
}

// maxPages guards against a server that ignores the page parameter.
const maxPages = 10_000

// ListDevices returns every device with its risk, paging
// GET /risk/v2/devices 100 at a time until a short page. If the v2 list
// is refused (404 or 405), it falls back to the deprecated v1 list.
func (c *Client) ListDevices(ctx context.Context, opts *ListOptions) ([]Device, error) {
	out, err := c.listV2(ctx, opts)
	var er *ErrorResponse
	if err != nil && errors.As(err, &er) && (er.StatusCode == http.StatusNotFound || er.StatusCode == http.StatusMethodNotAllowed) {
		c.logger.Info("jsc: v2 device list refused; using v1", "status", er.StatusCode)
		return c.listV1(ctx, opts)
	}
	return out, err
}

func (c *Client) listV2(ctx context.Context, opts *ListOptions) ([]Device, error) {
	var out []Device
	seen := map[string]bool{}
	for page := 0; page < maxPages; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(maxPageSize)}}
		if opts != nil && opts.ExternalID != "" {
			q.Set("externalId", opts.ExternalID)
		}
		if opts != nil && opts.ID != "" {
			q.Set("guid", opts.ID)
		}
		var body struct {
			UserDeviceList []v2Device `json:"userDeviceList"`
		}
		if _, err := c.do(ctx, &request{method: http.MethodGet, path: "risk/v2/devices", query: q}, &body); err != nil {
			return nil, err
		}
		if n := len(body.UserDeviceList); n > maxPageSize {
			return nil, &PagingError{Path: "risk/v2/devices", Reason: fmt.Sprintf("page %d holds %d devices, larger than the %d asked", page, n, maxPageSize)}
		}
		added := 0
		for _, d := range body.UserDeviceList {
			if d.GUID == "" || seen[d.GUID] {
				continue
			}
			seen[d.GUID] = true
			out = append(out, d.device())
			added++
		}
		if opts != nil && opts.Progress != nil {
			opts.Progress(len(out))
		}
		if len(body.UserDeviceList) > 0 && added == 0 && page > 0 {
			// A server that ignores the page number would loop for ever.
			return nil, &PagingError{Path: "risk/v2/devices", Reason: fmt.Sprintf("page %d repeats devices of earlier pages", page)}
		}
		if len(body.UserDeviceList) < maxPageSize || added == 0 {
			return out, nil
		}
	}
	return out, nil
}

func (c *Client) listV1(ctx context.Context, opts *ListOptions) ([]Device, error) {
	var out []Device
	firstPages := 0
	for page := 0; page < maxPages; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(maxPageSize)}}
		var body struct {
			Records    []v1Device `json:"records"`
			Pagination struct {
				TotalPages int `json:"totalPages"`
			} `json:"pagination"`
		}
		if _, err := c.do(ctx, &request{method: http.MethodGet, path: "risk/v1/devices", query: q}, &body); err != nil {
			return nil, err
		}
		if n := len(body.Records); n > maxPageSize {
			return nil, &PagingError{Path: "risk/v1/devices", Reason: fmt.Sprintf("page %d holds %d devices, larger than the %d asked", page, n, maxPageSize)}
		}
		if page == 0 {
			firstPages = body.Pagination.TotalPages
		} else if body.Pagination.TotalPages > firstPages+1 {
			return nil, &PagingError{Path: "risk/v1/devices", Reason: fmt.Sprintf("the page count grew from %d to %d during the listing; try again", firstPages, body.Pagination.TotalPages)}
		}
		for _, d := range body.Records {
			if opts != nil && ((opts.ExternalID != "" && !strings.EqualFold(d.ExternalID, opts.ExternalID)) || (opts.ID != "" && d.DeviceID != opts.ID)) {
				continue
			}
			out = append(out, Device{ID: d.DeviceID, ExternalID: d.ExternalID, Name: d.Name, Risk: level(d.Risk)})
		}
		if len(body.Records) < maxPageSize || page+1 >= firstPages {
			return out, nil
		}
	}
	return out, nil
}
