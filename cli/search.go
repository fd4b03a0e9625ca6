package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// maxSearchLimit caps --limit (one page per request).
const maxSearchLimit = 500

func newSearchCmd(ctx context.Context, env *Env) *cobra.Command {
	var conn connFlags
	var asJSON bool
	var kind string
	var limit int
	c := &cobra.Command{
		Use:   "search TEXT",
		Short: "Find computers and mobile devices by serial, name, user, email, UDID or asset tag",
		Long: `Search finds computers and mobile devices whose serial number, name, user
name, email, full name, UDID, management ID, asset tag or inventory ID
matches TEXT, using the server's filters (never listing the inventory):
exact matches first, then prefix and contains matches. A "*" in TEXT is
Jamf's wildcard. It exits 1 with "no device matches" when nothing does.`,
		Example: `  jamfops search C02XK1JHJG5J
  jamfops search jdoe@example.com --json
  jamfops search "Lab Mac" --kind computer --limit 10`,
		Args: rangeArgs(1, 1, "one search text (quote it when it has spaces)"),
		RunE: func(c *cobra.Command, args []string) error {
			return runSearch(ctx, env, &conn, args[0], kind, limit, asJSON)
		},
	}
	conn.register(c, env)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&kind, "kind", "", "only computers or only mobile devices")
	c.Flags().IntVar(&limit, "limit", ops.DefaultSearchLimit, fmt.Sprintf("at most this many matches (1 to %d)", maxSearchLimit))
	_ = c.RegisterFlagCompletionFunc("kind", fixedCompletions("computer", "mobile"))
	return c
}

// searchRow is one match in search's JSON (README, "search").
type searchRow struct {
	Kind         jamf.Platform `json:"kind"`
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Serial       string        `json:"serial"`
	User         string        `json:"user"`
	Email        string        `json:"email"`
	FullName     string        `json:"fullName"`
	Model        string        `json:"model"`
	OS           string        `json:"os"`
	UDID         string        `json:"udid"`
	ManagementID string        `json:"managementId"`
	AssetTag     string        `json:"assetTag"`
	LastCheckIn  *time.Time    `json:"lastCheckIn"`
	// MatchedOn names the field TEXT matched; Match says how (exact,
	// prefix, contains).
	MatchedOn string `json:"matchedOn"`
	Match     string `json:"match"`
}

// searchJSON is search's JSON document.
type searchJSON struct {
	Query   string      `json:"query"`
	Matches []searchRow `json:"matches"`
	// More is true when more devices match than were listed; AtLeast is
	// a lower bound of how many match in all.
	More    bool `json:"more"`
	AtLeast int  `json:"atLeast"`
}

func searchRowOf(m ops.SearchMatch) searchRow {
	return searchRow{Kind: m.Kind, ID: m.ID, Name: m.Name, Serial: m.Serial, User: m.User, Email: m.Email, FullName: m.FullName,
		Model: m.Model, OS: m.OS, UDID: m.UDID, ManagementID: m.ManagementID, AssetTag: m.AssetTag, LastCheckIn: m.LastCheckIn,
		MatchedOn: m.Field, Match: m.Rank.String()}
}

// matchText says what matched and how: "serial (exact)".
func matchText(m ops.SearchMatch) string {
	if m.Field == "" {
		return m.Rank.String()
	}
	return m.Field + " (" + m.Rank.String() + ")"
}

// moreText says how many more devices match than were listed: "12 more",
// or "at least 12 more" when the server's counts only bound it.
func moreText(res *ops.SearchResult) string {
	n := res.AtLeast - len(res.Matches)
	if n <= 0 {
		return "more devices"
	}
	return fmt.Sprintf("at least %d more", n)
}

// runSearch prints the devices matching text.
func runSearch(ctx context.Context, env *Env, conn *connFlags, text, kindFlag string, limit int, asJSON bool) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return usageErrorf("search needs some text: a serial number, name, user name or email")
	}
	if limit < 1 || limit > maxSearchLimit {
		return usageErrorf("--limit must be between 1 and %d, got %d", maxSearchLimit, limit)
	}
	kind, err := parseKind(kindFlag)
	if err != nil {
		return err
	}
	return withClient(ctx, conn, env, func(c *jamf.Client) error {
		res, err := ops.SearchDevices(ctx, c, text, ops.SearchOptions{Kind: kind, Limit: limit})
		if err != nil {
			return err
		}
		var none error
		if len(res.Matches) == 0 {
			none = errors.New((&ops.DeviceMatchError{Ref: text}).Error())
		}
		if asJSON {
			out := searchJSON{Query: text, Matches: []searchRow{}, More: res.More, AtLeast: res.AtLeast}
			for _, m := range res.Matches {
				out.Matches = append(out.Matches, searchRowOf(m))
			}
			if err := writeJSON(env.Stdout, out); err != nil {
				return err
			}
			return none
		}
		if none != nil {
			return none
		}
		t := newTable(env.Stdout, "KIND", "ID", "NAME", "SERIAL", "USER", "MODEL", "OS", "LAST CHECK-IN", "MATCHED")
		for _, m := range res.Matches {
			t.row(string(m.Kind), m.ID, m.Name, m.Serial, m.User, m.Model, m.OS, formatTime(m.LastCheckIn), matchText(m))
		}
		if err := t.flush(); err != nil {
			return err
		}
		if res.More {
			fmt.Fprintf(env.Stderr, "%s match; narrow the search (or raise --limit)\n", moreText(res))
		}
		return nil
	})
}
