package ops

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/jamfops/jamfops/jamf"
)

// MatchRank orders search matches: exact first, then prefix, then contains.
type MatchRank int

// The ranks of a search match, best first.
const (
	RankExact MatchRank = iota
	RankPrefix
	RankContains
)

// String names the rank as the search output shows it.
func (r MatchRank) String() string {
	switch r {
	case RankExact:
		return "exact"
	case RankPrefix:
		return "prefix"
	}
	return "contains"
}

// SearchMatch is one device a search found, with what it matched on.
type SearchMatch struct {
	Device
	Email    string
	FullName string
	AssetTag string
	// Field names what the text matched: serial, name, user, email, full
	// name, udid, management ID, asset tag or id ("" when the server matched
	// on something jamfops cannot see).
	Field string
	Rank  MatchRank
}

// SearchOptions narrow a device search.
type SearchOptions struct {
	// Kind limits the search to computers or mobile devices ("" for both).
	Kind jamf.Platform
	// Limit caps the matches returned (default DefaultSearchLimit).
	Limit int
}

// DefaultSearchLimit is how many matches a search returns unless told.
const DefaultSearchLimit = 50

// SearchResult is what SearchDevices found.
type SearchResult struct {
	Matches []SearchMatch
	// More is true when the server holds more matches than were returned.
	More bool
	// AtLeast is a lower bound of how many devices match in all (the
	// server's counts of the exact and the broad requests overlap, so
	// their union is only bounded): at least len(Matches).
	AtLeast int
	// Requests is how many Jamf Pro API requests the search made.
	Requests int
}

// searchField is one inventory field a search looks at.
type searchField struct {
	label, computer, mobile string
	broad                   bool // also matched by prefix/contains
}

var searchFields = [...]searchField{
	{"serial", "hardware.serialNumber", "serialNumber", true},
	{"name", "general.name", "displayName", true},
	{"user", "userAndLocation.username", "username", true},
	{"email", "userAndLocation.email", "emailAddress", true},
	{"full name", "userAndLocation.realname", "fullName", true},
	{"asset tag", "general.assetTag", "assetTag", true},
	{"udid", "udid", "udid", false},
	{"management ID", "general.managementId", "managementId", false},
}

