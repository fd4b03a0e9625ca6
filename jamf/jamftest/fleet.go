package jamftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// checkInInterval is Jamf's default computer check-in frequency.
const checkInInterval = 15 * time.Minute

// device is one computer or mobile device of the simulated fleet.
type device struct {
	id         int
	mobile     bool
	name       string
	serial     string
	udid       string
	mgmtID     string
	model      string
	modelID    string
	short      string // model family: MBA, MBP, IPAD, IPHONE, ATV…
	devType    string // iOS or tvOS for mobile devices
	client     string // MDM client type: COMPUTER, MOBILE_DEVICE, TV
	osName     string
	osVer      string
	osBuild    string
	silicon    bool
	fileVault  string
	managed    bool
	supervised bool
	// shared marks a Shared iPad (the cart iPads: several students each).
	shared bool

	username, realname, email, position, department, building string
	// assetTag is the organisation's inventory label; some devices have none.
	assetTag string

	enrolled time.Time
	// offlineSince is when the device last talked to Jamf Pro for good; zero
	// means it is online and checks in every checkInInterval at phase.
	offlineSince time.Time
	phase        time.Duration
	// pushDelay is how long the device takes to answer a push.
	pushDelay time.Duration
	// pushLoss is the share of pushes Apple's service fails to deliver.
	pushLoss float64
	// busy devices often answer NotNow (locked, on battery, user active).
	busy bool
	// lastMDM is the last time the device fetched its command queue.
	lastMDM time.Time

	// scheduling state of the MDM simulation
	nextCheckIn time.Time
	nextRetry   time.Time
}

// online reports whether the device is reachable.
func (d *device) online() bool { return d.offlineSince.IsZero() }

// lastCheckIn is the device's last jamf check-in (computers) or inventory
// contact (mobile devices) at now.
func (d *device) lastCheckIn(now time.Time, epoch time.Time) time.Time {
	if !d.online() {
		return d.offlineSince
	}
	since := now.Sub(epoch) - d.phase
	if since < 0 {
		return epoch.Add(d.phase - checkInInterval)
	}
	return now.Add(-(since % checkInInterval))
}

// lastContact is the later of the last check-in and the last MDM contact.
func (d *device) lastContact(now, epoch time.Time) time.Time {
	t := d.lastCheckIn(now, epoch)
	if d.lastMDM.After(t) {
		return d.lastMDM
	}
	return t
}

// fleet is the generated set of devices with lookup indexes.
type fleet struct {
	computers []*device
	mobiles   []*device
	byMgmt    map[string]*device
	epoch     time.Time // when the simulation started
}

func (f *fleet) computer(id int) *device {
	if id < 1 || id > len(f.computers) {
		return nil
	}
	return f.computers[id-1]
}

func (f *fleet) mobile(id int) *device {
	if id < 1 || id > len(f.mobiles) {
		return nil
	}
	return f.mobiles[id-1]
}

// devices returns the computers or the mobile devices.
func (f *fleet) devices(mobile bool) []*device {
	if mobile {
		return f.mobiles
	}
	return f.computers
}

// generator makes deterministic identifiers from a seeded source.
type generator struct{ r *rand.Rand }

func (g *generator) pick(n int) int { return g.r.IntN(n) }

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *generator) weighted(list []osRelease) osRelease {
	total := 0
	for _, o := range list {
		total += o.weight
	}
	n := g.r.IntN(total)
	for _, o := range list {
		if n < o.weight {
			return o
		}
		n -= o.weight
	}
	return list[0]
}

const serialAlphabet = "0123456789CDFGHJKLMNPQRTVWXY"

func (g *generator) serial() string {
	var b strings.Builder
	for range 10 {
		b.WriteByte(serialAlphabet[g.r.IntN(len(serialAlphabet))])
	}
	return b.String()
}

func (g *generator) uuid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// mobileUDID is the 25-character form modern iPhones and iPads use.
func (g *generator) mobileUDID() string {
	return fmt.Sprintf("%08X-%016X", 0x00008100+g.r.IntN(0x40), g.r.Uint64()>>8)
}

