package mass

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/ops"
)

// ResultRow is one device of a job's results, as every export writes it
// (jamfops jobs export, the console's e): one camelCase schema.
type ResultRow struct {
	Kind         string `json:"kind"` // computer, mobile or jsc
	ID           string `json:"id"`
	Name         string `json:"name"`
	Serial       string `json:"serial"`
	ManagementID string `json:"managementId"`
	// State is pending, sent, failed, skipped, cancelled, unknown or unverified.
	State  string `json:"state"`
	Reason string `json:"reason"`
	// Batch is the request that carried the device (0 when none did).
	Batch int `json:"batch"`
	// RequestID is what the server answered for the device: the command's
	// UUID, or the JSC request ID ("" when unknown).
	RequestID string `json:"requestId"`
	// Time is when the device's outcome was recorded (null when never).
	Time *time.Time `json:"time"`
}

// ResultColumns are the CSV header, in the JSON field order.
func ResultColumns() []string {
	return []string{"kind", "id", "name", "serial", "managementId", "state", "reason", "batch", "requestId", "time"}
}

// Results lists a job's per-device results in target order.
func Results(p *Plan, st *State) []ResultRow {
	rows := make([]ResultRow, len(p.Targets))
	for i, t := range p.Targets {
		s := st.Targets[i]
		if s == StatePending {
			s = "pending"
		}
		kind := string(t.Device.Kind)
		if p.Action.Kind == KindRisk {
			kind = "jsc"
		} else if kind == "" {
			kind = p.Platform
		}
		r := ResultRow{Kind: kind, ID: t.Device.ID, Name: t.Device.Name, Serial: t.Device.Serial, ManagementID: t.Device.ManagementID,
			State: s, Reason: st.Reasons[i]}
		if i < len(st.Batches) {
			r.Batch = st.Batches[i]
		}
		if i < len(st.RequestIDs) {
			r.RequestID = st.RequestIDs[i]
		}
		if i < len(st.Times) && !st.Times[i].IsZero() {
			at := st.Times[i].UTC()
			r.Time = &at
		}
		rows[i] = r
	}
	return rows
}

// WriteResultsCSV writes rows as CSV with ResultColumns. A CSV is a file a
// human opens: every cell is cleaned of terminal and bidi controls, and a
// cell a spreadsheet would read as a formula (a device name such as
// "=cmd|…") gets a leading apostrophe.
func WriteResultsCSV(w io.Writer, rows []ResultRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(ResultColumns())
	for _, r := range rows {
		at := ""
		if r.Time != nil {
			at = r.Time.Format(time.RFC3339)
		}
		cells := []string{r.Kind, r.ID, r.Name, r.Serial, r.ManagementID, r.State, r.Reason, strconv.Itoa(r.Batch), r.RequestID, at}
		for i, c := range cells {
			cells[i] = defuseFormula(ops.Clean(c))
		}
		_ = cw.Write(cells)
	}
	cw.Flush()
	return cw.Error()
}

// defuseFormula prefixes a cell that starts like a spreadsheet formula
// (=, +, -, @, tab, carriage return) with an apostrophe, so that Excel
// and its kin show it as text instead of evaluating it.
func defuseFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
