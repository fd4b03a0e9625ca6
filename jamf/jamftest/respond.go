package jamftest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// writeAPIError writes the Jamf Pro API's ApiError body.
func writeAPIError(w http.ResponseWriter, status int, code, description, field string) {
	var f any
	if field != "" {
		f = field
	}
	writeJSON(w, status, map[string]any{
		"httpStatus": status,
		"errors":     []map[string]any{{"code": code, "description": description, "id": "0", "field": f}},
	})
}

// writeStatusPage writes a Classic API HTML status page, as Jamf Pro does for
// Classic errors.
func writeStatusPage(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<html>
<head>
   <title>Status page</title>
</head>
<body style="font-family:sans-serif;">
<p style="font-size:1.2em;font-weight:bold;margin:1em 0px;">%s</p>
<p style="font-size:1.2em;margin:1em 0px;">%s</p>
<p>You can get technical details <a href="http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.%d">here</a>.<br>
Please continue your visit at our <a href="/">home page</a>.
</p>
</body>
</html>`, html.EscapeString(http.StatusText(status)), html.EscapeString(reason), status/100)
}

// classic reports whether a request is for the Classic API.
func classic(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/JSSResource/") }

// writeError answers in the style of the API the request was for.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, description string) {
	if classic(r) {
		writeStatusPage(w, status, description)
		return
	}
	writeAPIError(w, status, code, description, "")
}

// wantsJSON reports whether a Classic request asked for JSON (the default is XML).
func wantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "xml")
}

// writeClassic writes a Classic document as JSON or XML by the Accept header.
// jsonBody is keyed by the root element, as Jamf does.
func writeClassic(w http.ResponseWriter, r *http.Request, xmlBody any, jsonBody any) {
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, jsonBody)
		return
	}
	w.Header().Set("Content-Type", "application/xml;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(xmlBody)
}

func sortStrings(s []string) { sort.Strings(s) }
