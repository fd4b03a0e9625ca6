package ops

import (
	"fmt"
	"time"

	"github.com/jamfops/jamfops/jsc"
)

// RiskBudgetShare is the share of the day's remaining Risk API requests an
// action may use before jamfops warns (and, without --yes, asks first).
const RiskBudgetShare = 0.10

// RiskBudgetText says what is left of the day's Risk API budget, for
// people: "9,953 of 10,000 requests left today (counted across jamfops
// processes; 12 by this one)".
func RiskBudgetText(b jsc.Budget) string {
	who := "this process"
	if b.Shared {
		who = "counted across jamfops processes"
	}
	return fmt.Sprintf("%s of %s requests left today (%s; %s by this one)", count(b.Remaining), count(b.Limit), who, count(b.Mine))
}

// RiskBudgetWarning returns a warning when an action needing about need
// requests would use more than RiskBudgetShare of what is left today, or
// more than is left; "" otherwise.
func RiskBudgetWarning(b jsc.Budget, need int) string {
	switch {
	case need > b.Remaining:
		return fmt.Sprintf("this needs about %s Risk API requests and only %s are left today (resets %s UTC)", count(need), count(b.Remaining), b.ResetAt.UTC().Format("15:04"))
	case float64(need) > RiskBudgetShare*float64(b.Remaining):
		return fmt.Sprintf("this needs about %s Risk API requests, more than %.0f %% of the %s left today", count(need), RiskBudgetShare*100, count(b.Remaining))
	}
	return ""
}

// RiskAsOf says when a snapshot was taken, for people: "as of 14:02, 3 min
// ago" (local time; the date too when it was not today).
func RiskAsOf(taken, now time.Time) string {
	t := taken.In(now.Location())
	when := t.Format("15:04")
	if y, m, d := t.Date(); y != now.Year() || m != now.Month() || d != now.Day() {
		when = t.Format("2006-01-02 15:04")
	}
	return "as of " + when + ", " + agoText(now.Sub(taken)) + " ago"
}

// agoText is a rough age: "40 s", "3 min", "2 h 5 min", "3 days".
func agoText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		h := int(d.Hours())
		if m := int(d.Minutes()) % 60; m > 0 {
			return fmt.Sprintf("%d h %d min", h, m)
		}
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// count writes n with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
