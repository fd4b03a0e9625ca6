package ops

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes the plan as indented JSON, for review.
func (p RolesPlan) WriteJSON(w io.Writer) error { return writeIndented(w, p) }

// WriteText writes the plan for people: per persona, the role, the client
// and every privilege with the features that need it.
func (p RolesPlan) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, per := range p.Personas {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\n", per.Description)
		fmt.Fprintf(tw, "  API role:\t%s (%d privileges)\n", per.RoleName, len(per.Privileges))
		fmt.Fprintf(tw, "  API client:\t%s (enabled, token lifetime %s)\n", per.ClientName,
			time.Duration(per.AccessTokenLifetimeSeconds)*time.Second)
		fmt.Fprintf(tw, "  Privilege\tNeeded for\n")
		for _, priv := range per.Privileges {
			fmt.Fprintf(tw, "  %s\t%s\n", priv, strings.Join(shortFeatureList(featuresNeeding(priv, per.Features)), ", "))
		}
	}
	return tw.Flush()
}

// featuresNeeding returns which of the features need the privilege.
func featuresNeeding(priv string, features []string) []string {
	var out []string
	for _, id := range features {
		if f, ok := FeatureByID(id); ok {
			for _, p := range f.Privileges {
				if p == priv {
					out = append(out, f.ID)
					break
				}
			}
		}
	}
	return out
}

// shortFeatureList keeps a list readable: more than two "send:" features
// are counted rather than listed.
func shortFeatureList(ids []string) []string {
	var out, sends []string
	for _, id := range ids {
		if strings.HasPrefix(id, "send:") {
			sends = append(sends, id)
		} else {
			out = append(out, id)
		}
	}
	if len(sends) > 2 {
		return append(out, fmt.Sprintf("sending %d kinds of command", len(sends)))
	}
	return append(out, sends...)
}

// WriteJSON writes the result as indented JSON.
func (r RolesResult) WriteJSON(w io.Writer) error { return writeIndented(w, r) }

// WriteText writes what Apply did, one line per role and client. It never
// holds a secret.
func (r RolesResult) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Persona\tAPI role\tOutcome\tAPI client\tOutcome\tClient ID\tCredentials\n")
	for _, p := range r.Personas {
		roleOutcome := p.RoleOutcome
		if len(p.RoleMissing) > 0 || len(p.RoleExtra) > 0 {
			roleOutcome += fmt.Sprintf(" (differs: %d missing, %d extra)", len(p.RoleMissing), len(p.RoleExtra))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Persona, p.Role, roleOutcome, p.Client, dash(p.ClientOutcome), dash(p.ClientID), p.Credentials)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range r.Personas {
		if len(p.RoleMissing) > 0 {
			fmt.Fprintf(w, "Role %q exists without: %s (not changed; edit it in Jamf Pro)\n", p.Role, strings.Join(p.RoleMissing, ", "))
		}
		if len(p.RoleExtra) > 0 {
			fmt.Fprintf(w, "Role %q also grants: %s (more than jamfops needs)\n", p.Role, strings.Join(p.RoleExtra, ", "))
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
