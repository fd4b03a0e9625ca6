package jamftest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jamf"
)

// sendableCommands are the commandType values POST /api/v2/mdm/commands accepts.
func sendableCommands() []string {
	return []string{"APPLY_REDEMPTION_CODE", "CANCEL_ENHANCED_LOG_COLLECTION", "CERTIFICATE_LIST", "CLEAR_PASSCODE",
		"CLEAR_RESTRICTIONS_PASSWORD", "DECLARATIVE_MANAGEMENT", "DELETE_USER", "DEVICE_INFORMATION", "DEVICE_LOCATION",
		"DEVICE_LOCK", "DISABLE_LOST_MODE", "DISABLE_REMOTE_DESKTOP", "ENABLE_LOST_MODE", "ENABLE_REMOTE_DESKTOP",
		"ERASE_DEVICE", "INSTALLED_APPLICATION_LIST", "LOG_OUT_USER", "MANAGED_APPLICATION_LIST", "MANAGED_MEDIA_LIST",
		"REFRESH_CELLULAR_PLANS", "PLAY_LOST_MODE_SOUND", "PROFILE_LIST", "PROVISIONING_PROFILE_LIST", "RESTART_DEVICE",
		"REQUEST_MIRRORING", "SECURITY_INFO", "SETTINGS", "SET_AUTO_ADMIN_PASSWORD", "SET_RECOVERY_LOCK", "SHUT_DOWN_DEVICE",
		"STOP_MIRRORING", "TRIGGER_ENHANCED_LOG_COLLECTION", "UNLOCK_USER_ACCOUNT", "VALIDATE_APPLICATIONS", "VERIFY_RECOVERY_LOCK"}
}

