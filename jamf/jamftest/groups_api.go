package jamftest

import (
	"net/http"
	"strconv"
	"time"
)

// membershipCache keeps smart-group memberships for one simulated minute,
// as Jamf Pro recalculates them on check-in rather than on every read.
type membershipCache struct {
	minute  time.Time
	changes int
	members map[*group][]int
}

func (s *Server) members(g *group, now time.Time) []int {
	minute := now.Truncate(time.Minute)
	c := &s.memberMem
	if c.members == nil || !c.minute.Equal(minute) || c.changes != s.queue.changes {
		c.members, c.minute, c.changes = map[*group][]int{}, minute, s.queue.changes
	}
	if m, ok := c.members[g]; ok {
		return m
	}
	m := g.membership(s.fleet, now)
	c.members[g] = m
	return m
}

func (s *Server) findGroup(idText string, mobile bool) *group {
	id, err := strconv.Atoi(idText)
	if err != nil {
		return nil
	}
	for _, g := range s.groups {
		if g.id == id && g.mobile == mobile {
			return g
		}
	}
	return nil
}

// canRead reports whether the token may see the group.
func canRead(t *token, g *group) bool {
	switch {
	case g.mobile && g.smart:
		return t.privileges["Read Smart Mobile Device Groups"]
	case g.mobile:
		return t.privileges["Read Static Mobile Device Groups"]
	case g.smart:
		return t.privileges["Read Smart Computer Groups"]
	}
	return t.privileges["Read Static Computer Groups"]
}

type apiGroup struct {
	PlatformID      string `json:"groupPlatformId"`
	JamfProID       string `json:"groupJamfProId"`
	Name            string `json:"groupName"`
	Description     string `json:"groupDescription"`
	Type            string `json:"groupType"`
	Smart           bool   `json:"smart"`
	MembershipCount int    `json:"membershipCount"`
}

func groupField(g apiGroup, field string) (string, bool) {
	switch field {
	case "groupName":
		return g.Name, true
	case "groupDescription":
		return g.Description, true
	case "groupType":
		return g.Type, true
	case "isSmart", "smart":
		return boolString(g.Smart), true
	case "groupJamfProId":
		return g.JamfProID, true
	}
	return "", false
}

// handleGroups is GET /api/v2/groups: both families, with counts, filtered
// by the groups the caller may read.
func (s *Server) handleGroups(w http.ResponseWriter, r *http.Request) {
	lq, fault := parseListQuery(r, "groupName:asc", func(f string) bool { _, ok := groupField(apiGroup{}, f); return ok })
	if fault != nil {
		fault.write(w)
		return
	}
	t := tokenFrom(r)
	now := s.clock.Now()
	s.mu.Lock()
	var all []apiGroup
	for _, g := range s.groups {
		if !canRead(t, g) {
			continue
		}
		kind := "COMPUTER"
		if g.mobile {
			kind = "MOBILE"
		}
		all = append(all, apiGroup{PlatformID: g.platformID, JamfProID: strconv.Itoa(g.id), Name: g.name, Description: g.description,
			Type: kind, Smart: g.smart, MembershipCount: len(s.members(g, now))})
	}
	s.mu.Unlock()
	page, total := selectRecords(all, lq, groupField)
	if page == nil {
		page = []apiGroup{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": total, "results": page})
}

func apiCriteria(g *group) []map[string]any {
	out := make([]map[string]any, len(g.criteria))
	for i, c := range g.criteria {
		out[i] = map[string]any{"name": c.Name, "priority": i, "andOr": c.AndOr, "searchType": c.SearchType, "value": c.Value,
			"openingParen": false, "closingParen": false}
	}
	return out
}

// handleSmartGroupDetail serves a smart group's criteria, in the computer
// (v3) or mobile (v2) shape.
func (s *Server) handleSmartGroupDetail(mobile bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		g := s.findGroup(r.PathValue("id"), mobile)
		var count int
		if g != nil && g.smart {
			count = len(s.members(g, s.clock.Now()))
		}
		s.mu.Unlock()
		if g == nil || !g.smart {
			writeAPIError(w, http.StatusNotFound, "SMART_GROUP_NOT_FOUND", "Smart group not found", "id")
			return
		}
		if mobile {
			writeJSON(w, http.StatusOK, map[string]any{"groupId": strconv.Itoa(g.id), "groupName": g.name, "groupDescription": g.description,
				"siteId": "-1", "count": count, "criteria": apiCriteria(g)})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": g.name, "description": g.description, "criteria": apiCriteria(g), "siteId": "-1"})
	}
}

// handleComputerSmartMembership is GET /api/v3/computer-groups/smart-group-membership/{id}.
func (s *Server) handleComputerSmartMembership(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	g := s.findGroup(r.PathValue("id"), false)
	var ids []int
	if g != nil && g.smart {
		ids = s.members(g, s.clock.Now())
	}
	s.mu.Unlock()
	if g == nil || !g.smart {
		writeAPIError(w, http.StatusNotFound, "SMART_GROUP_NOT_FOUND", "Smart group not found", "id")
		return
	}
	if ids == nil {
		ids = []int{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": ids})
}

// handleMobileMembership serves the paged smart or static mobile membership.
func (s *Server) handleMobileMembership(smart bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := s.clock.Now()
		get := func(d *device, f string) (string, bool) { return s.mobileField(d, f, now) }
		lq, fault := parseListQuery(r, "displayName:asc", func(f string) bool { _, ok := get(&device{}, f); return ok })
		if fault != nil {
			fault.write(w)
			return
		}
		s.mu.Lock()
		g := s.findGroup(r.PathValue("id"), true)
		if g == nil || g.smart != smart {
			s.mu.Unlock()
			writeAPIError(w, http.StatusNotFound, "GROUP_NOT_FOUND", "Mobile device group not found", "id")
			return
		}
		var devs []*device
		for _, id := range s.members(g, now) {
			devs = append(devs, s.fleet.mobile(id))
		}
		page, total := selectRecords(devs, lq, get)
		results := make([]apiMobileListItem, len(page))
		for i, d := range page {
			results[i] = s.mobileListItem(d, now)
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"totalCount": total, "results": results})
	}
}
