package jsc_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jamfops/jamfops/internal/netsafe"
	"github.com/jamfops/jamfops/jsc"
)

// sink records what reaches a second loopback server.
type sink struct {
	*httptest.Server
	mu   sync.Mutex
	hits []http.Header
}

func newSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, r.Header.Clone())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"token":"stolen.stolen.stolen","userDeviceList":[]}`))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *sink) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.hits) }

func TestLoginRedirectRefused(t *testing.T) {
	t.Parallel()
	other := newSink(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	c, _ := jsc.NewClient(srv.URL, "app", "the-app-secret")
	_, err := c.ListDevices(t.Context(), nil)
	var re *netsafe.RedirectError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "refused redirect from ") {
		t.Fatalf("err = %v", err)
	}
	if n := other.count(); n != 0 {
		t.Fatalf("the other server received %d requests (the Basic credentials)", n)
	}
}

func TestDataRedirectToAnotherPortCarriesNoToken(t *testing.T) {
	t.Parallel()
	other := newSink(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/login" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"token":"a.eyJleHAiOjQxMDI0NDQ4MDB9.c"}`))
			return
		}
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c, _ := jsc.NewClient(srv.URL, "app", "secret")
	_, err := c.ListDevices(t.Context(), nil)
	var re *netsafe.RedirectError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "port") {
		t.Fatalf("err = %v", err)
	}
	if n := other.count(); n != 0 {
		t.Fatalf("the other server received %d requests (the bearer token)", n)
	}
	// A write is never redirected either.
	res := c.SetRisk(t.Context(), []string{"d-1"}, jsc.High)
	if !errors.As(res[0].Err, &re) || other.count() != 0 {
		t.Fatalf("override: %v, %d requests elsewhere", res[0].Err, other.count())
	}
}

func TestHTTPSDowngradeRefusedJSC(t *testing.T) {
	t.Parallel()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/login" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"token":"a.eyJleHAiOjQxMDI0NDQ4MDB9.c"}`))
			return
		}
		http.Redirect(w, r, "http://"+r.Host+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(tlsSrv.Close)
	c, _ := jsc.NewClient(tlsSrv.URL, "app", "secret", jsc.WithHTTPClient(tlsSrv.Client()))
	_, err := c.ListDevices(t.Context(), nil)
	if err == nil || !strings.Contains(err.Error(), "https must not be downgraded") {
		t.Fatalf("err = %v", err)
	}
}

func TestNewClientNeverEchoesAPasswordJSC(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"https://user:pw@host:abc/", "https://user:pw@host/", "user:pw@host:abc"} {
		_, err := jsc.NewClient(raw, "a", "b")
		if err == nil || strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: %v", raw, err)
		}
	}
}
