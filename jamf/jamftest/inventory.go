package jamftest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// jamfTime formats a time the way the Jamf Pro API does.
func jamfTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// listQuery is a parsed page/page-size/sort/filter request.
type listQuery struct {
	page, size int
	sort       []sortKey
	filter     rsqlNode
	rawFilter  string
}

type sortKey struct {
	field string
	desc  bool
}

// parseListQuery reads the paging parameters. Page sizes above 2000 are
// clamped silently, as Jamf Pro does.
func parseListQuery(r *http.Request, defaultSort string, fields func(string) bool) (*listQuery, *apiFault) {
	q := r.URL.Query()
	lq := &listQuery{size: 100}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, &apiFault{http.StatusBadRequest, "INVALID_PARAMETER", "page must be a whole number of 0 or more", "page"}
		}
		lq.page = n
	}
	sizeParam := q.Get("page-size")
	for _, alias := range []string{"pagesize", "size"} {
		if sizeParam == "" {
			sizeParam = q.Get(alias)
		}
	}
	if sizeParam != "" {
		n, err := strconv.Atoi(sizeParam)
		if err != nil || n < 1 {
			return nil, &apiFault{http.StatusBadRequest, "INVALID_PARAMETER", "page-size must be a whole number of 1 or more", "page-size"}
		}
		lq.size = min(n, 2000)
	}
	sortParam := q.Get("sort")
	if sortParam == "" {
		sortParam = defaultSort
	}
	for _, term := range strings.Split(sortParam, ",") {
		field, dir, _ := strings.Cut(strings.TrimSpace(term), ":")
		if field == "" {
			continue
		}
		if !fields(field) {
			return nil, &apiFault{http.StatusBadRequest, "INVALID_FIELD", "cannot sort by " + field, "sort"}
		}
		lq.sort = append(lq.sort, sortKey{field: field, desc: strings.EqualFold(dir, "desc")})
	}
	if f := q.Get("filter"); f != "" {
		node, err := parseRSQL(f, fields)
		if err != nil {
			code := "INVALID_FILTER"
			if re, ok := err.(*rsqlError); ok && re.field != "" {
				code = "INVALID_FIELD"
			}
			return nil, &apiFault{http.StatusBadRequest, code, err.Error(), "filter"}
		}
		lq.filter, lq.rawFilter = node, f
	}
	return lq, nil
}

// apiFault is an error answer for the Jamf Pro API.
type apiFault struct {
	status                   int
	code, description, field string
}

func (f *apiFault) write(w http.ResponseWriter) {
	writeAPIError(w, f.status, f.code, f.description, f.field)
}

// selectRecords filters, sorts and pages records through a field accessor.
func selectRecords[T any](all []T, lq *listQuery, get func(T, string) (string, bool)) ([]T, int) {
	matched := filterRecords(all, lq, get)
	sortRecords(matched, lq.sort, get)
	return pageOf(matched, lq)
}

func filterRecords[T any](all []T, lq *listQuery, get func(T, string) (string, bool)) []T {
	if lq.filter == nil {
		return slices.Clone(all)
	}
	var matched []T
	for _, rec := range all {
		if lq.filter.eval(func(f string) (string, bool) { return get(rec, f) }) {
			matched = append(matched, rec)
		}
	}
	return matched
}

// typedKey is one record's value for one sort field, typed once so that
// comparisons do not parse.
type typedKey struct {
	num  float64
	text string
}

