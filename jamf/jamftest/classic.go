package jamftest

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// handleClassicGroup is GET /JSSResource/{computergroups|mobiledevicegroups}/id/{id}.
func (s *Server) handleClassicGroup(mobile bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := tokenFrom(r)
		s.mu.Lock()
		g := s.findGroup(r.PathValue("id"), mobile)
		if g == nil {
			s.mu.Unlock()
			writeStatusPage(w, http.StatusNotFound, "The server has not found anything matching the request URI")
			return
		}
		if !canRead(t, g) {
			s.mu.Unlock()
			writeStatusPage(w, http.StatusForbidden, "The server understood the request, but is refusing to fulfill it")
			return
		}
		type member struct {
			ID           int    `json:"id" xml:"id"`
			Name         string `json:"name" xml:"name"`
			SerialNumber string `json:"serial_number" xml:"serial_number"`
			UDID         string `json:"udid,omitempty" xml:"udid,omitempty"`
		}
		var members []member
		for _, id := range s.members(g, s.clock.Now()) {
			d := s.fleet.computer(id)
			if mobile {
				d = s.fleet.mobile(id)
			}
			m := member{ID: d.id, Name: d.name, SerialNumber: d.serial}
			if mobile {
				m.UDID = d.udid
			}
			members = append(members, m)
		}
		s.mu.Unlock()
		if members == nil {
			members = []member{}
		}
		type site struct {
			ID   int    `json:"id" xml:"id"`
			Name string `json:"name" xml:"name"`
		}
		if mobile {
			type doc struct {
				XMLName xml.Name `json:"-" xml:"mobile_device_group"`
				ID      int      `json:"id" xml:"id"`
				Name    string   `json:"name" xml:"name"`
				IsSmart bool     `json:"is_smart" xml:"is_smart"`
				Site    site     `json:"site" xml:"site"`
				Devices []member `json:"mobile_devices" xml:"mobile_devices>mobile_device"`
			}
			d := doc{ID: g.id, Name: g.name, IsSmart: g.smart, Site: site{-1, "None"}, Devices: members}
			writeClassic(w, r, d, map[string]any{"mobile_device_group": d})
			return
		}
		type doc struct {
			XMLName   xml.Name `json:"-" xml:"computer_group"`
			ID        int      `json:"id" xml:"id"`
			Name      string   `json:"name" xml:"name"`
			IsSmart   bool     `json:"is_smart" xml:"is_smart"`
			Site      site     `json:"site" xml:"site"`
			Computers []member `json:"computers" xml:"computers>computer"`
		}
		d := doc{ID: g.id, Name: g.name, IsSmart: g.smart, Site: site{-1, "None"}, Computers: members}
		writeClassic(w, r, d, map[string]any{"computer_group": d})
	}
}

