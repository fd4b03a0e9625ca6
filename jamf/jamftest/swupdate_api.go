package jamftest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/jamfops/jamfops/jamf"
)

const msuBase = "/api/v1/managed-software-updates"

// registerSoftwareUpdateRoutes serves managed software update plans and
// statuses with the privileges the spec lists.
func (s *Server) registerSoftwareUpdateRoutes(mux *http.ServeMux) {
	read := []string{"Read Managed Software Updates", "Read Computers", "Read Mobile Devices"}
	s.handle(mux, "GET "+msuBase+"/available-updates", s.handleAvailableUpdates)
	s.handle(mux, "GET "+msuBase+"/plans", s.handleListPlans, read...)
	s.handle(mux, "POST "+msuBase+"/plans", s.handleCreatePlans, "Create Managed Software Updates", "Read Computers", "Read Mobile Devices",
		"Send Computer Remote Command to Download and Install OS X Update", "Send Mobile Device Remote Command to Download and Install iOS Update")
	s.handle(mux, "GET "+msuBase+"/plans/{id}", s.handleGetPlan, read...)
	s.handle(mux, "GET "+msuBase+"/plans/{id}/events", s.handlePlanEvents, read...)
	s.handle(mux, "GET "+msuBase+"/update-statuses", s.handleUpdateStatuses, "Read Computers", "Read Mobile Devices")
	s.handle(mux, "GET "+msuBase+"/update-statuses/computers/{id}", s.handleDeviceStatuses(false), "Read Computers")
	s.handle(mux, "GET "+msuBase+"/update-statuses/mobile-devices/{id}", s.handleDeviceStatuses(true), "Read Mobile Devices")
	s.handle(mux, "GET "+msuBase+"/update-statuses/computer-groups/{id}", s.handleGroupStatuses(false),
		"Read Computers", "Read Smart Computer Groups", "Read Static Computer Groups")
	s.handle(mux, "GET "+msuBase+"/update-statuses/mobile-device-groups/{id}", s.handleGroupStatuses(true),
		"Read Mobile Devices", "Read Smart Mobile Device Groups", "Read Static Mobile Device Groups")
}

func (s *Server) handleAvailableUpdates(w http.ResponseWriter, _ *http.Request) {
	list := func(offers []osOffer) []string {
		out := make([]string, len(offers))
		for i, o := range offers {
			out[i] = o.version.String()
		}
		return out
	}
	writeJSON(w, http.StatusOK, map[string]any{"availableUpdates": map[string]any{"macOS": list(macOSOffers()), "iOS": list(iOSOffers())}})
}

// planRequest is a validated plan configuration.
type planRequest struct {
	action, versionType, specific string
	build                         *string
	maxDeferrals                  int
	forceAt                       *string
	forceTime                     time.Time
}

// planPost is the ManagedSoftwareUpdatePlanPost body as sent.
type planPost struct {
	Devices []struct {
		DeviceID   *string `json:"deviceId"`
		ObjectType *string `json:"objectType"`
	} `json:"devices"`
	Config *struct {
		UpdateAction              *string `json:"updateAction"`
		VersionType               *string `json:"versionType"`
		SpecificVersion           *string `json:"specificVersion"`
		BuildVersion              *string `json:"buildVersion"`
		MaxDeferrals              *int    `json:"maxDeferrals"`
		ForceInstallLocalDateTime *string `json:"forceInstallLocalDateTime"`
	} `json:"config"`
}

