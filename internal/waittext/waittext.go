// Package waittext words a server-requested wait for people, the same way
// for the Jamf Pro and JSC clients.
package waittext

import "time"

// Hold says what the server asked and until when jamfops holds, for
// example "server asked to wait 23h59m59s; holding until 04:10". asked is
// 0 when the server did not say; wait is what jamfops honours.
func Hold(asked, wait time.Duration, now time.Time) string {
	until := now.Add(wait)
	at := until.Format("15:04:05")
	if wait >= time.Minute {
		at = until.Format("15:04")
	}
	if asked <= 0 {
		return "server asked to wait without saying how long; holding until " + at
	}
	return "server asked to wait " + Duration(asked) + "; holding until " + at
}

// Duration rounds d for reading: to the millisecond below a second, to the
// second above.
func Duration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
