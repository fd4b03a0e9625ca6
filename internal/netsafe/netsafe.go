// Package netsafe checks server addresses before credentials are sent to them.
package netsafe

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ParseBaseURL checks a server address and returns it with a trailing
// slash. It accepts https URLs, and http only for loopback hosts (the
// in-memory test servers), so credentials never cross a network in clear.
// product names the server in messages ("Jamf Pro", "JSC").
func ParseBaseURL(raw, product, envVar string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("no %s URL given (set %s)", product, envVar)
	}
	shown := RedactURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole input, password included: keep only its reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s URL %q is not a URL: %w", product, shown, err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%s URL %q has no host", product, shown)
	}
	if u.User != nil {
		return nil, errors.New(product + " URL must not contain credentials")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("refusing plain http to %s: use https (http is allowed only for loopback test servers)", u.Host)
		}
	default:
		return nil, fmt.Errorf("%s URL %q must start with https://", product, shown)
	}
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// IsLoopback reports whether host names this machine (localhost or a loopback IP).
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
