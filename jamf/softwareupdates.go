package jamf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Privileges of the managed software update endpoints (Jamf Pro API spec,
// x-required-privileges).
const (
	PrivReadManagedSoftwareUpdates   = "Read Managed Software Updates"
	PrivCreateManagedSoftwareUpdates = "Create Managed Software Updates"
	PrivSendComputerOSUpdate         = "Send Computer Remote Command to Download and Install OS X Update"
	PrivSendMobileOSUpdate           = "Send Mobile Device Remote Command to Download and Install iOS Update"
)

// CreatePlanPrivileges are what POST /api/v1/managed-software-updates/plans
// needs, all of them, whatever the devices' platform.
func CreatePlanPrivileges() []string {
	return []string{PrivCreateManagedSoftwareUpdates, PrivReadComputers, PrivReadMobileDevices,
		PrivSendComputerOSUpdate, PrivSendMobileOSUpdate}
}

// ReadPlanPrivileges are what listing plans, a plan and its events need.
func ReadPlanPrivileges() []string {
	return []string{PrivReadManagedSoftwareUpdates, PrivReadComputers, PrivReadMobileDevices}
}

// UpdateObjectType is the kind of device a plan or status is for.
type UpdateObjectType string

// Object types of managed software update plans and statuses.
const (
	ObjectComputer     UpdateObjectType = "COMPUTER"
	ObjectMobileDevice UpdateObjectType = "MOBILE_DEVICE"
	ObjectAppleTV      UpdateObjectType = "APPLE_TV"
)

// UpdateAction is what a plan asks the device to do.
type UpdateAction string

// Update actions (PlanConfigurationPost.updateAction).
const (
	ActionDownloadOnly                 UpdateAction = "DOWNLOAD_ONLY"
	ActionDownloadInstall              UpdateAction = "DOWNLOAD_INSTALL"
	ActionDownloadInstallAllowDeferral UpdateAction = "DOWNLOAD_INSTALL_ALLOW_DEFERRAL"
	ActionDownloadInstallRestart       UpdateAction = "DOWNLOAD_INSTALL_RESTART"
	ActionDownloadInstallSchedule      UpdateAction = "DOWNLOAD_INSTALL_SCHEDULE"
)

// VersionType says which version a plan targets.
type VersionType string

// Version types (PlanConfigurationPost.versionType).
const (
	VersionLatestMajor VersionType = "LATEST_MAJOR"
	VersionLatestMinor VersionType = "LATEST_MINOR"
	VersionLatestAny   VersionType = "LATEST_ANY"
	VersionSpecific    VersionType = "SPECIFIC_VERSION"
	VersionCustom      VersionType = "CUSTOM_VERSION"
)

// LocalDateTimeLayout is the shape of forceInstallLocalDateTime: the device's
// local wall time, without a zone ("2026-12-01T18:00:00").
const LocalDateTimeLayout = "2006-01-02T15:04:05"

// PlanDevice names one device of a plan (PlanDevicePost / PlanDevice).
// DeviceID is the computer or mobile device inventory ID.
type PlanDevice struct {
	DeviceID   string           `json:"deviceId"`
	ObjectType UpdateObjectType `json:"objectType"`
	// Href is set in answers only.
	Href string `json:"href,omitempty"`
}

// PlanConfig is a plan's configuration (PlanConfigurationPost).
type PlanConfig struct {
	UpdateAction UpdateAction `json:"updateAction"`
	VersionType  VersionType  `json:"versionType"`
	// SpecificVersion is set for VersionSpecific and VersionCustom only.
	SpecificVersion string `json:"specificVersion,omitempty"`
	// BuildVersion is set for VersionCustom only.
	BuildVersion string `json:"buildVersion,omitempty"`
	// MaxDeferrals is required with ActionDownloadInstallAllowDeferral.
	MaxDeferrals *int `json:"maxDeferrals,omitempty"`
	// ForceInstallLocalDateTime is in LocalDateTimeLayout.
	ForceInstallLocalDateTime string `json:"forceInstallLocalDateTime,omitempty"`
}

// CreatedPlan is one plan of a creation answer (PlanDeviceResponse).
type CreatedPlan struct {
	Device PlanDevice `json:"device"`
	PlanID string     `json:"planId"`
	Href   string     `json:"href"`
}

// PlanStatus is where a plan is (PlanStatus): State is one of Jamf's plan
// states (for example "PlanCompleted", "PlanFailed"), ErrorReasons say why a
// plan failed (for example "NO_UPDATES_AVAILABLE").
type PlanStatus struct {
	State        string   `json:"state"`
	ErrorReasons []string `json:"errorReasons"`
}

// Terminal reports whether the plan will not change any more.
func (s PlanStatus) Terminal() bool {
	switch s.State {
	case "PlanCompleted", "PlanFailed", "PlanCanceled", "PlanException":
		return true
	}
	return false
}

// Plan is one managed software update plan (ManagedSoftwareUpdatePlan).
type Plan struct {
	PlanUUID                  string       `json:"planUuid"`
	Device                    PlanDevice   `json:"device"`
	UpdateAction              UpdateAction `json:"updateAction"`
	VersionType               VersionType  `json:"versionType"`
	SpecificVersion           string       `json:"specificVersion"`
	BuildVersion              *string      `json:"buildVersion"`
	MaxDeferrals              int          `json:"maxDeferrals"`
	ForceInstallLocalDateTime *string      `json:"forceInstallLocalDateTime"`
	RecipeID                  string       `json:"recipeId"`
	Status                    PlanStatus   `json:"status"`
}

func (p Plan) pageKey() string { return p.PlanUUID }

// AvailableOSUpdates are the versions the server offers (AvailableOsUpdates),
// newest first as Jamf lists them.
type AvailableOSUpdates struct {
	MacOS []string `json:"macOS"`
	IOS   []string `json:"iOS"`
}

// UpdateStatusKind is a device's software update status.
type UpdateStatusKind string

// Update statuses (ManagedSoftwareUpdateStatus.status).
const (
	UpdateDownloading                 UpdateStatusKind = "DOWNLOADING"
	UpdateIdle                        UpdateStatusKind = "IDLE"
	UpdateInstalling                  UpdateStatusKind = "INSTALLING"
	UpdateInstalled                   UpdateStatusKind = "INSTALLED"
	UpdateError                       UpdateStatusKind = "ERROR"
	UpdateDownloadFailed              UpdateStatusKind = "DOWNLOAD_FAILED"
	UpdateDownloadRequiresComputer    UpdateStatusKind = "DOWNLOAD_REQUIRES_COMPUTER"
	UpdateDownloadInsufficientSpace   UpdateStatusKind = "DOWNLOAD_INSUFFICIENT_SPACE"
	UpdateDownloadInsufficientPower   UpdateStatusKind = "DOWNLOAD_INSUFFICIENT_POWER"
	UpdateDownloadInsufficientNetwork UpdateStatusKind = "DOWNLOAD_INSUFFICIENT_NETWORK"
	UpdateInstallInsufficientSpace    UpdateStatusKind = "INSTALL_INSUFFICIENT_SPACE"
	UpdateInstallInsufficientPower    UpdateStatusKind = "INSTALL_INSUFFICIENT_POWER"
	UpdateInstallPhoneCallInProgress  UpdateStatusKind = "INSTALL_PHONE_CALL_IN_PROGRESS"
	UpdateInstallFailed               UpdateStatusKind = "INSTALL_FAILED"
	UpdateUnknown                     UpdateStatusKind = "UNKNOWN"
)

// Failed reports whether the status is one of the failure states.
func (k UpdateStatusKind) Failed() bool {
	switch k {
	case UpdateError, UpdateDownloadFailed, UpdateDownloadRequiresComputer, UpdateDownloadInsufficientSpace,
		UpdateDownloadInsufficientPower, UpdateDownloadInsufficientNetwork, UpdateInstallInsufficientSpace,
		UpdateInstallInsufficientPower, UpdateInstallPhoneCallInProgress, UpdateInstallFailed:
		return true
	}
	return false
}

// UpdateFailureReason is the words for a failure state or plan error reason.
func UpdateFailureReason(code string) string {
	switch UpdateStatusKind(code) {
	case UpdateDownloadInsufficientSpace, UpdateInstallInsufficientSpace:
		return "insufficient space"
	case UpdateDownloadInsufficientPower, UpdateInstallInsufficientPower:
		return "insufficient power"
	case UpdateDownloadInsufficientNetwork:
		return "insufficient network"
	case UpdateDownloadFailed:
		return "download failed"
	case UpdateDownloadRequiresComputer:
		return "download requires a computer"
	case UpdateInstallPhoneCallInProgress:
		return "phone call in progress"
	case UpdateInstallFailed:
		return "install failed"
	case UpdateError:
		return "error"
	}
	switch code {
	case "NO_DISK_SPACE":
		return "insufficient space"
	case "":
		return "plan failed"
	}
	return "plan failed: " + strings.ToLower(strings.ReplaceAll(code, "_", " "))
}

// UpdateStatus is one device's software update status (ManagedSoftwareUpdateStatus).
type UpdateStatus struct {
	OSUpdatesStatusID string `json:"osUpdatesStatusId"`
	Device            struct {
		DeviceID   string           `json:"deviceId"`
		ObjectType UpdateObjectType `json:"objectType"`
		Href       string           `json:"href"`
	} `json:"device"`
	DownloadPercentComplete float64          `json:"downloadPercentComplete"`
	Downloaded              bool             `json:"downloaded"`
	ProductKey              string           `json:"productKey"`
	Status                  UpdateStatusKind `json:"status"`
	DeferralsRemaining      *int             `json:"deferralsRemaining"`
	MaxDeferrals            *int             `json:"maxDeferrals"`
	NextScheduledInstall    Time             `json:"nextScheduledInstall"`
	PastNotifications       []Time           `json:"pastNotifications"`
	Created                 Time             `json:"created"`
	Updated                 Time             `json:"updated"`
}

// PlanEvent is one entry of a plan's event store.
type PlanEvent struct {
	// Type is the event's name, for example ".PlanCreatedEvent".
	Type string `json:"type"`
	// At is when the server recorded it (eventReceivedEpoch).
	At Time `json:"eventReceivedEpoch"`
	// Detail is the rest of the entry (for example a reported status).
	Detail map[string]any `json:"-"`
}

// PlanEventStore is a plan's event store. Jamf returns it as one string
// (ManagedSoftwareUpdatePlanEventStore.events) whose content the spec does
// not describe; Events holds what could be read as {"events":[{"type":…}]}
// and Raw the string as served.
type PlanEventStore struct {
	Raw    string
	Events []PlanEvent
}

// SoftwareUpdatesService manages DDM software update plans and reads update
// statuses (/api/v1/managed-software-updates).
type SoftwareUpdatesService service

// SoftwareUpdates returns the managed software update service.
func (c *Client) SoftwareUpdates() *SoftwareUpdatesService {
	return (*SoftwareUpdatesService)(&c.common)
}

// AvailableUpdates returns the macOS and iOS versions the server offers
// (GET /api/v1/managed-software-updates/available-updates; no privilege listed).
func (s *SoftwareUpdatesService) AvailableUpdates(ctx context.Context) (*AvailableOSUpdates, *Response, error) {
	var body struct {
		AvailableUpdates AvailableOSUpdates `json:"availableUpdates"`
	}
	resp, err := s.client.do(ctx, &request{method: http.MethodGet, path: "api/v1/managed-software-updates/available-updates"}, &body)
	if err != nil {
		return nil, resp, err
	}
	return &body.AvailableUpdates, resp, nil
}

// CreatePlan creates one plan per device in a single request
// (POST /api/v1/managed-software-updates/plans). The write is never re-sent
// automatically; an *OutcomeUnknownError means plans may exist: list them
// (PlansForDevices) before trying again.
//
// Jamf Pro API docs: https://developer.jamf.com/jamf-pro/reference/post_v1-managed-software-updates-plans
func (s *SoftwareUpdatesService) CreatePlan(ctx context.Context, devices []PlanDevice, cfg PlanConfig) ([]CreatedPlan, *Response, error) {
	if len(devices) == 0 {
		return nil, nil, errors.New("jamf: CreatePlan: no devices")
	}
	post := make([]PlanDevice, len(devices))
	for i, d := range devices {
		post[i] = PlanDevice{DeviceID: d.DeviceID, ObjectType: d.ObjectType}
	}
	r, err := jsonRequest(http.MethodPost, "api/v1/managed-software-updates/plans",
		map[string]any{"devices": post, "config": cfg}, CreatePlanPrivileges()...)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Plans []CreatedPlan `json:"plans"`
	}
	resp, err := s.client.do(ctx, r, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Plans, resp, nil
}

// CreatePlans creates plans for many devices, perRequest devices to a
// request (at most 100 when perRequest ≤ 0), one request after another. On
// an error it stops and returns the plans of the requests that succeeded;
// Response.Requests counts every request sent.
func (s *SoftwareUpdatesService) CreatePlans(ctx context.Context, devices []PlanDevice, cfg PlanConfig, perRequest int) ([]CreatedPlan, *Response, error) {
	if perRequest <= 0 {
		perRequest = 100
	}
	total := &Response{}
	var out []CreatedPlan
	for _, part := range chunk(devices, perRequest) {
		plans, resp, err := s.CreatePlan(ctx, part, cfg)
		if resp != nil {
			total.Response = resp.Response
			total.Requests += resp.Requests
		}
		if err != nil {
			return out, total, err
		}
		out = append(out, plans...)
	}
	total.TotalCount = len(out)
	return out, total, nil
}

// ListPlans returns every plan matching opts (all pages of
// GET /api/v1/managed-software-updates/plans). Filter fields: planUuid,
// device.deviceId, device.objectType, updateAction, versionType,
// specificVersion, maxDeferrals, recipeId, forceInstallLocalDateTime, state.
func (s *SoftwareUpdatesService) ListPlans(ctx context.Context, opts *ListOptions) ([]Plan, *Response, error) {
	return listAll[Plan](ctx, s.client, "api/v1/managed-software-updates/plans", nil, opts, ReadPlanPrivileges()...)
}

// PlansForDevices returns every plan of the given devices of one object type,
// batching the IDs into =in= filters.
func (s *SoftwareUpdatesService) PlansForDevices(ctx context.Context, objectType UpdateObjectType, deviceIDs []string) ([]Plan, *Response, error) {
	return listByIDs(ctx, s.client, deviceIDs, func(ctx context.Context, part []string) ([]Plan, *Response, error) {
		return s.ListPlans(ctx, &ListOptions{Filter: And(Eq("device.objectType", string(objectType)), In("device.deviceId", part...))})
	})
}

// GetPlan returns one plan (GET /api/v1/managed-software-updates/plans/{id}).
func (s *SoftwareUpdatesService) GetPlan(ctx context.Context, planID string) (*Plan, *Response, error) {
	var p Plan
	resp, err := s.client.do(ctx, &request{method: http.MethodGet,
		path: "api/v1/managed-software-updates/plans/" + url.PathEscape(planID), privileges: ReadPlanPrivileges()}, &p)
	if err != nil {
		return nil, resp, err
	}
	return &p, resp, nil
}

// PlanEvents returns a plan's event store
// (GET /api/v1/managed-software-updates/plans/{id}/events).
func (s *SoftwareUpdatesService) PlanEvents(ctx context.Context, planID string) (*PlanEventStore, *Response, error) {
	var body struct {
		Events string `json:"events"`
	}
	resp, err := s.client.do(ctx, &request{method: http.MethodGet,
		path: "api/v1/managed-software-updates/plans/" + url.PathEscape(planID) + "/events", privileges: ReadPlanPrivileges()}, &body)
	if err != nil {
		return nil, resp, err
	}
	return parseEventStore(body.Events), resp, nil
}

// parseEventStore reads the event string; content it cannot read stays in Raw.
func parseEventStore(raw string) *PlanEventStore {
	store := &PlanEventStore{Raw: raw}
	var doc struct {
		Events []map[string]any `json:"events"`
	}
	if json.Unmarshal([]byte(raw), &doc) != nil {
		return store
	}
	for _, m := range doc.Events {
		e := PlanEvent{Detail: map[string]any{}}
		for k, v := range m {
			switch k {
			case "type":
				e.Type, _ = v.(string)
			case "eventReceivedEpoch":
				if f, ok := v.(float64); ok {
					if t, ok := EpochMillis(int64(f)); ok {
						e.At = Time{t}
					}
				}
			default:
				e.Detail[k] = v
			}
		}
		store.Events = append(store.Events, e)
	}
	return store
}

// UpdateStatuses returns the update statuses matching filter (all of them
// when empty) from GET /api/v1/managed-software-updates/update-statuses,
// which is not paged. Filter fields: osUpdatesStatusId, device.deviceId,
// device.objectType, downloaded, downloadPercentComplete, productKey,
// status, deferralsRemaining, maxDeferrals, nextScheduledInstall, created,
// updated.
func (s *SoftwareUpdatesService) UpdateStatuses(ctx context.Context, filter Filter) ([]UpdateStatus, *Response, error) {
	var q url.Values
	if filter != "" {
		q = url.Values{"filter": {string(filter)}}
	}
	return s.statuses(ctx, "api/v1/managed-software-updates/update-statuses", q, PrivReadComputers, PrivReadMobileDevices)
}

// UpdateStatusesForDevices returns the update statuses of the given devices
// of one object type, batching the IDs into =in= filters.
func (s *SoftwareUpdatesService) UpdateStatusesForDevices(ctx context.Context, objectType UpdateObjectType, deviceIDs []string) ([]UpdateStatus, *Response, error) {
	return listByIDs(ctx, s.client, deviceIDs, func(ctx context.Context, part []string) ([]UpdateStatus, *Response, error) {
		return s.UpdateStatuses(ctx, And(Eq("device.objectType", string(objectType)), In("device.deviceId", part...)))
	})
}

// StatusScope selects the per-device or per-group status routes.
type StatusScope string

// Status scopes: one computer, one mobile device, or every member of a group.
const (
	ScopeComputer          StatusScope = "computers"
	ScopeMobileDevice      StatusScope = "mobile-devices"
	ScopeComputerGroup     StatusScope = "computer-groups"
	ScopeMobileDeviceGroup StatusScope = "mobile-device-groups"
)

// UpdateStatusesOf returns the update statuses of one device or of a group's
// members (GET /api/v1/managed-software-updates/update-statuses/{scope}/{id}).
func (s *SoftwareUpdatesService) UpdateStatusesOf(ctx context.Context, scope StatusScope, id string) ([]UpdateStatus, *Response, error) {
	var privs []string
	switch scope {
	case ScopeComputer:
		privs = []string{PrivReadComputers}
	case ScopeMobileDevice:
		privs = []string{PrivReadMobileDevices}
	case ScopeComputerGroup:
		privs = []string{PrivReadComputers, PrivReadSmartComputerGrps, PrivReadStaticComputerGrps}
	case ScopeMobileDeviceGroup:
		privs = []string{PrivReadMobileDevices, PrivReadSmartMobileGrps, PrivReadStaticMobileGrps}
	default:
		return nil, nil, fmt.Errorf("jamf: unknown update status scope %q", scope)
	}
	return s.statuses(ctx, "api/v1/managed-software-updates/update-statuses/"+string(scope)+"/"+url.PathEscape(id), nil, privs...)
}

func (s *SoftwareUpdatesService) statuses(ctx context.Context, path string, q url.Values, privs ...string) ([]UpdateStatus, *Response, error) {
	var body struct {
		TotalCount int            `json:"totalCount"`
		Results    []UpdateStatus `json:"results"`
	}
	resp, err := s.client.do(ctx, &request{method: http.MethodGet, path: path, query: q, privileges: privs}, &body)
	if err != nil {
		return nil, resp, err
	}
	if resp != nil {
		resp.TotalCount = body.TotalCount
	}
	return body.Results, resp, nil
}