// SearchDevices finds computers and mobile devices whose serial number,
// name, user name, email, full name, UDID, management ID, asset tag or
// inventory ID matches text, using the servers' RSQL filters so that it never
// lists the whole inventory: at most two requests per kind (one for exact
// matches, one for prefix and contains matches), run concurrently, each one
// page of at most Limit records. Exact matches come first, then prefix, then
// contains; within a rank, by name (computers and mobile devices mixed).
// A "*" in text is Jamf's wildcard and is passed through.
func SearchDevices(ctx context.Context, c *jamf.Client, text string, opts SearchOptions) (*SearchResult, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, fmt.Errorf("nothing to search for")
	}
	if len(text) > 200 {
		return nil, fmt.Errorf("search text is longer than 200 characters")
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	type query struct {
		mobile bool
		filter jamf.Filter
	}
	var queries []query
	for _, mobile := range []bool{false, true} {
		if (mobile && opts.Kind == jamf.PlatformComputer) || (!mobile && opts.Kind == jamf.PlatformMobile) {
			continue
		}
		queries = append(queries, query{mobile, searchFilter(text, mobile, false)})
		if !strings.Contains(text, "*") {
			queries = append(queries, query{mobile, searchFilter(text, mobile, true)})
		}
	}
	results := make([][]SearchMatch, len(queries))
	more := make([]bool, len(queries))
	reqs := make([]int, len(queries))
	totals := make([]int, len(queries))
	g, gctx := errgroup.WithContext(ctx)
	for i, q := range queries {
		g.Go(func() error {
			lo := &jamf.ListOptions{PageSize: limit, Filter: q.filter}
			var resp *jamf.Response
			var err error
			if q.mobile {
				var list []jamf.MobileDevice
				list, resp, err = c.MobileDevices.FirstPage(gctx, lo)
				for _, m := range list {
					results[i] = append(results[i], SearchMatch{Device: FromMobileDevice(m), Email: m.EmailAddress, FullName: m.FullName, AssetTag: m.AssetTag})
				}
			} else {
				var list []jamf.Computer
				list, resp, err = c.Computers.FirstPage(gctx, nil, lo)
				for _, cm := range list {
					m := SearchMatch{Device: FromComputer(cm)}
					if u := cm.UserAndLocation; u != nil {
						m.Email, m.FullName = u.Email, u.Realname
					}
					if g := cm.General; g != nil {
						m.AssetTag = g.AssetTag
					}
					results[i] = append(results[i], m)
				}
			}
			if resp != nil {
				reqs[i] = resp.Requests
				more[i] = resp.TotalCount > len(results[i])
				totals[i] = max(resp.TotalCount, len(results[i]))
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	out := &SearchResult{}
	seen := map[string]bool{}
	perKind := map[bool]int{}
	for i, q := range queries {
		perKind[q.mobile] = max(perKind[q.mobile], totals[i])
	}
	for _, n := range perKind {
		out.AtLeast += n
	}
	for i := range queries {
		out.Requests += reqs[i]
		out.More = out.More || more[i]
		for _, m := range results[i] {
			key := string(m.Kind) + "/" + m.ID
			if seen[key] {
				continue
			}
			seen[key] = true
			m.Field, m.Rank = rankMatch(m, text)
			out.Matches = append(out.Matches, m)
		}
	}
	sort.SliceStable(out.Matches, func(i, j int) bool {
		a, b := out.Matches[i], out.Matches[j]
		if a.Rank != b.Rank {
			return a.Rank < b.Rank
		}
		// Within a rank, computers and mobile devices mix by name, so a
		// person's iPhone is not pushed past the cap by their Macs.
		if an, bn := strings.ToLower(a.Name), strings.ToLower(b.Name); an != bn {
			return an < bn
		}
		if a.Kind != b.Kind {
			return a.Kind == jamf.PlatformComputer
		}
		return a.ID < b.ID
	})
	out.AtLeast = max(out.AtLeast, len(out.Matches))
	if len(out.Matches) > limit {
		out.Matches, out.More = out.Matches[:limit], true
	}
	return out, nil
}

// searchFilter builds the RSQL filter of one search request: every field
// equal to text, or (broad) the broad fields containing it.
func searchFilter(text string, mobile, broad bool) jamf.Filter {
	var parts []jamf.Filter
	if !broad {
		if _, err := strconv.Atoi(text); err == nil {
			if mobile {
				parts = append(parts, jamf.Eq("mobileDeviceId", text))
			} else {
				parts = append(parts, jamf.Eq("id", text))
			}
		}
	}
	for _, f := range searchFields {
		if broad && !f.broad {
			continue
		}
		field := f.computer
		if mobile {
			field = f.mobile
		}
		value := text
		if broad {
			value = "*" + text + "*"
		}
		parts = append(parts, jamf.Eq(field, value))
	}
	return jamf.Or(parts...)
}

// rankMatch says which field explains a match and how well.
func rankMatch(m SearchMatch, text string) (string, MatchRank) {
	needle := strings.ToLower(text)
	values := [...]struct{ label, value string }{
		{"serial", m.Serial}, {"name", m.Name}, {"user", m.User}, {"email", m.Email},
		{"full name", m.FullName}, {"asset tag", m.AssetTag}, {"udid", m.UDID}, {"management ID", m.ManagementID}, {"id", m.ID},
	}
	best, bestRank := "", RankContains
	for _, v := range values {
		if v.value == "" {
			continue
		}
		hay := strings.ToLower(v.value)
		switch {
		case hay == needle:
			return v.label, RankExact
		case strings.HasPrefix(hay, needle) && bestRank > RankPrefix:
			best, bestRank = v.label, RankPrefix
		case best == "" && strings.Contains(hay, needle):
			best = v.label
		}
	}
	return best, bestRank
}
