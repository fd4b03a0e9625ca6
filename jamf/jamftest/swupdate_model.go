package jamftest

import (
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jamf"
)

// osOffer is an OS version the simulated server offers, with its build.
type osOffer struct {
	version jamf.OSVersion
	build   string
}

func offers(list ...string) []osOffer {
	out := make([]osOffer, 0, len(list)/2)
	for i := 0; i+1 < len(list); i += 2 {
		v, err := jamf.ParseOSVersion(list[i])
		if err != nil {
			panic(err)
		}
		out = append(out, osOffer{v, list[i+1]})
	}
	return out
}

// macOSOffers are the macOS versions the server offers, newest first. They
// extend the fleet's versions (names.go): a new major (27), the next minor of
// 26 and security updates of 15 and 14; 13 gets nothing newer.
func macOSOffers() []osOffer {
	return offers("27.1", "26B60", "27.0.1", "26A350", "26.2", "25C56", "26.1", "25B78",
		"15.7.3", "24G419", "15.7.2", "24G325", "14.8.3", "23J220", "14.8.2", "23J126", "13.7.8", "22H730")
}

// iOSOffers are the iOS and iPadOS versions, newest first.
func iOSOffers() []osOffer {
	return offers("27.1", "25B60", "26.2", "23C55", "26.1", "23B85", "18.7.3", "22H200", "18.7.2", "22H124",
		"17.7.10", "21H450", "16.7.12", "20H364")
}

// tvOSOffers are the tvOS versions. AvailableOsUpdates has no tvOS list, so
// they are only used to resolve Apple TV plans.
func tvOSOffers() []osOffer {
	return offers("27.1", "24J60", "26.2", "23K54", "26.1", "23J582", "18.6", "22M84")
}

// offersFor returns the versions of the device's platform.
func offersFor(d *device) []osOffer {
	switch {
	case !d.mobile:
		return macOSOffers()
	case d.client == "TV":
		return tvOSOffers()
	}
	return iOSOffers()
}

// canRun reports whether the device's model runs a major version. Apple
// said macOS 26 is the last release for Intel Macs; the fleet has no other
// model with a known limit.
func canRun(d *device, major int) bool {
	return d.mobile || d.silicon || major <= 26
}

// objectType is the plan object type of a device.
func objectType(d *device) string {
	switch {
	case !d.mobile:
		return "COMPUTER"
	case d.client == "TV":
		return "APPLE_TV"
	}
	return "MOBILE_DEVICE"
}

// deviceHref is a device's address in the Jamf Pro API.
func deviceHref(d *device) string {
	if d.mobile {
		return "/v2/mobile-devices/" + strconv.Itoa(d.id)
	}
	return "/v1/computers-inventory/" + strconv.Itoa(d.id)
}

// swPlan is one managed software update plan for one device. Its course is
// fixed when it is created; what it reports at a time follows from the
// times below, so reading it never changes it.
type swPlan struct {
	uuid         string
	dev          *device
	objectType   string
	action       string
	versionType  string
	specific     string
	build        *string
	maxDeferrals int
	forceAt      *string
	sender       string
	created      time.Time

	// rejected is the errorReason of a plan refused at acceptance.
	rejected string
	target   osOffer
	// started is when the device began (zero: it never does, it is offline).
	started    time.Time
	downloaded time.Time // download complete
	installAt  time.Time // install starts (zero: download only)
	installed  time.Time // install complete
	deferrals  int       // deferrals the user takes
	// fail is the failure status the device reports at failAt ("" for none).
	fail   string
	failAt time.Time
	// applied is set once the device's OS version changed.
	applied bool
	status  int // osUpdatesStatusId
}

// phase is the device-side status of a plan at now ("" before it starts).
func (p *swPlan) phase(now time.Time) string {
	switch {
	case p.rejected != "" || p.started.IsZero() || now.Before(p.started):
		return ""
	case p.fail != "" && !now.Before(p.failAt):
		return p.fail
	case now.Before(p.downloaded):
		return "DOWNLOADING"
	case p.installAt.IsZero(), now.Before(p.installAt):
		return "IDLE"
	case now.Before(p.installed):
		return "INSTALLING"
	}
	return "INSTALLED"
}

