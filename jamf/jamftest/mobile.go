package jamftest

import (
	"net/http"
	"strconv"
	"time"
)

// mobileField reads a mobile-device filter or sort field (the flat
// InventoryListMobileDevice names, also used by /v2/mobile-devices/detail).
func (s *Server) mobileField(d *device, field string, now time.Time) (string, bool) {
	switch field {
	case "mobileDeviceId", "id":
		return strconv.Itoa(d.id), true
	case "udid":
		return d.udid, true
	case "managementId":
		return d.mgmtID, true
	case "displayName":
		return d.name, true
	case "serialNumber":
		return d.serial, true
	case "model":
		return d.model, true
	case "modelIdentifier":
		return d.modelID, true
	case "osVersion":
		return d.osVer, true
	case "osBuild":
		return d.osBuild, true
	case "username":
		return d.username, true
	case "fullName":
		return d.realname, true
	case "emailAddress":
		return d.email, true
	case "assetTag":
		return d.assetTag, true
	case "department":
		return d.department, true
	case "building":
		return d.building, true
	case "managed":
		return boolString(d.managed), true
	case "supervised":
		return boolString(d.supervised), true
	case "sharedIpad":
		return boolString(d.shared), true
	case "lastContactDate":
		return jamfTime(d.lastContact(now, s.fleet.epoch)), true
	case "lastInventoryUpdateDate":
		return jamfTime(d.lastCheckIn(now, s.fleet.epoch)), true
	}
	return "", false
}

// apiMobileListItem is InventoryListMobileDevice.
type apiMobileListItem struct {
	MobileDeviceID          string `json:"mobileDeviceId"`
	UDID                    string `json:"udid"`
	ManagementID            string `json:"managementId"`
	DisplayName             string `json:"displayName"`
	SerialNumber            string `json:"serialNumber"`
	Model                   string `json:"model"`
	ModelIdentifier         string `json:"modelIdentifier"`
	OSVersion               string `json:"osVersion"`
	OSBuild                 string `json:"osBuild"`
	Username                string `json:"username"`
	FullName                string `json:"fullName"`
	EmailAddress            string `json:"emailAddress"`
	Department              string `json:"department"`
	Building                string `json:"building"`
	Managed                 bool   `json:"managed"`
	Supervised              bool   `json:"supervised"`
	SharedIpad              bool   `json:"sharedIpad"`
	LastContactDate         string `json:"lastContactDate"`
	LastInventoryUpdateDate string `json:"lastInventoryUpdateDate"`
	LastEnrolledDate        string `json:"lastEnrolledDate"`
}

func (s *Server) mobileListItem(d *device, now time.Time) apiMobileListItem {
	return apiMobileListItem{MobileDeviceID: strconv.Itoa(d.id), UDID: d.udid, ManagementID: d.mgmtID, DisplayName: d.name,
		SerialNumber: d.serial, Model: d.model, ModelIdentifier: d.modelID, OSVersion: d.osVer, OSBuild: d.osBuild,
		Username: d.username, FullName: d.realname, EmailAddress: d.email, Department: d.department, Building: d.building,
		Managed: d.managed, Supervised: d.supervised, SharedIpad: d.shared, LastContactDate: jamfTime(d.lastContact(now, s.fleet.epoch)),
		LastInventoryUpdateDate: jamfTime(d.lastCheckIn(now, s.fleet.epoch)), LastEnrolledDate: jamfTime(d.enrolled)}
}

type apiMobileGeneral struct {
	UDID                    string `json:"udid"`
	AssetTag                string `json:"assetTag"`
	DisplayName             string `json:"displayName"`
	SiteID                  string `json:"siteId"`
	LastInventoryUpdateDate string `json:"lastInventoryUpdateDate"`
	LastContactDate         string `json:"lastContactDate"`
	OSVersion               string `json:"osVersion"`
	OSBuild                 string `json:"osBuild"`
	Managed                 bool   `json:"managed"`
	Supervised              bool   `json:"supervised"`
	SharedIpad              *bool  `json:"sharedIpad,omitempty"` // iOS general only
	ManagementID            string `json:"managementId"`
	LastEnrolledDate        string `json:"lastEnrolledDate"`
}

