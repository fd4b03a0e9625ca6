package ops

import (
	"fmt"
	"strings"
	"time"
)

// Explanation is plain-language help for one command's state: what it
// means, the usual causes, and what to try next.
type Explanation struct {
	Meaning string
	Causes  []string
	Next    []string
}

// ExplainCommand explains a command's state for a help-desk reader. lastCheckIn is
// the device's last check-in (nil if unknown); now is the reader's time.
func ExplainCommand(e CommandEntry, lastCheckIn *time.Time, now time.Time) Explanation {
	offlineFor := time.Duration(0)
	if lastCheckIn != nil && !lastCheckIn.IsZero() {
		offlineFor = now.Sub(*lastCheckIn)
	}
	waited := time.Duration(0)
	if e.Issued != nil {
		waited = now.Sub(*e.Issued)
	}
	switch e.Status {
	case StatusPending:
		x := Explanation{Meaning: "Jamf Pro queued the command and asked Apple's push service to wake the device; the device has not fetched it yet."}
		if offlineFor > 24*time.Hour {
			x.Meaning = fmt.Sprintf("The device has not checked in for %s, so it has not fetched the command: it waits in the queue until the device comes back online.", humanDuration(offlineFor))
			x.Causes = []string{"the device is switched off, asleep for long periods, out of network, or no longer in use", "the device was wiped, sold or replaced without being removed from Jamf Pro"}
			x.Next = []string{"ask the user to turn the device on and connect it to a network", "if it is gone for good, retire its record; flushing the pending commands keeps the queue honest"}
			if waited > 30*24*time.Hour {
				x.Next = append(x.Next, fmt.Sprintf("pending for %s: the command will still run when the device returns, which may surprise the user; flush it if it no longer makes sense", humanDuration(waited)))
			}
			return x
		}
		x.Causes = []string{"the push did not reach the device (network, firewall blocking Apple's push ports 5223/443)", "the device is busy or asleep and will fetch the queue at its next check-in"}
		x.Next = []string{"send a blank push (b) to wake the device", "Jamf Pro re-pushes pending commands on its own, every 6 hours by default"}
		return x
	case StatusNotNow:
		return Explanation{
			Meaning: "The device fetched the command and answered NotNow: it cannot run it at this moment and keeps it queued, then asks again later by itself.",
			Causes: []string{"the device is locked and the command needs data protected by the passcode (for example installing some profiles or apps)",
				"the user is busy (a full-screen app, a call, Setup Assistant not finished) or a software update is in progress",
				"a Mac at the login window or with no user logged in, for user-channel commands"},
			Next: []string{"ask the user to unlock the device and keep it awake for a minute", "a blank push (b) after unlocking makes it ask again at once"},
		}
	case StatusFailed:
		return explainFailure(e.Error)
	case StatusCompleted:
		return Explanation{Meaning: "The device ran the command and acknowledged it. Nothing to do."}
	}
	return Explanation{Meaning: "Jamf Pro reports a state jamfops does not know: " + Clean(e.Status)}
}

// explainFailure explains a failed command from the device's error text
// (as Jamf Pro reports it, "message (Domain code)").
func explainFailure(text string) Explanation {
	x := Explanation{Meaning: "The device tried the command and reported an error; it will not retry it by itself."}
	lower := strings.ToLower(text)
	switch {
	case text == "":
		x.Causes = []string{"Jamf Pro recorded no reason for this failure"}
	case strings.Contains(lower, "not supported"):
		x.Causes = []string{"this command does not exist on this kind of device or OS version (for example an iOS-only command sent to a Mac)"}
		x.Next = []string{"do not re-send it to this device; check the command against the device's platform and OS version"}
		return x
	case strings.Contains(lower, "supervised"):
		x.Causes = []string{"the command needs a supervised device, and this one is not supervised (enrolled without Automated Device Enrollment)"}
		x.Next = []string{"re-enroll the device through Automated Device Enrollment to supervise it, or do not send this command to it"}
		return x
	case strings.Contains(lower, "passcode"):
		x.Causes = []string{"the command needs a passcode on the device and none is set"}
		x.Next = []string{"ask the user to set a passcode, then send the command again"}
		return x
	case strings.Contains(lower, "invalid state"):
		x.Causes = []string{"the device was in the middle of something that blocks this command (an update, Setup Assistant, another command of the same kind)"}
		x.Next = []string{"wait for the device to settle, then send the command again (R re-sends this command type)"}
		return x
	case strings.Contains(lower, "licen"), strings.Contains(lower, "vpp"):
		x.Causes = []string{"the app licence could not be assigned (no licence left, or the licence belongs to another location)"}
		x.Next = []string{"check the app's licence count in Apple Business Manager, then retry"}
		return x
	case strings.Contains(lower, "profile"):
		x.Causes = []string{"the configuration profile could not be installed: an incompatible payload, a duplicate identifier, or a payload the OS version does not know"}
		x.Next = []string{"open the profile in Jamf Pro and check its payloads against the device's OS version"}
		return x
	}
	x.Causes = append(x.Causes, "read the device's own message above; the domain and code in brackets identify it in Apple's documentation")
	x.Next = []string{"if the cause was temporary, send the command again (R re-sends this command type)"}
	return x
}

// humanDuration says a long duration the way people do: "3 days", "5 h".
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	case d >= time.Minute:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return "less than a minute"
}

// AlreadyPending returns the device's commands of the given type that still
// wait on it (pending or NotNow), so a single-device send can warn before it
// queues the same command twice. Names compare across the Jamf Pro API and
// Classic spellings (RESTART_DEVICE, RestartDevice).
func AlreadyPending(entries []CommandEntry, command string) []CommandEntry {
	key := CommandKey(command)
	var out []CommandEntry
	for _, e := range entries {
		if e.Active() && CommandKey(e.Command) == key {
			out = append(out, e)
		}
	}
	return out
}