// validatePlanConfig checks the config as the spec and Jamf Pro do.
func validatePlanConfig(body *planPost) (planRequest, *apiFault) {
	bad := func(field, msg string) (planRequest, *apiFault) {
		return planRequest{}, &apiFault{http.StatusBadRequest, "INVALID_FIELD", msg, field}
	}
	c := body.Config
	if c == nil {
		return bad("config", "config is required")
	}
	actions := []string{"DOWNLOAD_ONLY", "DOWNLOAD_INSTALL", "DOWNLOAD_INSTALL_ALLOW_DEFERRAL", "DOWNLOAD_INSTALL_RESTART", "DOWNLOAD_INSTALL_SCHEDULE"}
	if c.UpdateAction == nil || !slices.Contains(actions, *c.UpdateAction) {
		return bad("config.updateAction", "updateAction must be one of "+fmt.Sprint(actions))
	}
	types := []string{"LATEST_MAJOR", "LATEST_MINOR", "LATEST_ANY", "SPECIFIC_VERSION", "CUSTOM_VERSION"}
	if c.VersionType == nil || !slices.Contains(types, *c.VersionType) {
		return bad("config.versionType", "versionType must be one of "+fmt.Sprint(types))
	}
	req := planRequest{action: *c.UpdateAction, versionType: *c.VersionType, specific: "NO_SPECIFIC_VERSION"}
	switch req.versionType {
	case "SPECIFIC_VERSION", "CUSTOM_VERSION":
		if c.SpecificVersion == nil {
			return bad("config.specificVersion", "specificVersion is required for "+req.versionType)
		}
		if _, err := jamf.ParseOSVersion(*c.SpecificVersion); err != nil {
			return bad("config.specificVersion", err.Error())
		}
		req.specific = *c.SpecificVersion
		if req.versionType == "CUSTOM_VERSION" {
			if c.BuildVersion == nil || *c.BuildVersion == "" {
				return bad("config.buildVersion", "buildVersion is required for CUSTOM_VERSION")
			}
			req.build = c.BuildVersion
		}
	default:
		if c.SpecificVersion != nil && *c.SpecificVersion != "" && *c.SpecificVersion != "NO_SPECIFIC_VERSION" {
			return bad("config.specificVersion", "specificVersion is only available with SPECIFIC_VERSION or CUSTOM_VERSION")
		}
	}
	if c.BuildVersion != nil && req.versionType != "CUSTOM_VERSION" {
		return bad("config.buildVersion", "buildVersion is only available with CUSTOM_VERSION")
	}
	if c.MaxDeferrals != nil {
		if *c.MaxDeferrals < 0 {
			return bad("config.maxDeferrals", "maxDeferrals must be 0 or more")
		}
		req.maxDeferrals = *c.MaxDeferrals
	} else if req.action == "DOWNLOAD_INSTALL_ALLOW_DEFERRAL" {
		return bad("config.maxDeferrals", "maxDeferrals is required with DOWNLOAD_INSTALL_ALLOW_DEFERRAL")
	}
	if f := c.ForceInstallLocalDateTime; f != nil && *f != "" {
		t, err := time.Parse(jamf.LocalDateTimeLayout, *f)
		if err != nil {
			return bad("config.forceInstallLocalDateTime", "forceInstallLocalDateTime must look like 2023-12-25T21:09:31")
		}
		req.forceAt, req.forceTime = f, t
	} else if req.action == "DOWNLOAD_INSTALL_SCHEDULE" {
		return bad("config.forceInstallLocalDateTime", "forceInstallLocalDateTime is required with DOWNLOAD_INSTALL_SCHEDULE")
	}
	return req, nil
}

