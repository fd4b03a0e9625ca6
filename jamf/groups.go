package jamf

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Platform says whether something belongs to the computer or the
// mobile-device side of Jamf Pro, which keep separate IDs.
type Platform string

// The two device families.
const (
	PlatformComputer Platform = "computer"
	PlatformMobile   Platform = "mobile"
)

// ParsePlatform reads "computer" or "mobile" (also "COMPUTER", "MOBILE").
func ParsePlatform(s string) (Platform, error) {
	switch s {
	case "computer", "COMPUTER", "computers":
		return PlatformComputer, nil
	case "mobile", "MOBILE", "mobile-device", "mobiledevice", "mobiledevices":
		return PlatformMobile, nil
	}
	return "", fmt.Errorf("unknown device kind %q (want computer or mobile)", s)
}

// Privilege names from the Jamf Pro API spec (x-required-privileges).
const (
	PrivReadComputers          = "Read Computers"
	PrivReadMobileDevices      = "Read Mobile Devices"
	PrivReadSmartComputerGrps  = "Read Smart Computer Groups"
	PrivReadStaticComputerGrps = "Read Static Computer Groups"
	PrivReadSmartMobileGrps    = "Read Smart Mobile Device Groups"
	PrivReadStaticMobileGrps   = "Read Static Mobile Device Groups"
	PrivViewMDMCommands        = "View MDM command information in Jamf Pro API"
	PrivSendMDMCommands        = "Send MDM command information in Jamf Pro API"
	PrivFlushMDMCommands       = "Flush MDM Commands"
)

// GroupsService lists groups and their members.
type GroupsService service

// Group is one computer or mobile-device group (GroupDtoV1).
type Group struct {
	PlatformID      string `json:"groupPlatformId"`
	ID              string `json:"groupJamfProId"`
	Name            string `json:"groupName"`
	Description     string `json:"groupDescription"`
	Type            string `json:"groupType"`
	Smart           bool   `json:"smart"`
	MembershipCount int    `json:"membershipCount"`
}

// Platform returns the group's device family.
func (g Group) Platform() Platform {
	if g.Type == "MOBILE" {
		return PlatformMobile
	}
	return PlatformComputer
}

// List returns every computer and mobile-device group the credential may
// read, with member counts, from GET /api/v2/groups (all pages).
//
// Jamf Pro API docs: https://developer.jamf.com/jamf-pro/reference/get_v2-groups
func (s *GroupsService) List(ctx context.Context, opts *ListOptions) ([]Group, *Response, error) {
	return listAll[Group](ctx, s.client, "api/v2/groups", nil, opts)
}

// Criterion is one smart-group criterion.
type Criterion struct {
	Name         string `json:"name"`
	Priority     int    `json:"priority"`
	AndOr        string `json:"andOr"`
	SearchType   string `json:"searchType"`
	Value        string `json:"value"`
	OpeningParen bool   `json:"openingParen"`
	ClosingParen bool   `json:"closingParen"`
}

// SmartGroup is a smart group's definition.
type SmartGroup struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	SiteID      *string     `json:"siteId"`
	Criteria    []Criterion `json:"criteria"`
}

// GetSmartComputerGroup returns a smart computer group's criteria
// (GET /api/v3/computer-groups/smart-groups/{id}).
func (s *GroupsService) GetSmartComputerGroup(ctx context.Context, id string) (*SmartGroup, *Response, error) {
	var g SmartGroup
	r := &request{method: http.MethodGet, path: "api/v3/computer-groups/smart-groups/" + url.PathEscape(id), privileges: []string{PrivReadSmartComputerGrps}}
	resp, err := s.client.do(ctx, r, &g)
	if err != nil {
		return nil, resp, err
	}
	return &g, resp, nil
}

// GetSmartMobileGroup returns a smart mobile-device group's criteria
// (GET /api/v2/mobile-device-groups/smart-groups/{id}).
func (s *GroupsService) GetSmartMobileGroup(ctx context.Context, id string) (*SmartGroup, *Response, error) {
	var g struct {
		GroupName        string      `json:"groupName"`
		GroupDescription string      `json:"groupDescription"`
		SiteID           *string     `json:"siteId"`
		Criteria         []Criterion `json:"criteria"`
	}
	r := &request{method: http.MethodGet, path: "api/v2/mobile-device-groups/smart-groups/" + url.PathEscape(id), privileges: []string{PrivReadSmartMobileGrps}}
	resp, err := s.client.do(ctx, r, &g)
	if err != nil {
		return nil, resp, err
	}
	return &SmartGroup{Name: g.GroupName, Description: g.GroupDescription, SiteID: g.SiteID, Criteria: g.Criteria}, resp, nil
}

// ComputerMemberIDs returns the inventory IDs of a computer group's members:
// GET /api/v3/computer-groups/smart-group-membership/{id} for smart groups and,
// because the Jamf Pro API shows no members of static computer groups, the
// Classic GET /JSSResource/computergroups/id/{id} for static ones.
func (s *GroupsService) ComputerMemberIDs(ctx context.Context, id string, smart bool) ([]string, *Response, error) {
	if !smart {
		g, resp, err := s.client.Classic.ComputerGroup(ctx, id)
		if err != nil {
			return nil, resp, err
		}
		ids := make([]string, 0, len(g.Computers))
		for _, c := range g.Computers {
			ids = append(ids, strconv.Itoa(c.ID))
		}
		return ids, resp, nil
	}
	var m struct {
		Members []int64 `json:"members"`
	}
	r := &request{method: http.MethodGet, path: "api/v3/computer-groups/smart-group-membership/" + url.PathEscape(id), privileges: []string{PrivReadSmartComputerGrps}}
	resp, err := s.client.do(ctx, r, &m)
	if err != nil {
		return nil, resp, err
	}
	ids := make([]string, len(m.Members))
	for i, v := range m.Members {
		ids[i] = strconv.FormatInt(v, 10)
	}
	return ids, resp, nil
}

// MobileMembers returns a mobile-device group's members with their inventory
// summary (GET /api/v2/mobile-device-groups/{smart|static}-group-membership/{id},
// all pages).
func (s *GroupsService) MobileMembers(ctx context.Context, id string, smart bool, opts *ListOptions) ([]MobileDevice, *Response, error) {
	path := "api/v2/mobile-device-groups/static-group-membership/"
	privs := []string{PrivReadStaticMobileGrps, PrivReadMobileDevices}
	if smart {
		path = "api/v2/mobile-device-groups/smart-group-membership/"
		privs = []string{PrivReadSmartMobileGrps, PrivReadMobileDevices}
	}
	return listAll[MobileDevice](ctx, s.client, path+url.PathEscape(id), nil, opts, privs...)
}