// classicName turns RESTART_DEVICE into RestartDevice, as the Classic
// history names commands.
func classicName(kind string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.ToLower(kind), "_") {
		if part == "" {
			continue
		}
		r := []rune(part)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// historyCommand is one Classic history entry (computer field names; the
// mobile history uses the date_time_* names).
type historyCommand struct {
	Name           string `xml:"name" json:"name"`
	Status         string `xml:"status" json:"status"`
	Error          string `xml:"error,omitempty" json:"error,omitempty"`
	Issued         string `xml:"issued,omitempty" json:"issued,omitempty"`
	IssuedEpoch    int64  `xml:"issued_epoch,omitempty" json:"issued_epoch,omitempty"`
	IssuedUTC      string `xml:"issued_utc,omitempty" json:"issued_utc,omitempty"`
	LastPush       string `xml:"last_push,omitempty" json:"last_push,omitempty"`
	LastPushEpoch  int64  `xml:"last_push_epoch,omitempty" json:"last_push_epoch,omitempty"`
	LastPushUTC    string `xml:"last_push_utc,omitempty" json:"last_push_utc,omitempty"`
	Completed      string `xml:"completed,omitempty" json:"completed,omitempty"`
	CompletedEpoch int64  `xml:"completed_epoch,omitempty" json:"completed_epoch,omitempty"`
	CompletedUTC   string `xml:"completed_utc,omitempty" json:"completed_utc,omitempty"`
	Failed         string `xml:"failed,omitempty" json:"failed,omitempty"`
	FailedEpoch    int64  `xml:"failed_epoch,omitempty" json:"failed_epoch,omitempty"`
	FailedUTC      string `xml:"failed_utc,omitempty" json:"failed_utc,omitempty"`
	// mobile spellings
	DTIssuedEpoch    int64  `xml:"date_time_issued_epoch,omitempty" json:"date_time_issued_epoch,omitempty"`
	DTLastPushEpoch  int64  `xml:"date_time_last_push_epoch,omitempty" json:"date_time_last_push_epoch,omitempty"`
	DTCompletedEpoch int64  `xml:"date_time_completed_epoch,omitempty" json:"date_time_completed_epoch,omitempty"`
	DTFailedEpoch    int64  `xml:"date_time_failed_epoch,omitempty" json:"date_time_failed_epoch,omitempty"`
	Username         string `xml:"username,omitempty" json:"username,omitempty"`
}

type historyLists struct {
	Completed []historyCommand `xml:"completed>command" json:"completed"`
	Pending   []historyCommand `xml:"pending>command" json:"pending"`
	Failed    []historyCommand `xml:"failed>command" json:"failed"`
}

func classicTimes(t time.Time) (string, int64, string) {
	if t.IsZero() {
		return "", 0, ""
	}
	return t.Format("2006-01-02 15:04:05"), t.UnixMilli(), t.Format("2006-01-02T15:04:05.000+0000")
}

func historyEntry(c *mdmCommand, mobile bool) historyCommand {
	h := historyCommand{Name: classicName(c.kind), Username: c.sender}
	switch c.state {
	case "PENDING":
		h.Status = "Pending"
	case "NOT_NOW":
		h.Status = "NotNow"
	case "ACKNOWLEDGED":
		h.Status = "Acknowledged"
	default:
		h.Status = c.errText
	}
	if mobile {
		h.DTIssuedEpoch = c.sent.UnixMilli()
		if c.active() {
			h.DTLastPushEpoch = c.lastPush.UnixMilli()
		}
		if c.state == "ACKNOWLEDGED" {
			h.DTCompletedEpoch = c.completed.UnixMilli()
		}
		if c.state == "ERROR" {
			h.DTFailedEpoch, h.Error, h.Status = c.completed.UnixMilli(), c.errText, "Failed"
		}
		return h
	}
	h.Issued, h.IssuedEpoch, h.IssuedUTC = classicTimes(c.sent)
	if c.active() {
		h.LastPush, h.LastPushEpoch, h.LastPushUTC = classicTimes(c.lastPush)
	}
	if c.state == "ACKNOWLEDGED" {
		h.Completed, h.CompletedEpoch, h.CompletedUTC = classicTimes(c.completed)
	}
	if c.state == "ERROR" {
		h.Failed, h.FailedEpoch, h.FailedUTC = classicTimes(c.completed)
	}
	return h
}

// handleHistory is GET /JSSResource/{computer|mobiledevice}history/id/{id}/subset/{subset}.
// Subsets may be combined with '&'; only the command subset carries data here.
func (s *Server) handleHistory(mobile bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		s.mu.Lock()
		var d *device
		if err == nil {
			d = s.fleet.computer(id)
			if mobile {
				d = s.fleet.mobile(id)
			}
		}
		if d == nil {
			s.mu.Unlock()
			writeStatusPage(w, http.StatusNotFound, "The server has not found anything matching the request URI")
			return
		}
		wantCommands := false
		for _, sub := range strings.Split(r.PathValue("subset"), "&") {
			switch strings.ToLower(strings.ReplaceAll(sub, "_", "")) {
			case "commands", "managementcommands":
				wantCommands = true
			}
		}
		var lists historyLists
		if wantCommands {
			cmds := s.queue.byDevice[d]
			for i := len(cmds) - 1; i >= 0; i-- {
				c := cmds[i]
				e := historyEntry(c, mobile)
				switch {
				case c.active():
					lists.Pending = append(lists.Pending, e)
				case c.state == "ERROR":
					lists.Failed = append(lists.Failed, e)
				default:
					lists.Completed = append(lists.Completed, e)
				}
			}
		}
		type general struct {
			ID           int    `xml:"id" json:"id"`
			Name         string `xml:"name" json:"name"`
			UDID         string `xml:"udid" json:"udid"`
			SerialNumber string `xml:"serial_number" json:"serial_number"`
		}
		gen := general{ID: d.id, Name: d.name, UDID: d.udid, SerialNumber: d.serial}
		s.mu.Unlock()
		if mobile {
			type doc struct {
				XMLName  xml.Name      `xml:"mobile_device_history" json:"-"`
				General  general       `xml:"general" json:"general"`
				Commands *historyLists `xml:"management_commands,omitempty" json:"management_commands,omitempty"`
			}
			body := doc{General: gen}
			if wantCommands {
				body.Commands = &lists
			}
			writeClassic(w, r, body, map[string]any{"mobile_device_history": body})
			return
		}
		type doc struct {
			XMLName  xml.Name      `xml:"computer_history" json:"-"`
			General  general       `xml:"general" json:"general"`
			Commands *historyLists `xml:"commands,omitempty" json:"commands,omitempty"`
		}
		body := doc{General: gen}
		if wantCommands {
			body.Commands = &lists
		}
		writeClassic(w, r, body, map[string]any{"computer_history": body})
	}
}