// handleSendCommand is POST /api/v2/mdm/commands.
func (s *Server) handleSendCommand(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ClientData []struct {
			ManagementID string `json:"managementId"`
		} `json:"clientData"`
		CommandData map[string]any `json:"commandData"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeAPIError(w, http.StatusBadRequest, "INVALID_JSON", "The request body is not valid JSON", "")
		return
	}
	kind, _ := body.CommandData["commandType"].(string)
	if !slices.Contains(sendableCommands(), kind) {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("commandType %q is not a known command type", kind), "commandData.commandType")
		return
	}
	if msg, field := checkCommandBody(kind, body.CommandData); msg != "" {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", msg, field)
		return
	}
	if len(body.ClientData) == 0 {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "clientData must name at least one device", "clientData")
		return
	}
	t := tokenFrom(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	devs := make([]*device, 0, len(body.ClientData))
	for _, c := range body.ClientData {
		d := s.fleet.byMgmt[c.ManagementID]
		if d == nil {
			writeAPIError(w, http.StatusBadRequest, "INVALID_MANAGEMENT_ID", "No device has management ID "+c.ManagementID, "clientData.managementId")
			return
		}
		devs = append(devs, d)
	}
	for _, d := range devs {
		platform := jamf.PlatformComputer
		if d.mobile {
			platform = jamf.PlatformMobile
		}
		if p := jamf.CommandPrivilege(platform, kind); p != "" && !t.privileges[p] {
			writeAPIError(w, http.StatusForbidden, "INVALID_PRIVILEGE", fmt.Sprintf("User %s not privileged for [%s]", t.identity, kind), "")
			return
		}
	}
	now := s.clock.Now()
	out := make([]map[string]string, 0, len(devs))
	for _, d := range devs {
		c := s.queue.enqueue(d, kind, t.identity, now)
		s.log.command(CommandRecord{At: now, UUID: c.uuid, ManagementID: d.mgmtID, CommandType: kind, Sender: t.identity, Fields: commandFields(body.CommandData)})
		out = append(out, map[string]string{"id": c.uuid, "href": s.URL + "/api/v2/mdm/commands?filter=uuid==" + c.uuid})
	}
	writeJSON(w, http.StatusCreated, out)
}

// commandFields copies a commandData object without its commandType: the
// parameters the admin log records.
func commandFields(data map[string]any) map[string]any {
	if len(data) <= 1 {
		return nil
	}
	out := make(map[string]any, len(data)-1)
	for k, v := range data {
		if k != "commandType" {
			out[k] = v
		}
	}
	return out
}

// handleBlankPush is POST /api/v2/mdm/blank-push.
func (s *Server) handleBlankPush(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ClientManagementIDs []string `json:"clientManagementIds"`
	}
	if err := decodeJSON(r, &body); err != nil || body.ClientManagementIDs == nil {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "clientManagementIds is required", "clientManagementIds")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	failed := []string{}
	for _, id := range body.ClientManagementIDs {
		d := s.fleet.byMgmt[id]
		if d == nil {
			failed = append(failed, id)
			continue
		}
		s.log.blankPush(id)
		s.queue.push(d, now, "blank-"+strconv.Itoa(s.log.BlankPushes(id)))
	}
	writeJSON(w, http.StatusOK, map[string]any{"errorUuids": failed})
}

// commandField reads a GET /api/v2/mdm/commands filter or sort field.
func commandField(c *mdmCommand, field string) (string, bool) {
	switch field {
	case "uuid":
		return c.uuid, true
	case "clientManagementId":
		return c.dev.mgmtID, true
	case "command":
		return c.kind, true
	case "status":
		return statusWord(c.state), true
	case "clientType":
		return c.dev.client, true
	case "dateSent":
		return jamfTime(c.sent), true
	case "validAfter":
		return jamfTime(c.sent), true
	case "dateCompleted":
		if c.completed.IsZero() {
			return "", true
		}
		return jamfTime(c.completed), true
	case "active":
		return boolString(c.active()), true
	case "profileId", "profileIdentifier":
		return "", true
	}
	return "", false
}

// statusWord is the filter spelling of a state (Pending, Acknowledged, NotNow, Error).
func statusWord(state string) string {
	switch state {
	case "PENDING":
		return "Pending"
	case "ACKNOWLEDGED":
		return "Acknowledged"
	case "NOT_NOW":
		return "NotNow"
	}
	return "Error"
}

type apiCommand struct {
	UUID          string            `json:"uuid"`
	DateSent      string            `json:"dateSent"`
	DateCompleted string            `json:"dateCompleted,omitempty"`
	Client        map[string]string `json:"client"`
	CommandState  string            `json:"commandState"`
	CommandType   string            `json:"commandType"`
	CommandError  map[string]any    `json:"commandError,omitempty"`
}

func commandRecord(c *mdmCommand) apiCommand {
	a := apiCommand{UUID: c.uuid, DateSent: jamfTime(c.sent), Client: map[string]string{"managementId": c.dev.mgmtID, "clientType": c.dev.client},
		CommandState: c.state, CommandType: c.kind}
	if !c.completed.IsZero() {
		a.DateCompleted = jamfTime(c.completed)
	}
	if c.state == "ERROR" {
		a.CommandError = map[string]any{"errorCode": c.errCode, "errorDomain": c.errDomain,
			"errorLocalizedDescription": c.errText, "errorEnglishDescription": c.errText}
	}
	return a
}

// handleListCommands is GET /api/v2/mdm/commands. A filter is required.
func (s *Server) handleListCommands(w http.ResponseWriter, r *http.Request) {
	lq, fault := parseListQuery(r, "dateSent:asc", func(f string) bool { _, ok := commandField(&mdmCommand{dev: &device{}}, f); return ok })
	if fault != nil {
		fault.write(w)
		return
	}
	if lq.filter == nil {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FILTER", "At least one filter field is required", "filter")
		return
	}
	s.mu.Lock()
	var candidates []*mdmCommand
	if ids, ok := indexedValues(lq.filter, "clientManagementId"); ok {
		for _, id := range ids {
			d := s.fleet.byMgmt[id]
			if d == nil {
				d = s.fleet.byMgmt[strings.ToLower(id)]
			}
			if d != nil {
				candidates = append(candidates, s.queue.byDevice[d]...)
			}
		}
	} else if ids, ok := indexedValues(lq.filter, "uuid"); ok {
		for _, id := range ids {
			if c := s.queue.byUUID[id]; c != nil {
				candidates = append(candidates, c)
			}
		}
	} else {
		for _, list := range s.queue.byDevice {
			candidates = append(candidates, list...)
		}
		slices.SortFunc(candidates, func(a, b *mdmCommand) int { return a.sent.Compare(b.sent) })
	}
	page, total := selectRecords(candidates, lq, commandField)
	results := make([]apiCommand, len(page))
	for i, c := range page {
		results[i] = commandRecord(c)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": total, "results": results})
}

// seedHistory gives the fleet a realistic past: inventory commands that
// completed over the last days, some that failed, and pending ones stuck on
// devices that went offline.
func seedHistory(s *Server, g *generator, now time.Time) {
	routine := []string{"DEVICE_INFORMATION", "SECURITY_INFO", "PROFILE_LIST", "INSTALLED_APPLICATION_LIST", "CERTIFICATE_LIST", "DECLARATIVE_MANAGEMENT"}
	for _, list := range [][]*device{s.fleet.computers, s.fleet.mobiles} {
		for _, d := range list {
			n := g.pick(4)
			for i := range n {
				kind := routine[g.pick(len(routine))]
				sent := now.Add(-time.Duration(1+g.pick(14*24)) * time.Hour)
				if !d.online() && sent.After(d.offlineSince) {
					sent = d.offlineSince.Add(-time.Duration(i+1) * time.Hour)
				}
				c := &mdmCommand{uuid: g.uuid(), dev: d, kind: kind, state: "ACKNOWLEDGED", sent: sent, lastPush: sent,
					completed: sent.Add(time.Duration(5+g.pick(40)) * time.Second), attempts: 1, sender: "jamf"}
				if g.chance(0.04) {
					c.state, c.errCode, c.errDomain, c.errText = "ERROR", 12030, "MCMDMErrorDomain", "The device is in an invalid state to process this command."
				}
				s.queue.byUUID[c.uuid] = c
				s.queue.byDevice[d] = append(s.queue.byDevice[d], c)
			}
			if !d.online() {
				// Jamf kept asking the device for inventory after it went dark,
				// and re-pushes it (all its commands at once) every few hours.
				lastPush := now.Add(-time.Duration(g.pick(6*60)) * time.Minute)
				for i := range 1 + g.pick(3) {
					sent := d.offlineSince.Add(time.Duration(i+1) * 24 * time.Hour)
					if sent.After(now) {
						break
					}
					c := &mdmCommand{uuid: g.uuid(), dev: d, kind: routine[i%2], state: "PENDING", sent: sent, lastPush: lastPush, sender: "jamf"}
					s.queue.byUUID[c.uuid] = c
					s.queue.byDevice[d] = append(s.queue.byDevice[d], c)
					s.queue.schedule(d, c.lastPush.Add(s.opts.RetryInterval), evRetryPush)
				}
			} else if d.busy && g.chance(0.5) {
				sent := now.Add(-time.Duration(1+g.pick(5*60)) * time.Minute)
				c := &mdmCommand{uuid: g.uuid(), dev: d, kind: "SECURITY_INFO", state: "NOT_NOW", sent: sent, lastPush: sent, attempts: 1, sender: "jamf"}
				s.queue.byUUID[c.uuid] = c
				s.queue.byDevice[d] = append(s.queue.byDevice[d], c)
				s.queue.schedule(d, now.Add(time.Duration(g.pick(int(s.opts.NotNowDelay/time.Second)))*time.Second), evCheckIn)
			}
			slices.SortFunc(s.queue.byDevice[d], func(a, b *mdmCommand) int { return a.sent.Compare(b.sent) })
		}
	}
}
