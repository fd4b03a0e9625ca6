package ops

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes the report as indented JSON.
func (r *DoctorReport) WriteJSON(w io.Writer) error { return writeIndented(w, r) }

// WriteText writes the report for people: a summary of every check, the
// feature → needed → present table, and the privileges held but unused.
func (r *DoctorReport) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name string, c Check, facts ...string) {
		var parts []string
		for _, f := range facts {
			if f != "" {
				parts = append(parts, f)
			}
		}
		if c.Detail != "" {
			parts = append(parts, c.Detail)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, c.Status, strings.Join(parts, "; "))
	}
	conn := r.Connection
	tlsText := "TLS: no"
	if conn.TLS {
		tlsText = "TLS: yes"
		if conn.TLSVersion != "" {
			tlsText += " (" + conn.TLSVersion + ")"
		}
	}
	version := ""
	if conn.ServerVersion != "" {
		version = "Jamf Pro " + conn.ServerVersion
	}
	row("Connection", conn.Check, conn.URL, tlsText, version)
	cred := r.Credential
	var credFacts []string
	if cred.Identity != "" {
		credFacts = append(credFacts, cred.Kind+" "+cred.Identity)
	}
	if cred.TokenObtained {
		credFacts = append(credFacts, "token obtained, lifetime "+(time.Duration(cred.LifetimeSeconds)*time.Second).String())
	}
	row("Credential", cred.Check, credFacts...)
	row("Privileges", r.Privileges.Check)
	row("Keychain", r.Keychain)
	jscFacts := []string{r.JSC.URL}
	if r.JSC.AppID != "" {
		jscFacts = append(jscFacts, "app "+r.JSC.AppID)
	}
	row("JSC", r.JSC.Check, jscFacts...)
	for _, p := range r.Paths {
		row(strings.ToUpper(p.Name[:1])+p.Name[1:]+" path", p.Check, p.Path)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Privileges.Features) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "Feature\tNeeded\tPresent\n")
		for _, f := range r.Privileges.Features {
			for i, p := range f.Needed {
				name := ""
				if i == 0 {
					name = f.Name
				}
				present := "yes"
				switch {
				case f.Status == StatusSkip:
					present = "unknown"
				case slices.Contains(f.Missing, p):
					present = "MISSING"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", name, p, present)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Privileges.Missing) > 0 {
		fmt.Fprintf(w, "\nMissing privileges (features that need them are unavailable):\n")
		for _, p := range r.Privileges.Missing {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	if len(r.Privileges.Unused) > 0 {
		fmt.Fprintf(w, "\nLeast privilege: the credential holds %d privileges jamfops never uses; remove them from its API role\n", len(r.Privileges.Unused))
		fmt.Fprintf(w, "(or create dedicated roles with 'jamfops setup roles'):\n")
		for _, p := range r.Privileges.Unused {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	if r.Failed {
		fmt.Fprintf(w, "\nDoctor found a failure: fix the connection or credential above.\n")
	}
	return nil
}
