package netsafe

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func mustReq(t *testing.T, ctx context.Context, method, raw string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestRedirectPolicy(t *testing.T) {
	t.Parallel()
	bg := context.Background()
	cred := CredentialRequest(bg)
	tests := []struct {
		name      string
		ctx       context.Context
		method    string
		from, to  string
		wantError string // "" allowed
	}{
		{"same origin GET", bg, "GET", "https://a.example.com/x", "https://a.example.com/y", ""},
		{"default port spelled out", bg, "GET", "https://a.example.com/x", "https://a.example.com:443/y", ""},
		{"other port", bg, "GET", "http://127.0.0.1:8000/x", "http://127.0.0.1:9000/x", "port"},
		{"other host", bg, "GET", "https://a.example.com/x", "https://b.example.com/x", "host"},
		{"downgrade", bg, "GET", "https://a.example.com/x", "http://a.example.com/x", "https"},
		{"write", bg, "POST", "https://a.example.com/x", "https://a.example.com/y", "POST"},
		{"token", cred, "POST", "https://a.example.com/t", "https://a.example.com/t2", "credentials"},
		{"token GET", cred, "GET", "https://a.example.com/t", "https://a.example.com/t2", "credentials"},
	}
	for _, tt := range tests {
		from := mustReq(t, tt.ctx, tt.method, tt.from)
		to := mustReq(t, tt.ctx, tt.method, tt.to)
		err := CheckRedirect(to, []*http.Request{from})
		if tt.wantError == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", tt.name, err)
			}
			continue
		}
		var re *RedirectError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.wantError) || !strings.HasPrefix(err.Error(), "refused redirect from ") {
			t.Errorf("%s: err = %v, want a RedirectError mentioning %q", tt.name, err, tt.wantError)
		}
	}
	// Ten hops is enough.
	via := make([]*http.Request, 10)
	for i := range via {
		via[i] = mustReq(t, bg, "GET", "https://a.example.com/x")
	}
	if err := CheckRedirect(mustReq(t, bg, "GET", "https://a.example.com/y"), via); err == nil {
		t.Error("an eleventh redirect was followed")
	}
}

func TestRedirectErrorRedactsUserinfo(t *testing.T) {
	t.Parallel()
	from := mustReq(t, context.Background(), "GET", "https://a.example.com/x")
	to := &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "evil.example", User: url.UserPassword("me", "hunter2"), Path: "/"}}
	to = to.WithContext(context.Background())
	err := CheckRedirect(to, []*http.Request{from})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v", err)
	}
}

func TestProtectClientKeepsACallersPolicy(t *testing.T) {
	t.Parallel()
	called := false
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { called = true; return http.ErrUseLastResponse }}
	p := ProtectRedirects(hc)
	if p == hc {
		t.Fatal("the caller's client was modified in place")
	}
	bg := context.Background()
	if err := p.CheckRedirect(mustReq(t, bg, "GET", "https://a.example.com/y"), []*http.Request{mustReq(t, bg, "GET", "https://a.example.com/x")}); err != http.ErrUseLastResponse || !called {
		t.Fatalf("same origin: %v, caller's policy called %v", err, called)
	}
	called = false
	if err := p.CheckRedirect(mustReq(t, bg, "GET", "https://b.example.com/y"), []*http.Request{mustReq(t, bg, "GET", "https://a.example.com/x")}); err == nil || called {
		t.Fatalf("other host: %v, caller's policy called %v", err, called)
	}
}