// state is the plan's PlanStatus at now.
func (p *swPlan) state(now time.Time) (string, []string) {
	if p.rejected != "" {
		return "PlanFailed", []string{p.rejected}
	}
	switch ph := p.phase(now); ph {
	case "":
		return "WaitingToStartDDMUpdate", []string{}
	case "INSTALLED":
		return "PlanCompleted", []string{}
	case "IDLE":
		if p.installAt.IsZero() {
			return "PlanCompleted", []string{}
		}
		return "CollectingDDMStatus", []string{}
	case "DOWNLOADING", "INSTALLING":
		return "CollectingDDMStatus", []string{}
	default:
		reason := "DECLARATIVE_DEVICE_MANAGEMENT_STATUS_RESPONSE_FAILURE_REASON_RECEIVED"
		if ph == "DOWNLOAD_INSUFFICIENT_SPACE" || ph == "INSTALL_INSUFFICIENT_SPACE" {
			reason = "NO_DISK_SPACE"
		}
		return "PlanFailed", []string{reason}
	}
}

// terminal reports whether the plan has ended at now.
func (p *swPlan) terminal(now time.Time) bool {
	s, _ := p.state(now)
	return s == "PlanCompleted" || s == "PlanFailed"
}

// swUpdates is the server's managed software update state. The caller
// holds the server lock.
type swUpdates struct {
	seed    uint64
	newUUID func() string
	plans   []*swPlan
	byUUID  map[string]*swPlan
	latest  map[*device]*swPlan
	pending []*swPlan // installs whose OS change is not applied yet
	forced  map[*device]string
	statusN int
	// changes is bumped when a device's OS version changes, so that
	// smart-group and inventory caches recalculate.
	changes *int
}

func newSWUpdates(seed uint64, changes *int) *swUpdates {
	g := &generator{r: newRand(seed + 17)}
	return &swUpdates{seed: seed, newUUID: g.uuid, byUUID: map[string]*swPlan{}, latest: map[*device]*swPlan{},
		forced: map[*device]string{}, changes: changes}
}

// roll is a deterministic number in [0, n) for a device and a purpose.
func (u *swUpdates) roll(d *device, purpose string, n int) int {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(u.seed >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(purpose))
	h.Write([]byte(objectType(d) + strconv.Itoa(d.id)))
	return int(h.Sum64() % uint64(n))
}

// resolve picks the version a plan takes the device to, or the errorReason
// that rejects it.
func resolve(d *device, versionType, specific string) (osOffer, string) {
	current, err := jamf.ParseOSVersion(d.osVer)
	if err != nil {
		return osOffer{}, "ILLEGAL_ARGUMENT_EXCEPTION"
	}
	list := offersFor(d)
	pick := func(ok func(osOffer) bool) (osOffer, string) {
		for _, o := range list {
			if canRun(d, o.version.Major) && ok(o) {
				if o.version.Compare(current) <= 0 {
					return osOffer{}, "NO_UPDATES_AVAILABLE"
				}
				return o, ""
			}
		}
		return osOffer{}, "NO_UPDATES_AVAILABLE"
	}
	switch versionType {
	case "LATEST_ANY":
		return pick(func(osOffer) bool { return true })
	case "LATEST_MINOR":
		return pick(func(o osOffer) bool { return o.version.Major == current.Major })
	case "LATEST_MAJOR":
		return pick(func(o osOffer) bool { return o.version.Major > current.Major })
	}
	want, err := jamf.ParseOSVersion(specific)
	if err != nil {
		return osOffer{}, "SPECIFIC_VERSION_UNAVAILABLE"
	}
	i := slices.IndexFunc(list, func(o osOffer) bool { return o.version.Compare(want) == 0 })
	switch {
	case i < 0:
		return osOffer{}, "SPECIFIC_VERSION_UNAVAILABLE"
	case !canRun(d, want.Major):
		return osOffer{}, "SPECIFIC_VERSION_UNAVAILABLE_FOR_DEVICE_MODEL"
	case want.Compare(current) < 0:
		return osOffer{}, "DOWNGRADE_NOT_SUPPORTED"
	case want.Compare(current) == 0:
		return osOffer{}, "NO_UPDATES_AVAILABLE"
	}
	return list[i], ""
}

