package jamftest

import (
	"sync"
	"time"
)

// PlanRecord is one managed software update plan the server created for one
// device (including plans it rejected at once, such as a second plan for a
// device whose first is still running).
type PlanRecord struct {
	// At is the simulation time the plan was created.
	At           time.Time
	PlanUUID     string
	ObjectType   string // COMPUTER, MOBILE_DEVICE or APPLE_TV
	DeviceID     string // inventory ID
	ManagementID string
	UpdateAction string
	VersionType  string
	// SpecificVersion is "NO_SPECIFIC_VERSION" for the LATEST_* types.
	SpecificVersion string
	// Sender is the API client ID or username that created it.
	Sender string
	// Rejected is the errorReason of a plan refused at acceptance ("" if accepted).
	Rejected string
}

// planLog is the admin log's record of plans.
type planLog struct {
	mu        sync.Mutex
	records   []PlanRecord
	perDevice map[string]int
}

func (l *AdminLog) plan(rec PlanRecord) {
	l.plans.mu.Lock()
	defer l.plans.mu.Unlock()
	l.plans.records = append(l.plans.records, rec)
	if l.plans.perDevice == nil {
		l.plans.perDevice = map[string]int{}
	}
	l.plans.perDevice[rec.ObjectType+"/"+rec.DeviceID]++
}

// Plans returns every plan record, in creation order.
func (l *AdminLog) Plans() []PlanRecord {
	l.plans.mu.Lock()
	defer l.plans.mu.Unlock()
	return append([]PlanRecord(nil), l.plans.records...)
}

// PlanCount returns how many plans were created for the device
// (objectType COMPUTER, MOBILE_DEVICE or APPLE_TV; inventory ID).
func (l *AdminLog) PlanCount(objectType, deviceID string) int {
	l.plans.mu.Lock()
	defer l.plans.mu.Unlock()
	return l.plans.perDevice[objectType+"/"+deviceID]
}