// handleFlush is DELETE /JSSResource/commandflush/{idtype}/id/{ids}/status/{status}.
func (s *Server) handleFlush(w http.ResponseWriter, r *http.Request) {
	idtype, status := r.PathValue("idtype"), r.PathValue("status")
	var pending, failed bool
	switch strings.ReplaceAll(status, " ", "+") {
	case "Pending":
		pending = true
	case "Failed":
		failed = true
	case "Pending+Failed":
		pending, failed = true, true
	default:
		writeStatusPage(w, http.StatusBadRequest, "Status must be Pending, Failed, or Pending+Failed")
		return
	}
	var ids []int
	for _, part := range strings.Split(r.PathValue("id"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			writeStatusPage(w, http.StatusBadRequest, "Invalid id "+part)
			return
		}
		ids = append(ids, n)
	}
	t := tokenFrom(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var devs []*device
	switch idtype {
	case "computers", "mobiledevices":
		for _, id := range ids {
			d := s.fleet.computer(id)
			if idtype == "mobiledevices" {
				d = s.fleet.mobile(id)
			}
			if d == nil {
				writeStatusPage(w, http.StatusNotFound, "Unable to match device id "+strconv.Itoa(id))
				return
			}
			devs = append(devs, d)
		}
	case "computergroups", "mobiledevicegroups":
		mobile := idtype == "mobiledevicegroups"
		for _, id := range ids {
			g := s.findGroup(strconv.Itoa(id), mobile)
			if g == nil {
				writeStatusPage(w, http.StatusNotFound, "Unable to match group id "+strconv.Itoa(id))
				return
			}
			for _, mid := range s.members(g, now) {
				if mobile {
					devs = append(devs, s.fleet.mobile(mid))
				} else {
					devs = append(devs, s.fleet.computer(mid))
				}
			}
		}
	default:
		writeStatusPage(w, http.StatusBadRequest, "idtype must be computers, computergroups, mobiledevices or mobiledevicegroups")
		return
	}
	if info := infoFrom(r); info != nil {
		info.devices = len(devs)
	}
	for _, d := range devs {
		n := s.queue.flush(d, pending, failed)
		s.log.flush(FlushRecord{At: now, ManagementID: d.mgmtID, Status: status, Removed: n, Sender: t.identity})
	}
	w.Header().Set("Content-Type", "application/xml;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name `xml:"commandflush"`
		Status  string   `xml:"status"`
		Target  string   `xml:"target"`
		IDs     string   `xml:"ids"`
	}{Status: "+" + strings.ToLower(status), Target: idtype, IDs: r.PathValue("id")})
}