// handleCreatePlans is POST /api/v1/managed-software-updates/plans: one plan
// per device, all or nothing.
func (s *Server) handleCreatePlans(w http.ResponseWriter, r *http.Request) {
	var body planPost
	if err := decodeJSON(r, &body); err != nil {
		writeAPIError(w, http.StatusBadRequest, "INVALID_JSON", "The request body is not valid JSON", "")
		return
	}
	if len(body.Devices) == 0 {
		writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "devices must name at least one device", "devices")
		return
	}
	req, fault := validatePlanConfig(&body)
	if fault != nil {
		fault.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[*device]bool{}
	devs := make([]*device, 0, len(body.Devices))
	for i, pd := range body.Devices {
		field := fmt.Sprintf("devices[%d]", i)
		if pd.DeviceID == nil || *pd.DeviceID == "" {
			writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "deviceId is required", field+".deviceId")
			return
		}
		if pd.ObjectType == nil || !slices.Contains([]string{"COMPUTER", "MOBILE_DEVICE", "APPLE_TV"}, *pd.ObjectType) {
			writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "objectType must be COMPUTER, MOBILE_DEVICE or APPLE_TV", field+".objectType")
			return
		}
		d := s.planDevice(*pd.ObjectType, *pd.DeviceID)
		if d == nil {
			writeAPIError(w, http.StatusBadRequest, "INVALID_ID", fmt.Sprintf("No %s with id %s", *pd.ObjectType, *pd.DeviceID), field+".deviceId")
			return
		}
		if seen[d] {
			writeAPIError(w, http.StatusBadRequest, "INVALID_FIELD", "devices must not name a device twice", "devices")
			return
		}
		seen[d] = true
		devs = append(devs, d)
	}
	now := s.clock.Now()
	sender := tokenFrom(r).identity
	out := make([]map[string]any, 0, len(devs))
	for _, d := range devs {
		p := s.updates.create(d, req, sender, now)
		s.log.plan(PlanRecord{At: now, PlanUUID: p.uuid, ObjectType: p.objectType, DeviceID: strconv.Itoa(d.id), ManagementID: d.mgmtID,
			UpdateAction: req.action, VersionType: req.versionType, SpecificVersion: req.specific, Sender: sender, Rejected: p.rejected})
		out = append(out, map[string]any{"device": planDeviceJSON(p), "planId": p.uuid, "href": "/v1/managed-software-updates/plans/" + p.uuid})
	}
	writeJSON(w, http.StatusCreated, map[string]any{"plans": out})
}

// planDevice finds a device by plan object type and inventory ID.
func (s *Server) planDevice(kind, id string) *device {
	n, err := strconv.Atoi(id)
	if err != nil || strconv.Itoa(n) != id {
		return nil
	}
	var d *device
	if kind == "COMPUTER" {
		d = s.fleet.computer(n)
	} else {
		d = s.fleet.mobile(n)
	}
	if d == nil || objectType(d) != kind {
		return nil
	}
	return d
}

func planDeviceJSON(p *swPlan) map[string]string {
	return map[string]string{"deviceId": strconv.Itoa(p.dev.id), "objectType": p.objectType, "href": deviceHref(p.dev)}
}

// planJSON is a ManagedSoftwareUpdatePlan at now.
func planJSON(p *swPlan, now time.Time) map[string]any {
	state, reasons := p.state(now)
	return map[string]any{"planUuid": p.uuid, "device": planDeviceJSON(p), "updateAction": p.action, "versionType": p.versionType,
		"specificVersion": p.specific, "buildVersion": p.build, "maxDeferrals": p.maxDeferrals, "forceInstallLocalDateTime": p.forceAt,
		"recipeId": "-1", "status": map[string]any{"state": state, "errorReasons": reasons}}
}

// planField reads a plan filter or sort field.
func planField(now time.Time) func(p *swPlan, field string) (string, bool) {
	return func(p *swPlan, field string) (string, bool) {
		switch field {
		case "planUuid":
			return p.uuid, true
		case "device.deviceId":
			return strconv.Itoa(p.dev.id), true
		case "device.objectType":
			return p.objectType, true
		case "updateAction":
			return p.action, true
		case "versionType":
			return p.versionType, true
		case "specificVersion":
			return p.specific, true
		case "maxDeferrals":
			return strconv.Itoa(p.maxDeferrals), true
		case "recipeId":
			return "-1", true
		case "forceInstallLocalDateTime":
			if p.forceAt == nil {
				return "", true
			}
			return *p.forceAt, true
		case "state":
			st, _ := p.state(now)
			return st, true
		}
		return "", false
	}
}

