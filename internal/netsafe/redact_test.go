package netsafe

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://user:pw@host:abc/", "https://xxxxx@host:abc/"},
		{"https://user:pw@example.com/path?q=1", "https://xxxxx@example.com/path?q=1"},
		{"https://example.com/a", "https://example.com/a"},
		{"user:pw@host:abc", "xxxxx@host:abc"},
		{"https://u:p@ss@host/", "https://xxxxx@host/"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseBaseURLNeverEchoesAPassword(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"https://user:pw@host:abc/", "https://user:pw@host/", "ftp://user:pw@host/", "user:pw@host:abc"} {
		_, err := ParseBaseURL(raw, "X", "X_URL")
		if err == nil {
			t.Fatalf("%q accepted", raw)
		}
		if strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: the error echoes the password: %v", raw, err)
		}
	}
}
