package jamftest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// statusJSON is a device's ManagedSoftwareUpdateStatus at now, from its
// latest plan; ok is false when the device has reported nothing.
func statusJSON(p *swPlan, now time.Time) (map[string]any, bool) {
	ph := p.phase(now)
	if ph == "" {
		return nil, false
	}
	prefix := "macOSUpdate"
	if p.dev.mobile {
		prefix = "iOSUpdate"
	}
	pct := 1.0
	downloaded := !now.Before(p.downloaded)
	if !downloaded {
		end := now
		if ph != "DOWNLOADING" {
			end = p.failAt
		}
		pct = float64(end.Sub(p.started)) / float64(p.downloaded.Sub(p.started))
		pct = float64(int(pct*100)) / 100
	}
	updated := latestBefore(now, p.started, p.downloaded, p.installAt, p.installed, p.failAt)
	m := map[string]any{"osUpdatesStatusId": strconv.Itoa(p.status), "device": planDeviceJSON(p), "downloadPercentComplete": pct,
		"downloaded": downloaded, "productKey": prefix + p.target.build, "status": ph,
		"created": jamfTime(p.started), "updated": jamfTime(updated)}
	if p.action == "DOWNLOAD_INSTALL_ALLOW_DEFERRAL" {
		used := 0
		var past []string
		for i := range p.deferrals {
			at := p.downloaded.Add(time.Duration(i) * 24 * time.Hour)
			if now.Before(at) {
				break
			}
			used++
			past = append(past, jamfTime(at))
		}
		m["maxDeferrals"], m["deferralsRemaining"] = p.maxDeferrals, p.maxDeferrals-used
		m["pastNotifications"] = append([]string{}, past...)
		if !p.installAt.IsZero() {
			m["nextScheduledInstall"] = jamfTime(p.installAt)
		}
	}
	if p.action == "DOWNLOAD_INSTALL_SCHEDULE" {
		m["nextScheduledInstall"] = jamfTime(p.installAt)
	}
	return m, true
}

// latestBefore is the latest of the non-zero times not after now.
func latestBefore(now time.Time, times ...time.Time) time.Time {
	var best time.Time
	for _, t := range times {
		if !t.IsZero() && !t.After(now) && t.After(best) {
			best = t
		}
	}
	return best
}

// statusField reads an update-status filter field.
func statusField(m map[string]any, field string) (string, bool) {
	switch field {
	case "device.deviceId":
		return m["device"].(map[string]string)["deviceId"], true
	case "device.objectType":
		return m["device"].(map[string]string)["objectType"], true
	case "osUpdatesStatusId", "downloaded", "downloadPercentComplete", "productKey", "status", "deferralsRemaining",
		"maxDeferrals", "nextScheduledInstall", "created", "updated":
		v, ok := m[field]
		if !ok {
			return "", true
		}
		return fmt.Sprint(v), true
	}
	return "", false
}

// statusesOf returns the statuses of the devices (all when nil) at now.
func (s *Server) statusesOf(devs []*device, now time.Time) []map[string]any {
	var plans []*swPlan
	if devs == nil {
		for _, p := range s.updates.plans {
			if s.updates.latest[p.dev] == p {
				plans = append(plans, p)
			}
		}
	} else {
		for _, d := range devs {
			if p := s.updates.latest[d]; p != nil {
				plans = append(plans, p)
			}
		}
	}
	out := []map[string]any{}
	for _, p := range plans {
		if m, ok := statusJSON(p, now); ok {
			out = append(out, m)
		}
	}
	return out
}

// handleUpdateStatuses is GET /api/v1/managed-software-updates/update-statuses
// (filter, no paging).
func (s *Server) handleUpdateStatuses(w http.ResponseWriter, r *http.Request) {
	var filter rsqlNode
	if f := r.URL.Query().Get("filter"); f != "" {
		node, err := parseRSQL(f, func(field string) bool {
			_, ok := statusField(map[string]any{"device": map[string]string{}}, field)
			return ok
		})
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "INVALID_FILTER", err.Error(), "filter")
			return
		}
		filter = node
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var devs []*device
	if ids, ok := indexedValues(filter, "device.deviceId"); ok {
		devs = []*device{}
		for _, id := range ids {
			n, err := strconv.Atoi(id)
			if err != nil {
				continue
			}
			for _, d := range []*device{s.fleet.computer(n), s.fleet.mobile(n)} {
				if d != nil {
					devs = append(devs, d)
				}
			}
		}
	}
	all := s.statusesOf(devs, s.clock.Now())
	out := []map[string]any{}
	for _, m := range all {
		if filter == nil || filter.eval(func(f string) (string, bool) { return statusField(m, f) }) {
			out = append(out, m)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": len(out), "results": out})
}

// handleDeviceStatuses is GET …/update-statuses/computers/{id} and
// …/mobile-devices/{id}.
func (s *Server) handleDeviceStatuses(mobile bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		n, _ := strconv.Atoi(r.PathValue("id"))
		var d *device
		if mobile {
			d = s.fleet.mobile(n)
		} else {
			d = s.fleet.computer(n)
		}
		devs := []*device{}
		if d != nil {
			devs = append(devs, d)
		}
		out := s.statusesOf(devs, s.clock.Now())
		writeJSON(w, http.StatusOK, map[string]any{"totalCount": len(out), "results": out})
	}
}

// handleGroupStatuses is GET …/update-statuses/computer-groups/{id} and
// …/mobile-device-groups/{id}: the statuses of the group's members.
func (s *Server) handleGroupStatuses(mobile bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		g := s.findGroup(r.PathValue("id"), mobile)
		if g == nil {
			writeAPIError(w, http.StatusNotFound, "NOT_FOUND", "Group with that id does not exist", "id")
			return
		}
		now := s.clock.Now()
		devs := []*device{}
		for _, id := range s.members(g, now) {
			if mobile {
				devs = append(devs, s.fleet.mobile(id))
			} else {
				devs = append(devs, s.fleet.computer(id))
			}
		}
		out := s.statusesOf(devs, now)
		writeJSON(w, http.StatusOK, map[string]any{"totalCount": len(out), "results": out})
	}
}
