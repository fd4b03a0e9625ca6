package netsafe

import (
	"net/url"
	"strings"
)

// redacted replaces the userinfo of a URL in messages.
const redacted = "xxxxx"

// RedactURL returns raw fit for a message: any userinfo (user and
// password) is replaced by "xxxxx". It works on strings that do not parse
// as URLs too, by replacing everything between "//" (or the start) and the
// last "@" before any query or fragment.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		if u.User == nil {
			return raw
		}
		u.User = url.User(redacted)
		return u.String()
	}
	start := 0
	if i := strings.Index(raw, "//"); i >= 0 {
		start = i + 2
	}
	rest := raw[start:]
	end := len(rest)
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		end = i
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	return raw[:start] + redacted + rest[at:]
}

// RedactedURL is u without userinfo and query, for messages (a query may
// carry a token as well as a filter).
func RedactedURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User, c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = nil, "", false, "", ""
	return c.String()
}
