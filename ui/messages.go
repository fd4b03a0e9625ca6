package ui

import (
	"errors"
	"fmt"
	"net/http"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// screenID names a screen.
type screenID int

const (
	screenGroups screenID = iota
	screenMembers
	screenDevice
	screenQueue
	screenAudit
	screenRisk
	screenPlan
	screenJobs
	screenFind
	screenCommand
)

// navigateMsg asks the root to open a screen.
type navigateMsg struct {
	to      screenID
	group   *ops.GroupSummary
	device  *ops.Device
	devices []ops.Device // for the queue view of marked devices
	label   string
	jobID   string
	// text is what to search for (screenFind).
	text string
	// command is the command whose detail to show (screenCommand).
	command *ops.CommandEntry
	// entries is the device's loaded queue (screenCommand), for the
	// duplicate check of a re-send.
	entries []ops.CommandEntry
	// all lists the whole inventory of group.Kind (screenMembers).
	all bool
	// replace is the scope id of a screen to leave before opening, if it
	// is still on top (a search that found one device opens it in its
	// own place); 0 for none.
	replace uint64
}

// backMsg asks the root to return to the previous screen.
type backMsg struct{}

// statusMsg sets the status line.
type statusMsg struct {
	text  string
	isErr bool
}

// connectedMsg reports the server's version and the credential's privileges.
type connectedMsg struct {
	version string
	privs   *jamf.Privileges
	err     error
}

func navigate(m navigateMsg) tea.Cmd { return func() tea.Msg { return m } }

func reportInfo(format string, a ...any) tea.Cmd {
	text := fmt.Sprintf(format, a...)
	return func() tea.Msg { return statusMsg{text: text} }
}

func reportError(err error) tea.Cmd {
	text := humanError(err)
	return func() tea.Msg { return statusMsg{text: text, isErr: true} }
}

// humanError turns client errors into one line a person can act on. It is
// the one place typed Jamf errors become text.
func humanError(err error) string {
	var (
		ae *jamf.AuthError
		rl *jamf.RateLimitError
		er *jamf.ErrorResponse
		ou *jamf.OutcomeUnknownError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae):
		return ops.Clean(ae.Error())
	case errors.As(err, &rl):
		return fmt.Sprintf("The server is busy (HTTP %d); try again in %s.", rl.StatusCode(), rl.RetryAfter)
	case errors.As(err, &ou):
		return "No answer from the server; the change may or may not have happened. Refresh to check: " + ops.Clean(ou.Err.Error())
	case errors.As(err, &er):
		switch er.StatusCode() {
		case http.StatusUnauthorized:
			return "The server no longer accepts these credentials (HTTP 401)."
		case http.StatusForbidden:
			return "Not allowed: " + ops.Clean(er.Error())
		case http.StatusNotFound:
			return "Not found (it may have been deleted): " + ops.Clean(er.Path)
		}
	}
	return ops.Clean(err.Error())
}
