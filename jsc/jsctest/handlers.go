package jsctest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jsc"
)

// pageParams reads and checks page and pageSize as the Risk API does.
func pageParams(w http.ResponseWriter, r *http.Request) (int, int, bool) {
	page, size := 0, 100
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "NEGATIVE_PAGE", "page must be 0 or more")
			return 0, 0, false
		}
		page = n
	}
	if v := r.URL.Query().Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1:
			writeError(w, http.StatusBadRequest, "NEGATIVE_PAGE_SIZE", "pageSize must be 1 or more")
			return 0, 0, false
		case n > 100:
			writeError(w, http.StatusBadRequest, "MAX_LIMIT_PER_PAGE", "Maximum page size is 100")
			return 0, 0, false
		}
		size = n
	}
	return page, size, true
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// handleListV2 is GET /risk/v2/devices.
func (s *Server) handleListV2(w http.ResponseWriter, r *http.Request, _ string) {
	if s.opts.DisableV2 {
		writeError(w, http.StatusNotFound, "UNKNOWN_URI_PATH", "No such path: "+r.URL.Path)
		return
	}
	page, size, ok := pageParams(w, r)
	if !ok {
		return
	}
	ext, guid := strings.ToLower(r.URL.Query().Get("externalId")), r.URL.Query().Get("guid")
	s.mu.Lock()
	if s.broken {
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"customerId":"cust-demo","userDeviceList":[{"guid":`))
		return
	}
	// A filtered request is answered from the indexes, a page by slicing:
	// the cost is the page's, not the tenant's.
	var matched []*device
	switch {
	case guid != "":
		if d := s.byGUID[guid]; d != nil && (ext == "" || d.externalID == ext) {
			matched = []*device{d}
		}
	case ext != "":
		matched = s.byExt[ext]
	default:
		matched = s.devices
	}
	start := min(page*size, len(matched))
	out := make([]map[string]any, 0, min(size, len(matched)-start))
	for _, d := range matched[start:min(len(matched), start+size)] {
		out = append(out, v2Record(d))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"customerId": "cust-demo", "userDeviceList": out})
}

// v2Record is a device as GET /risk/v2/devices shows it.
func v2Record(d *device) map[string]any {
	return map[string]any{
		"guid": d.guid, "externalId": d.externalID, "riskCategory": d.risk(),
		"user": map[string]string{"name": d.user, "email": d.email},
		"info": map[string]any{"device": map[string]any{"deviceName": d.name, "osType": d.osType}, "app": map[string]string{"name": "Jamf Trust", "version": "4.2.0"}},
		"statusUpdate": map[string]any{"connector": map[string]any{"lastStatusUpdateUtcMs": strconv.FormatInt(ms(d.lastDNS), 10),
			"payload": map[string]bool{"isEnrolled": d.externalID != ""}}},
		"lastDnsTraffic": ms(d.lastDNS), "joinDate": ms(d.joined), "appVersion": "4.2.0",
	}
}

// handleListV1 is the deprecated GET /risk/v1/devices.
func (s *Server) handleListV1(w http.ResponseWriter, r *http.Request, _ string) {
	page, size, ok := pageParams(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	total := len(s.devices)
	start := min(page*size, total)
	records := make([]map[string]any, 0, min(size, total-start))
	for _, d := range s.devices[start:min(total, start+size)] {
		records = append(records, map[string]any{"deviceId": d.guid, "externalId": d.externalID, "name": d.name, "risk": d.risk()})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"records": records,
		"pagination": map[string]int{"totalRecords": total, "totalPages": (total + size - 1) / size}})
}

// handleOverride is PUT /risk/v1/override.
func (s *Server) handleOverride(w http.ResponseWriter, r *http.Request, _ string) {
	var body struct {
		DeviceIDs []string `json:"deviceIds"`
		Risk      string   `json:"risk"`
		Source    string   `json:"source"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_BODY", "The body is not valid JSON")
		return
	}
	if len(body.DeviceIDs) == 0 {
		writeError(w, http.StatusBadRequest, "INVALID_DEVICE_IDS", "deviceIds must name at least one device")
		return
	}
	level := jsc.Level(strings.ToUpper(body.Risk))
	switch body.Source {
	case jsc.SourceManual:
		if level.Rank() < 0 {
			writeError(w, http.StatusBadRequest, "INVALID_RISK", "risk must be HIGH, MEDIUM, LOW or SECURE")
			return
		}
	case jsc.SourceJSC:
	default:
		writeError(w, http.StatusBadRequest, "INVALID_SOURCE", "source must be MANUAL or WANDERA")
		return
	}
	appID, _, _ := r.BasicAuth()
	if appID == "" {
		appID = s.opts.AppID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var unknown []string
	for _, id := range body.DeviceIDs {
		if s.byGUID[id] == nil {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		writeError(w, http.StatusBadRequest, "INVALID_DEVICE_IDS", "Unknown device IDs: "+strings.Join(unknown[:min(5, len(unknown))], ", "))
		return
	}
	now := s.clock.Now()
	for _, id := range body.DeviceIDs {
		d := s.byGUID[id]
		before := d.risk()
		if body.Source == jsc.SourceJSC {
			d.override = nil
		} else {
			d.override = &override{level: level, source: jsc.SourceManual, at: now, by: appID}
		}
		s.log.override(OverrideRecord{At: now, AppID: appID, DeviceID: id, ExternalID: d.externalID, Source: body.Source, Requested: level,
			Before: before, After: d.risk(), RequestID: r.Header.Get("X-Request-ID")})
	}
	w.WriteHeader(http.StatusNoContent)
}

// Risk returns a device's current level, for tests.
func (s *Server) Risk(guid string) (jsc.Level, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.byGUID[guid]
	if d == nil {
		return "", false
	}
	return d.risk(), true
}

// SetCalculated changes the level JSC itself calculates for a device (a
// threat found or cleared), as JSC does on its own; a manual override
// still shows over it. It reports whether the device exists.
func (s *Server) SetCalculated(guid string, l jsc.Level) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.byGUID[guid]
	if d == nil {
		return false
	}
	d.calculated = l
	return true
}

// ClearOverride drops a device's manual override, as another integration
// or an administrator in the JSC portal might; it reports whether the
// device exists.
func (s *Server) ClearOverride(guid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.byGUID[guid]
	if d == nil {
		return false
	}
	d.override = nil
	return true
}

// ExternalID returns a device's external ID (lowercase UDID), for tests.
func (s *Server) ExternalID(guid string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.byGUID[guid]
	if d == nil {
		return "", false
	}
	return d.externalID, true
}

// Counts returns how many devices are at each level.
func (s *Server) Counts() map[jsc.Level]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[jsc.Level]int{}
	for _, d := range s.devices {
		out[d.risk()]++
	}
	return out
}

// DeviceIDs returns every device's JSC ID in order.
func (s *Server) DeviceIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.devices))
	for i, d := range s.devices {
		out[i] = d.guid
	}
	return slices.Clone(out)
}