// sortRecords sorts records in place by the sort keys. Each field's values
// are read once; a field whose values are all numbers (or all RFC 3339
// times) sorts numerically (chronologically), any other as text.
func sortRecords[T any](recs []T, keys []sortKey, get func(T, string) (string, bool)) {
	if len(keys) == 0 || len(recs) < 2 {
		return
	}
	cols := make([][]typedKey, len(keys))
	numeric := make([]bool, len(keys))
	for k, sk := range keys {
		col := make([]typedKey, len(recs))
		allNum, allTime := true, true
		for i, r := range recs {
			v, _ := get(r, sk.field)
			col[i].text = strings.ToLower(v)
			if allNum {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					col[i].num = f
				} else {
					allNum = false
				}
			}
			if !allNum && allTime {
				if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
					col[i].num = float64(t.UnixNano())
				} else {
					allTime = false
				}
			}
		}
		cols[k], numeric[k] = col, allNum || allTime
		if !allNum && allTime {
			// The number pass stopped early; fill times for all.
			for i, r := range recs {
				v, _ := get(r, sk.field)
				t, _ := time.Parse(time.RFC3339Nano, v)
				col[i].num = float64(t.UnixNano())
			}
		}
	}
	idx := make([]int, len(recs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		for k, sk := range keys {
			var c int
			if numeric[k] {
				c = cmp.Compare(cols[k][a].num, cols[k][b].num)
			} else {
				c = strings.Compare(cols[k][a].text, cols[k][b].text)
			}
			if sk.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	sorted := make([]T, len(recs))
	for i, j := range idx {
		sorted[i] = recs[j]
	}
	copy(recs, sorted)
}

// pageOf returns the requested page of records and the total.
func pageOf[T any](matched []T, lq *listQuery) ([]T, int) {
	total := len(matched)
	start := lq.page * lq.size
	if start >= total {
		return nil, total
	}
	return matched[start:min(total, start+lq.size)], total
}

func boolString(b bool) string { return strconv.FormatBool(b) }

// computerField reads a v4 inventory filter or sort field.
func (s *Server) computerField(d *device, field string, now time.Time) (string, bool) {
	switch field {
	case "id":
		return strconv.Itoa(d.id), true
	case "udid":
		return d.udid, true
	case "general.name":
		return d.name, true
	case "general.managementId":
		return d.mgmtID, true
	case "general.assetTag":
		return d.assetTag, true
	case "general.lastCheckIn":
		return jamfTime(d.lastCheckIn(now, s.fleet.epoch)), true
	case "general.lastContact":
		return jamfTime(d.lastContact(now, s.fleet.epoch)), true
	case "general.reportDate":
		return jamfTime(d.lastCheckIn(now, s.fleet.epoch)), true
	case "general.platform":
		return "Mac", true
	case "general.remoteManagement.managed":
		return boolString(d.managed), true
	case "general.supervised":
		return boolString(d.supervised), true
	case "hardware.serialNumber":
		return d.serial, true
	case "hardware.model":
		return d.model, true
	case "hardware.modelIdentifier":
		return d.modelID, true
	case "operatingSystem.version":
		return d.osVer, true
	case "operatingSystem.build":
		return d.osBuild, true
	case "userAndLocation.username":
		return d.username, true
	case "userAndLocation.email":
		return d.email, true
	case "userAndLocation.realname":
		return d.realname, true
	}
	return "", false
}

type apiSite struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type apiComputerGeneral struct {
	Name             string `json:"name"`
	LastIPAddress    string `json:"lastIpAddress"`
	Platform         string `json:"platform"`
	JamfBinary       string `json:"jamfBinaryVersion"`
	Supervised       bool   `json:"supervised"`
	RemoteManagement struct {
		Managed bool `json:"managed"`
	} `json:"remoteManagement"`
	MDMCapable struct {
		Capable      bool     `json:"capable"`
		CapableUsers []string `json:"capableUsers"`
	} `json:"mdmCapable"`
	ReportDate       string  `json:"reportDate"`
	LastCheckIn      string  `json:"lastCheckIn"`
	LastContact      string  `json:"lastContact"`
	LastEnrolledDate string  `json:"lastEnrolledDate"`
	InitialEntryDate string  `json:"initialEntryDate"`
	Site             apiSite `json:"site"`
	EnrolledViaADE   bool    `json:"enrolledViaAutomatedDeviceEnrollment"`
	UserApprovedMDM  bool    `json:"userApprovedMdm"`
	DDMEnabled       bool    `json:"declarativeDeviceManagementEnabled"`
	ManagementID     string  `json:"managementId"`
	AssetTag         string  `json:"assetTag"`
}

type apiComputerHardware struct {
	Make            string `json:"make"`
	Model           string `json:"model"`
	ModelIdentifier string `json:"modelIdentifier"`
	SerialNumber    string `json:"serialNumber"`
	AppleSilicon    bool   `json:"appleSilicon"`
	ProcessorArch   string `json:"processorArchitecture"`
}

type apiComputerOS struct {
	Name             string `json:"name"`
	Version          string `json:"version"`
	Build            string `json:"build"`
	FileVault2Status string `json:"fileVault2Status"`
}

type apiComputerUser struct {
	Username string `json:"username"`
	Realname string `json:"realname"`
	Email    string `json:"email"`
	Position string `json:"position"`
}

type apiComputer struct {
	ID              string               `json:"id"`
	UDID            string               `json:"udid"`
	General         *apiComputerGeneral  `json:"general,omitempty"`
	Hardware        *apiComputerHardware `json:"hardware,omitempty"`
	OperatingSystem *apiComputerOS       `json:"operatingSystem,omitempty"`
	UserAndLocation *apiComputerUser     `json:"userAndLocation,omitempty"`
}

func (s *Server) computerRecord(d *device, sections map[string]bool, now time.Time) apiComputer {
	rec := apiComputer{ID: strconv.Itoa(d.id), UDID: d.udid}
	if sections["GENERAL"] {
		g := &apiComputerGeneral{Name: d.name, LastIPAddress: "10.20." + strconv.Itoa(d.id/250%250) + "." + strconv.Itoa(d.id%250+2),
			Platform: "Mac", JamfBinary: "11.30.1-t1784555528405", Supervised: d.supervised,
			ReportDate: jamfTime(d.lastCheckIn(now, s.fleet.epoch)), LastCheckIn: jamfTime(d.lastCheckIn(now, s.fleet.epoch)),
			LastContact: jamfTime(d.lastContact(now, s.fleet.epoch)), LastEnrolledDate: jamfTime(d.enrolled),
			InitialEntryDate: d.enrolled.Format("2006-01-02"), Site: apiSite{ID: "-1", Name: "None"},
			EnrolledViaADE: d.supervised, UserApprovedMDM: true, DDMEnabled: true, ManagementID: d.mgmtID, AssetTag: d.assetTag}
		g.RemoteManagement.Managed = d.managed
		g.MDMCapable.Capable = true
		g.MDMCapable.CapableUsers = []string{}
		if d.username != "" {
			g.MDMCapable.CapableUsers = []string{d.username}
		}
		rec.General = g
	}
	if sections["HARDWARE"] {
		arch := "arm64"
		if !d.silicon {
			arch = "x86_64"
		}
		rec.Hardware = &apiComputerHardware{Make: "Apple", Model: d.model, ModelIdentifier: d.modelID, SerialNumber: d.serial, AppleSilicon: d.silicon, ProcessorArch: arch}
	}
	if sections["OPERATING_SYSTEM"] {
		rec.OperatingSystem = &apiComputerOS{Name: "macOS", Version: d.osVer, Build: d.osBuild, FileVault2Status: d.fileVault}
	}
	if sections["USER_AND_LOCATION"] {
		rec.UserAndLocation = &apiComputerUser{Username: d.username, Realname: d.realname, Email: d.email, Position: d.position}
	}
	return rec
}

func computerSections() []string {
	return []string{"GENERAL", "DISK_ENCRYPTION", "PURCHASING", "APPLICATIONS", "STORAGE", "USER_AND_LOCATION",
		"CONFIGURATION_PROFILES", "PRINTERS", "SERVICES", "HARDWARE", "LOCAL_USER_ACCOUNTS", "CERTIFICATES", "ATTACHMENTS",
		"PACKAGE_RECEIPTS", "SECURITY", "OPERATING_SYSTEM", "LICENSED_SOFTWARE", "IBEACONS", "SOFTWARE_UPDATES",
		"EXTENSION_ATTRIBUTES", "CONTENT_CACHING", "GROUP_MEMBERSHIPS"}
}

// parseSections reads the repeatable section parameter (default GENERAL).
func parseSections(r *http.Request, valid []string) (map[string]bool, *apiFault) {
	out := map[string]bool{}
	for _, v := range r.URL.Query()["section"] {
		for _, sec := range strings.Split(v, ",") {
			sec = strings.ToUpper(strings.TrimSpace(sec))
			if !slices.Contains(valid, sec) {
				return nil, &apiFault{http.StatusBadRequest, "INVALID_SECTION", "unknown section " + sec, "section"}
			}
			out[sec] = true
		}
	}
	if len(out) == 0 {
		out["GENERAL"] = true
	}
	return out, nil
}

// handleComputersInventory is GET /api/v4/computers-inventory.
func (s *Server) handleComputersInventory(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	sections, fault := parseSections(r, computerSections())
	if fault != nil {
		fault.write(w)
		return
	}
	get := func(d *device, f string) (string, bool) { return s.computerField(d, f, now) }
	lq, fault := parseListQuery(r, "general.name:asc", func(f string) bool { _, ok := get(&device{}, f); return ok })
	if fault != nil {
		fault.write(w)
		return
	}
	s.mu.Lock()
	candidates := s.fleet.computers
	if lq.filter != nil {
		if ids, ok := indexedValues(lq.filter, "id"); ok {
			candidates = nil
			for _, v := range ids {
				if n, err := strconv.Atoi(v); err == nil {
					if d := s.fleet.computer(n); d != nil {
						candidates = append(candidates, d)
					}
				}
			}
		}
	}
	page, total := pageOf(s.sortedComputers(candidates, lq, get, now), lq)
	results := make([]apiComputer, len(page))
	for i, d := range page {
		results[i] = s.computerRecord(d, sections, now)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": total, "results": results})
}

// sortedComputers filters and sorts computers, reusing the last result
// while the query and the simulation time are the same (a client walking
// the pages of one listing).
func (s *Server) sortedComputers(candidates []*device, lq *listQuery, get func(*device, string) (string, bool), now time.Time) []*device {
	key := lq.rawFilter + "|" + fmt.Sprint(lq.sort) + "|" + now.String() + "|" + strconv.Itoa(s.queue.changes) + "|" + strconv.Itoa(len(candidates))
	if c := s.inventoryCache; c.key == key {
		return c.devices
	}
	matched := filterRecords(candidates, lq, get)
	sortRecords(matched, lq.sort, get)
	s.inventoryCache = sortedCache{key: key, devices: matched}
	return matched
}

// sortedCache holds the last sorted inventory listing.
type sortedCache struct {
	key     string
	devices []*device
}