// laptopOrMobile reports whether the device runs on battery.
func laptopOrMobile(d *device) bool {
	return d.mobile && d.client != "TV" || d.short == "MBA" || d.short == "MBP"
}

// failureFor is the failure status a device will report for its next plan
// ("" for none): forced by the test, else about one device in twenty-two.
func (u *swUpdates) failureFor(d *device) string {
	if f, ok := u.forced[d]; ok {
		return f
	}
	switch n := u.roll(d, "fail", 1000); {
	case n < 20:
		return "DOWNLOAD_INSUFFICIENT_SPACE"
	case n < 30:
		return "DOWNLOAD_FAILED"
	case n < 40 && laptopOrMobile(d):
		return "INSTALL_INSUFFICIENT_POWER"
	case n < 45:
		return "INSTALL_FAILED"
	}
	return ""
}

// create makes one plan for one device at now.
func (u *swUpdates) create(d *device, req planRequest, sender string, now time.Time) *swPlan {
	p := &swPlan{uuid: strings.ToUpper(u.newUUID()), dev: d, objectType: objectType(d), action: req.action, versionType: req.versionType,
		specific: req.specific, build: req.build, maxDeferrals: req.maxDeferrals, forceAt: req.forceAt, sender: sender, created: now}
	if prev := u.latest[d]; prev != nil && !prev.terminal(now) {
		p.rejected = "EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS"
	} else {
		p.target, p.rejected = resolve(d, req.versionType, req.specific)
	}
	u.plans = append(u.plans, p)
	u.byUUID[p.uuid] = p
	if p.rejected != "" {
		if u.latest[d] == nil {
			u.latest[d] = p
		}
		return p
	}
	u.latest[d] = p
	u.statusN++
	p.status = u.statusN
	if !d.online() {
		return p // the declaration waits for a device that never comes
	}
	minutes := func(purpose string, lo, hi int) time.Duration {
		return time.Duration(lo+u.roll(d, purpose+p.uuid, hi-lo+1)) * time.Minute
	}
	p.started = now.Add(d.pushDelay + minutes("start", 0, 14))
	dl, inst := minutes("download", 10, 40), minutes("install", 15, 35)
	if d.mobile {
		dl, inst = minutes("download", 5, 25), minutes("install", 10, 20)
	}
	p.downloaded = p.started.Add(dl)
	switch req.action {
	case "DOWNLOAD_ONLY":
	case "DOWNLOAD_INSTALL_SCHEDULE":
		p.installAt = p.downloaded
		if req.forceTime.After(p.installAt) {
			p.installAt = req.forceTime
		}
	case "DOWNLOAD_INSTALL_ALLOW_DEFERRAL":
		if d.busy {
			p.deferrals = req.maxDeferrals
		}
		p.installAt = p.downloaded.Add(time.Duration(p.deferrals) * 24 * time.Hour)
	default:
		p.installAt = p.downloaded
	}
	if !p.installAt.IsZero() {
		p.installed = p.installAt.Add(inst)
	}
	p.fail = u.failureFor(d)
	download := strings.HasPrefix(p.fail, "DOWNLOAD")
	if !download && p.installAt.IsZero() {
		p.fail = "" // a download-only plan never reaches the install
	}
	switch {
	case p.fail == "":
	case download:
		p.failAt = p.started.Add(dl * 2 / 5)
	default:
		p.failAt = p.installAt.Add(2 * time.Minute)
	}
	if !p.installAt.IsZero() && p.fail == "" {
		u.pending = append(u.pending, p)
	}
	return p
}

// advance applies the installs finished by now: the device reports its new
// OS version from then on.
func (u *swUpdates) advance(now time.Time) {
	kept := u.pending[:0]
	for _, p := range u.pending {
		if now.Before(p.installed) {
			kept = append(kept, p)
			continue
		}
		p.applied = true
		p.dev.osVer, p.dev.osBuild = p.target.version.String(), p.target.build
		*u.changes++
	}
	clear(u.pending[len(kept):])
	u.pending = kept
}