// handleListPlans is GET /api/v1/managed-software-updates/plans.
func (s *Server) handleListPlans(w http.ResponseWriter, r *http.Request) {
	probe := planField(time.Time{})
	lq, fault := parseListQuery(r, "planUuid:asc", func(f string) bool { _, ok := probe(&swPlan{dev: &device{}}, f); return ok })
	if fault != nil {
		fault.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	candidates := s.updates.plans
	if ids, ok := indexedValues(lq.filter, "planUuid"); ok {
		candidates = nil
		for _, id := range ids {
			if p := s.updates.byUUID[id]; p != nil {
				candidates = append(candidates, p)
			}
		}
	}
	page, total := selectRecords(candidates, lq, planField(now))
	results := make([]map[string]any, len(page))
	for i, p := range page {
		results[i] = planJSON(p, now)
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": total, "results": results})
}

func (s *Server) findPlan(w http.ResponseWriter, r *http.Request) *swPlan {
	p := s.updates.byUUID[r.PathValue("id")]
	if p == nil {
		writeAPIError(w, http.StatusNotFound, "NOT_FOUND", "Managed Software Update Plan with that id does not exist", "id")
	}
	return p
}

// handleGetPlan is GET /api/v1/managed-software-updates/plans/{id}.
func (s *Server) handleGetPlan(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.findPlan(w, r); p != nil {
		writeJSON(w, http.StatusOK, planJSON(p, s.clock.Now()))
	}
}

// handlePlanEvents is GET /api/v1/managed-software-updates/plans/{id}/events.
// The spec gives the store as one string; its content here is a JSON
// document {"events":[{"type":…,"eventReceivedEpoch":…}]}.
func (s *Server) handlePlanEvents(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findPlan(w, r)
	if p == nil {
		return
	}
	data, _ := json.Marshal(map[string]any{"events": planEvents(p, s.clock.Now())})
	writeJSON(w, http.StatusOK, map[string]any{"events": string(data)})
}

// planEvents lists what happened to a plan up to now.
func planEvents(p *swPlan, now time.Time) []map[string]any {
	ev := func(kind string, at time.Time, extra ...any) map[string]any {
		m := map[string]any{"type": kind, "eventReceivedEpoch": at.UnixMilli()}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	out := []map[string]any{ev(".PlanCreatedEvent", p.created)}
	if p.rejected != "" {
		return append(out, ev(".PlanRejectedEvent", p.created, "reason", p.rejected))
	}
	out = append(out, ev(".PlanAcceptedEvent", p.created, "targetVersion", p.target.version.String()))
	if p.started.IsZero() || now.Before(p.started) {
		return out
	}
	out = append(out, ev(".DDMStatusReceivedEvent", p.started, "status", "DOWNLOADING"))
	steps := []struct {
		at     time.Time
		status string
	}{{p.downloaded, "IDLE"}, {p.installAt, "INSTALLING"}, {p.installed, "INSTALLED"}}
	for _, st := range steps {
		if st.at.IsZero() || now.Before(st.at) || (p.fail != "" && !st.at.Before(p.failAt)) {
			break
		}
		out = append(out, ev(".DDMStatusReceivedEvent", st.at, "status", st.status))
	}
	if p.fail != "" && !now.Before(p.failAt) {
		out = append(out, ev(".DDMStatusReceivedEvent", p.failAt, "status", p.fail), ev(".PlanFailedEvent", p.failAt))
	} else if p.terminal(now) {
		at := p.installed
		if at.IsZero() {
			at = p.downloaded
		}
		out = append(out, ev(".PlanCompletedEvent", at))
	}
	return out
}

// FailSoftwareUpdate makes the device's next update plans fail with status
// (one of the spec's failure states, for example "DOWNLOAD_INSUFFICIENT_SPACE"),
// or never fail when status is "". objectType is COMPUTER, MOBILE_DEVICE or
// APPLE_TV and id the inventory ID.
func (s *Server) FailSoftwareUpdate(objectType, id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.planDevice(objectType, id)
	if d == nil {
		return fmt.Errorf("jamftest: no %s with id %s", objectType, id)
	}
	if status != "" && !jamf.UpdateStatusKind(status).Failed() {
		return fmt.Errorf("jamftest: %q is not a failure state", status)
	}
	s.updates.forced[d] = status
	return nil
}