type apiMobileHardware struct {
	SerialNumber    string `json:"serialNumber"`
	Model           string `json:"model"`
	ModelIdentifier string `json:"modelIdentifier"`
}

type apiMobileUser struct {
	Username     string `json:"username"`
	RealName     string `json:"realName"`
	EmailAddress string `json:"emailAddress"`
	Department   string `json:"department"`
	Building     string `json:"building"`
}

// apiMobileDetail is MobileDeviceResponse with the common sections.
type apiMobileDetail struct {
	MobileDeviceID  string             `json:"mobileDeviceId"`
	DeviceType      string             `json:"deviceType"`
	General         *apiMobileGeneral  `json:"general,omitempty"`
	Hardware        *apiMobileHardware `json:"hardware,omitempty"`
	UserAndLocation *apiMobileUser     `json:"userAndLocation,omitempty"`
}

func mobileSections() []string {
	return []string{"GENERAL", "HARDWARE", "USER_AND_LOCATION", "PURCHASING", "SECURITY", "APPLICATIONS", "EBOOKS",
		"NETWORK", "SERVICE_SUBSCRIPTIONS", "CERTIFICATES", "PROFILES", "USER_PROFILES", "PROVISIONING_PROFILES",
		"SHARED_USERS", "GROUPS", "EXTENSION_ATTRIBUTES"}
}

// handleMobileDevicesDetail is GET /api/v2/mobile-devices/detail.
func (s *Server) handleMobileDevicesDetail(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	sections, fault := parseSections(r, mobileSections())
	if fault != nil {
		fault.write(w)
		return
	}
	get := func(d *device, f string) (string, bool) { return s.mobileField(d, f, now) }
	lq, fault := parseListQuery(r, "displayName:asc", func(f string) bool { _, ok := get(&device{}, f); return ok })
	if fault != nil {
		fault.write(w)
		return
	}
	s.mu.Lock()
	candidates := s.fleet.mobiles
	if lq.filter != nil {
		if ids, ok := indexedValues(lq.filter, "mobileDeviceId"); ok {
			candidates = nil
			for _, v := range ids {
				if n, err := strconv.Atoi(v); err == nil {
					if d := s.fleet.mobile(n); d != nil {
						candidates = append(candidates, d)
					}
				}
			}
		}
	}
	page, total := selectRecords(candidates, lq, get)
	results := make([]apiMobileDetail, len(page))
	for i, d := range page {
		rec := apiMobileDetail{MobileDeviceID: strconv.Itoa(d.id), DeviceType: d.devType}
		if sections["GENERAL"] {
			rec.General = &apiMobileGeneral{UDID: d.udid, AssetTag: d.assetTag, DisplayName: d.name, SiteID: "-1",
				LastInventoryUpdateDate: jamfTime(d.lastCheckIn(now, s.fleet.epoch)), LastContactDate: jamfTime(d.lastContact(now, s.fleet.epoch)),
				OSVersion: d.osVer, OSBuild: d.osBuild, Managed: d.managed, Supervised: d.supervised, SharedIpad: iosShared(d), ManagementID: d.mgmtID,
				LastEnrolledDate: jamfTime(d.enrolled)}
		}
		if sections["HARDWARE"] {
			rec.Hardware = &apiMobileHardware{SerialNumber: d.serial, Model: d.model, ModelIdentifier: d.modelID}
		}
		if sections["USER_AND_LOCATION"] {
			rec.UserAndLocation = &apiMobileUser{Username: d.username, RealName: d.realname, EmailAddress: d.email, Department: d.department, Building: d.building}
		}
		results[i] = rec
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": total, "results": results})
}

// iosShared is general.sharedIpad of an iOS device's detail (tvOS
// records have no such field).
func iosShared(d *device) *bool {
	if d.devType == "tvOS" {
		return nil
	}
	return &d.shared
}