// newFleet generates computers and mobile devices from seed, relative to now.
func newFleet(seed uint64, computers, mobiles int, now time.Time, offlineShare float64) *fleet {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	f := &fleet{byMgmt: make(map[string]*device, computers+mobiles), epoch: now}
	firsts, lasts, depts, blds := firstNames(), lastNames(), departments(), buildings()
	person := func(d *device) {
		first, last := firsts[g.pick(len(firsts))], lasts[g.pick(len(lasts))]
		d.realname = first + " " + last
		d.username = strings.ToLower(first + "." + last)
		d.email = d.username + "@example.com"
		d.department = depts[g.pick(len(depts))]
		d.building = blds[g.pick(len(blds))]
		d.position = "Staff"
		if g.chance(0.03) {
			d.position = "Vice President"
		}
	}
	behaviour := func(d *device) {
		d.phase = time.Duration(g.r.Int64N(int64(checkInInterval)))
		d.pushDelay = 3*time.Second + time.Duration(g.r.Int64N(int64(40*time.Second)))
		d.pushLoss = 0.02
		d.busy = g.chance(0.06)
		d.enrolled = now.Add(-time.Duration(30+g.pick(900)) * 24 * time.Hour)
		if g.chance(offlineShare) {
			// Offline for between 2 and 120 days, skewed towards recent.
			days := 2 + g.r.ExpFloat64()*18
			if days > 120 {
				days = 120
			}
			d.offlineSince = now.Add(-time.Duration(days * float64(24*time.Hour))).Truncate(time.Second)
			d.lastMDM = d.offlineSince
		} else {
			d.lastMDM = now.Add(-time.Duration(g.r.Int64N(int64(8 * time.Hour)))).Truncate(time.Second)
		}
	}
	models := macModels()
	for i := 1; i <= computers; i++ {
		m := models[g.pick(len(models))]
		os := g.weighted(macOSReleases())
		d := &device{id: i, model: m.name, modelID: m.id, short: m.short, silicon: m.silicon, client: "COMPUTER",
			osName: "macOS", osVer: os.version, osBuild: os.build, managed: true, supervised: g.chance(0.85)}
		d.serial, d.udid, d.mgmtID = g.serial(), strings.ToUpper(g.uuid()), g.uuid()
		person(d)
		behaviour(d)
		d.name = fmt.Sprintf("%s-%s-%04d", deptCode(d.department), m.short, i)
		if g.chance(0.25) {
			d.name = fmt.Sprintf("%s's %s", strings.SplitN(d.realname, " ", 2)[0], shortModelName(m.name))
		}
		d.fileVault = "ALL_ENCRYPTED"
		if g.chance(0.07) {
			d.fileVault = "NOT_ENCRYPTED"
		}
		f.computers = append(f.computers, d)
		f.byMgmt[d.mgmtID] = d
	}
	mmodels := mobileModels()
	for i := 1; i <= mobiles; i++ {
		m := mmodels[g.pick(len(mmodels))]
		rel := iOSReleases()
		osName := "iOS"
		if m.short == "IPAD" {
			osName = "iPadOS"
		}
		if m.deviceType == "tvOS" {
			rel, osName = tvOSReleases(), "tvOS"
		}
		os := g.weighted(rel)
		d := &device{id: i, mobile: true, model: m.name, modelID: m.id, short: m.short, devType: m.deviceType, client: m.clientType,
			osName: osName, osVer: os.version, osBuild: os.build, managed: true, supervised: g.chance(0.8), silicon: true}
		d.serial, d.udid, d.mgmtID = g.serial(), g.mobileUDID(), g.uuid()
		person(d)
		behaviour(d)
		switch m.short {
		case "IPAD":
			if g.chance(0.3) {
				d.name = fmt.Sprintf("Cart-%d iPad %02d", 1+i%12, 1+i%30)
				// Shared iPad mode needs supervision (and Automated
				// Device Enrollment): a cart iPad is always supervised.
				d.shared, d.supervised = true, true
				d.username, d.realname, d.email = "", "", ""
			} else {
				d.name = fmt.Sprintf("%s's iPad", strings.SplitN(d.realname, " ", 2)[0])
			}
		case "IPHONE":
			d.name = fmt.Sprintf("%s's iPhone", strings.SplitN(d.realname, " ", 2)[0])
		default:
			d.name = fmt.Sprintf("%s Conference Room %d", d.building, 1+i%9)
			d.username, d.realname, d.email = "", "", ""
		}
		f.mobiles = append(f.mobiles, d)
		f.byMgmt[d.mgmtID] = d
	}
	assignAssetTags(f)
	return f
}

// assignAssetTags labels six devices in seven with an asset tag derived from
// the inventory ID, so the seeded random sequence (and so the demo fleet) is
// the same as before tags existed.
func assignAssetTags(f *fleet) {
	for _, d := range f.computers {
		if d.id%7 != 0 {
			d.assetTag = fmt.Sprintf("MAC-%06d", 100000+d.id*37%900000)
		}
	}
	for _, d := range f.mobiles {
		if d.id%7 != 0 {
			d.assetTag = fmt.Sprintf("MOB-%06d", 100000+d.id*37%900000)
		}
	}
}

func deptCode(dept string) string {
	switch dept {
	case "Human Resources":
		return "HR"
	case "IT":
		return "IT"
	}
	return strings.ToUpper(dept[:3])
}

func shortModelName(model string) string {
	if i := strings.Index(model, " ("); i > 0 {
		return model[:i]
	}
	return model
}
