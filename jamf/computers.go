package jamf

import (
	"context"
	"net/url"
)

// ComputersService reads computer inventory.
type ComputersService service

// Computer is one computer inventory record (ComputerInventoryV4) with the
// sections the console shows. Sections that were not requested are nil.
type Computer struct {
	ID              string                   `json:"id"`
	UDID            string                   `json:"udid"`
	General         *ComputerGeneral         `json:"general,omitempty"`
	Hardware        *ComputerHardware        `json:"hardware,omitempty"`
	OperatingSystem *ComputerOperatingSystem `json:"operatingSystem,omitempty"`
	UserAndLocation *ComputerUserAndLocation `json:"userAndLocation,omitempty"`
}

// ComputerGeneral is the GENERAL section.
type ComputerGeneral struct {
	Name             string `json:"name"`
	LastIPAddress    string `json:"lastIpAddress"`
	Platform         string `json:"platform"`
	Supervised       bool   `json:"supervised"`
	RemoteManagement struct {
		Managed bool `json:"managed"`
	} `json:"remoteManagement"`
	ReportDate       Time   `json:"reportDate"`
	LastCheckIn      Time   `json:"lastCheckIn"`
	LastContact      Time   `json:"lastContact"`
	LastEnrolledDate Time   `json:"lastEnrolledDate"`
	ManagementID     string `json:"managementId"`
	AssetTag         string `json:"assetTag"`
}

// ComputerHardware is the HARDWARE section.
type ComputerHardware struct {
	Make            string `json:"make"`
	Model           string `json:"model"`
	ModelIdentifier string `json:"modelIdentifier"`
	SerialNumber    string `json:"serialNumber"`
	AppleSilicon    bool   `json:"appleSilicon"`
}

// ComputerOperatingSystem is the OPERATING_SYSTEM section.
type ComputerOperatingSystem struct {
	Name             string `json:"name"`
	Version          string `json:"version"`
	Build            string `json:"build"`
	FileVault2Status string `json:"fileVault2Status"`
}

// ComputerUserAndLocation is the USER_AND_LOCATION section.
type ComputerUserAndLocation struct {
	Username     string `json:"username"`
	Realname     string `json:"realname"`
	Email        string `json:"email"`
	Position     string `json:"position"`
	DepartmentID string `json:"departmentId"`
	BuildingID   string `json:"buildingId"`
}

// Inventory sections the console reads.
const (
	SectionGeneral         = "GENERAL"
	SectionHardware        = "HARDWARE"
	SectionOperatingSystem = "OPERATING_SYSTEM"
	SectionUserAndLocation = "USER_AND_LOCATION"
)

// DefaultComputerSections are the sections behind the console's device rows.
func DefaultComputerSections() []string {
	return []string{SectionGeneral, SectionHardware, SectionOperatingSystem, SectionUserAndLocation}
}

// List returns computers matching opts with the given sections (default
// DefaultComputerSections), reading every page of GET /api/v4/computers-inventory.
//
// Jamf Pro API docs: https://developer.jamf.com/jamf-pro/reference/get_v4-computers-inventory
func (s *ComputersService) List(ctx context.Context, sections []string, opts *ListOptions) ([]Computer, *Response, error) {
	if len(sections) == 0 {
		sections = DefaultComputerSections()
	}
	q := url.Values{"section": sections}
	return listAll[Computer](ctx, s.client, "api/v4/computers-inventory", q, opts, PrivReadComputers)
}

// ListByIDs returns the computers with the given inventory IDs, in chunks of
// id=in=(...) filters fetched concurrently within the client's limit. IDs
// that no longer exist are simply absent from the result.
func (s *ComputersService) ListByIDs(ctx context.Context, ids []string, sections []string) ([]Computer, *Response, error) {
	return listByIDs(ctx, s.client, ids, func(ctx context.Context, part []string) ([]Computer, *Response, error) {
		return s.List(ctx, sections, &ListOptions{PageSize: idsPerFilter, Filter: In("id", part...)})
	})
}
