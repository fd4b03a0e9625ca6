package jamf

import (
	"context"
	"net/url"
)

// MobileDevicesService reads mobile-device inventory.
type MobileDevicesService service

// MobileDevice is a mobile device's inventory summary, in the flat shape of
// the group-membership endpoints (InventoryListMobileDevice).
type MobileDevice struct {
	MobileDeviceID  string `json:"mobileDeviceId"`
	UDID            string `json:"udid"`
	ManagementID    string `json:"managementId"`
	DisplayName     string `json:"displayName"`
	SerialNumber    string `json:"serialNumber"`
	Model           string `json:"model"`
	ModelIdentifier string `json:"modelIdentifier"`
	OSVersion       string `json:"osVersion"`
	OSBuild         string `json:"osBuild"`
	Username        string `json:"username"`
	FullName        string `json:"fullName"`
	EmailAddress    string `json:"emailAddress"`
	AssetTag        string `json:"assetTag"`
	Department      string `json:"department"`
	Building        string `json:"building"`
	Managed         bool   `json:"managed"`
	// Supervised is nil when the record does not say (an older server, a
	// section left out): not the same as false.
	Supervised *bool `json:"supervised"`
	// SharedIpad is true for an iPad in Shared iPad mode (several users).
	SharedIpad      bool `json:"sharedIpad"`
	LastContactDate Time `json:"lastContactDate"`
	LastInventory   Time `json:"lastInventoryUpdateDate"`
}

// mobileDeviceDetail is one record of GET /api/v2/mobile-devices/detail
// (MobileDeviceResponse) with the sections the console reads.
type mobileDeviceDetail struct {
	MobileDeviceID string `json:"mobileDeviceId"`
	DeviceType     string `json:"deviceType"`
	General        *struct {
		UDID                    string `json:"udid"`
		AssetTag                string `json:"assetTag"`
		DisplayName             string `json:"displayName"`
		OSVersion               string `json:"osVersion"`
		OSBuild                 string `json:"osBuild"`
		Managed                 bool   `json:"managed"`
		Supervised              *bool  `json:"supervised"`
		SharedIpad              bool   `json:"sharedIpad"`
		ManagementID            string `json:"managementId"`
		LastContactDate         Time   `json:"lastContactDate"`
		LastInventoryUpdateDate Time   `json:"lastInventoryUpdateDate"`
	} `json:"general"`
	Hardware *struct {
		SerialNumber    string `json:"serialNumber"`
		Model           string `json:"model"`
		ModelIdentifier string `json:"modelIdentifier"`
	} `json:"hardware"`
	UserAndLocation *struct {
		Username     string `json:"username"`
		RealName     string `json:"realName"`
		EmailAddress string `json:"emailAddress"`
		Department   string `json:"department"`
		Building     string `json:"building"`
	} `json:"userAndLocation"`
}

func (d mobileDeviceDetail) flat() MobileDevice {
	m := MobileDevice{MobileDeviceID: d.MobileDeviceID}
	if g := d.General; g != nil {
		m.UDID, m.DisplayName, m.OSVersion, m.OSBuild = g.UDID, g.DisplayName, g.OSVersion, g.OSBuild
		m.Managed, m.Supervised, m.ManagementID, m.SharedIpad = g.Managed, g.Supervised, g.ManagementID, g.SharedIpad
		m.LastContactDate, m.LastInventory = g.LastContactDate, g.LastInventoryUpdateDate
		m.AssetTag = g.AssetTag
	}
	if h := d.Hardware; h != nil {
		m.SerialNumber, m.Model, m.ModelIdentifier = h.SerialNumber, h.Model, h.ModelIdentifier
	}
	if u := d.UserAndLocation; u != nil {
		m.Username, m.FullName, m.Department, m.Building = u.Username, u.RealName, u.Department, u.Building
		m.EmailAddress = u.EmailAddress
	}
	return m
}

// List returns mobile devices matching opts (filter fields such as
// serialNumber, udid, managementId, mobileDeviceId, displayName), reading
// every page of GET /api/v2/mobile-devices/detail with the GENERAL, HARDWARE
// and USER_AND_LOCATION sections.
//
// Jamf Pro API docs: https://developer.jamf.com/jamf-pro/reference/get_v2-mobile-devices-detail
func (s *MobileDevicesService) List(ctx context.Context, opts *ListOptions) ([]MobileDevice, *Response, error) {
	q := url.Values{"section": {SectionGeneral, SectionHardware, SectionUserAndLocation}}
	details, resp, err := listAll[mobileDeviceDetail](ctx, s.client, "api/v2/mobile-devices/detail", q, opts, PrivReadMobileDevices)
	if err != nil {
		return nil, resp, err
	}
	return flatten(details), resp, nil
}

// flatten turns detail records into the flat shape.
func flatten(details []mobileDeviceDetail) []MobileDevice {
	out := make([]MobileDevice, len(details))
	for i, d := range details {
		out[i] = d.flat()
	}
	return out
}

// ListByIDs returns the mobile devices with the given inventory IDs.
func (s *MobileDevicesService) ListByIDs(ctx context.Context, ids []string) ([]MobileDevice, *Response, error) {
	return listByIDs(ctx, s.client, ids, func(ctx context.Context, part []string) ([]MobileDevice, *Response, error) {
		return s.List(ctx, &ListOptions{PageSize: idsPerFilter, Filter: In("mobileDeviceId", part...)})
	})
}
