// Package jsctest runs an in-memory Jamf Security Cloud Risk API for tests
// and the demo, in the manner of net/http/httptest.
//
// Each device has a risk JSC calculates from its threats and, optionally,
// a manual override set through the API; riskCategory shows the override
// while one is set. The server enforces the published limits (5 requests
// per second for data calls and, separately, for logins, or for both
// together with CombinedWindow; a daily budget), answers 429 with
// X-Rate-Limit-Retry-After-Milliseconds, expires tokens, and keeps an
// admin log of every override: who set what, when, from which source.
package jsctest

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/jamfops/jamfops/jsc"
)

// Clock tells the server what time it is (jamftest's clocks fit).
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now().UTC() }

// ExternalDevice is a UEM-managed device enrolled in JSC: its Jamf Pro UDID
// and what Jamf Trust reports about it.
type ExternalDevice struct {
	UDID, Name, User, Email, OSType string
}

// Demo Risk API credentials; they open only this in-memory server.
const (
	DemoAppID     = "demo-risk-app"
	DemoAppSecret = "demo-risk-secret"
)

// Options configure a Server.
type Options struct {
	// Seed makes risk levels deterministic (default 1).
	Seed uint64
	// Devices are the UEM devices enrolled in JSC.
	Devices []ExternalDevice
	// Unmanaged adds JSC-only devices with no UEM record (BYOD phones).
	Unmanaged int
	// Clock drives token expiry and the daily budget (default wall clock).
	Clock Clock
	// AppID and AppSecret are the accepted credentials (default the demo pair).
	AppID, AppSecret string
	// TokenLifetime defaults to the documented 15 minutes.
	TokenLifetime time.Duration
	// PerSecond and PerDay are the enforced limits (defaults 5 and 10,000).
	PerSecond, PerDay int
	// DisableV2 answers 404 on /risk/v2/devices, to exercise the v1 fallback.
	DisableV2 bool
	// CombinedWindow counts logins and data calls in one per-second window
	// of PerSecond requests, as a tenant may (by default logins have a
	// window of their own).
	CombinedWindow bool
}

type override struct {
	level  jsc.Level
	source string
	at     time.Time
	by     string
}

type device struct {
	guid, externalID, name, user, email, osType string
	calculated                                  jsc.Level
	override                                    *override
	lastDNS, joined                             time.Time
}

func (d *device) risk() jsc.Level {
	if d.override != nil && d.override.source == jsc.SourceManual {
		return d.override.level
	}
	return d.calculated
}

// Server is a running in-memory Risk API.
type Server struct {
	// URL is the server's base address.
	URL string

	hs    *httptest.Server
	opts  Options
	clock Clock
	log   *AdminLog

	mu      sync.Mutex
	devices []*device
	byGUID  map[string]*device
	byExt   map[string][]*device
	tokens  map[string]time.Time
	window  []time.Time // data requests in the last second (wall clock)
	logins  []time.Time
	day     time.Time
	dayUsed int
	broken  bool
}

// NewServer starts a server on loopback. Call Close when done.
func NewServer(opts Options) *Server {
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.AppID == "" {
		opts.AppID, opts.AppSecret = DemoAppID, DemoAppSecret
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = 15 * time.Minute
	}
	if opts.PerSecond <= 0 {
		opts.PerSecond = jsc.DefaultRate
	}
	if opts.PerDay <= 0 {
		opts.PerDay = jsc.DefaultDailyBudget
	}
	s := &Server{opts: opts, clock: opts.Clock, log: &AdminLog{}, byGUID: map[string]*device{}, byExt: map[string][]*device{}, tokens: map[string]time.Time{}}
	s.populate()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/login", s.handleLogin)
	mux.HandleFunc("GET /risk/v2/devices", s.authed(s.handleListV2))
	mux.HandleFunc("GET /risk/v1/devices", s.authed(s.handleListV1))
	mux.HandleFunc("PUT /risk/v1/override", s.authed(s.handleOverride))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "UNKNOWN_URI_PATH", "No such path: "+r.URL.Path)
	})
	s.hs = httptest.NewServer(s.record(mux))
	s.URL = s.hs.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.hs.Close() }

// Log returns the admin log.
func (s *Server) Log() *AdminLog { return s.log }

// SetBrokenJSON makes device lists answer with malformed JSON.
func (s *Server) SetBrokenJSON(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broken = on
}

// populate gives the fleet a realistic spread of risk: most devices
// SECURE, some LOW or MEDIUM from JSC's own findings, a few HIGH raised by
// the Jamf Protect risk-signalling integration through the API.
func (s *Server) populate() {
	r := rand.New(rand.NewPCG(s.opts.Seed, s.opts.Seed^0x5bd1e995))
	now := s.clock.Now()
	uuid := func() string {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	add := func(d *device) {
		d.guid = uuid()
		d.joined = now.Add(-time.Duration(30+r.IntN(700)) * 24 * time.Hour).Truncate(time.Second)
		d.lastDNS = now.Add(-time.Duration(r.IntN(72*60)) * time.Minute).Truncate(time.Second)
		x := r.Float64()
		switch {
		case x < 0.035:
			d.calculated = jsc.Secure
			d.override = &override{level: jsc.High, source: jsc.SourceManual, at: now.Add(-time.Duration(1+r.IntN(96)) * time.Hour), by: "jamf-protect-risk-signal"}
		case x < 0.045:
			d.calculated = jsc.High // an active threat JSC itself sees
		case x < 0.055:
			d.calculated = jsc.Secure
			d.override = &override{level: jsc.Medium, source: jsc.SourceManual, at: now.Add(-time.Duration(1+r.IntN(300)) * time.Hour), by: "jamf-protect-risk-signal"}
		case x < 0.11:
			d.calculated = jsc.Medium
		case x < 0.20:
			d.calculated = jsc.Low
		default:
			d.calculated = jsc.Secure
		}
		s.devices = append(s.devices, d)
		s.byGUID[d.guid] = d
		if d.externalID != "" {
			s.byExt[d.externalID] = append(s.byExt[d.externalID], d)
		}
	}
	for _, e := range s.opts.Devices {
		add(&device{externalID: strings.ToLower(e.UDID), name: e.Name, user: e.User, email: e.Email, osType: e.OSType})
	}
	for i := range s.opts.Unmanaged {
		add(&device{name: fmt.Sprintf("Personal iPhone %d", i+1), user: "byod user", osType: "IOS"})
	}
}

// record logs every request with its wall-clock arrival time.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		at := time.Now()
		next.ServeHTTP(rec, r)
		s.log.request(RequestRecord{At: at, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status})
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// limited applies a per-second window (wall clock); it returns how long
// to wait when the request is over the limit.
func limited(window *[]time.Time, perSecond int, now time.Time) (time.Duration, bool) {
	keep := (*window)[:0]
	for _, t := range *window {
		if now.Sub(t) < time.Second {
			keep = append(keep, t)
		}
	}
	*window = keep
	if len(keep) >= perSecond {
		return time.Second - now.Sub(keep[0]), true
	}
	*window = append(*window, now)
	return 0, false
}

func tooMany(w http.ResponseWriter, wait time.Duration, msg string) {
	w.Header().Set("X-Rate-Limit-Retry-After-Milliseconds", fmt.Sprint(max(1, wait.Milliseconds())))
	writeError(w, http.StatusTooManyRequests, "TOO_MANY_REQUESTS", msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, logref, msg string) {
	writeJSON(w, status, map[string]any{"logref": logref, "message": msg, "error": http.StatusText(status), "statusCode": status})
}

// handleLogin is POST /v1/login (basic auth → JWT).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	window := &s.logins
	if s.opts.CombinedWindow {
		window = &s.window
	}
	wait, over := limited(window, s.opts.PerSecond, time.Now())
	s.mu.Unlock()
	if over {
		tooMany(w, wait, "Too many logins")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.opts.AppID || subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.AppSecret)) != 1 {
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Invalid application credentials")
		return
	}
	exp := s.clock.Now().Add(s.opts.TokenLifetime)
	enc := base64.RawURLEncoding
	payload, _ := json.Marshal(map[string]any{"aud": "RISK_API", "customer_id": "cust-demo", "exp": exp.Unix(), "jti": fmt.Sprint(rand.Uint64())})
	tok := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte(fmt.Sprint(rand.Uint64())))
	s.mu.Lock()
	s.tokens[tok] = exp
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"token": tok})
}

// authed checks the bearer token, the per-second limit and the daily budget.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		exp, ok := s.tokens[tok]
		now := s.clock.Now()
		if !ok || !now.Before(exp) {
			s.mu.Unlock()
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Token missing or expired")
			return
		}
		wait, over := limited(&s.window, s.opts.PerSecond, time.Now())
		if over {
			s.mu.Unlock()
			tooMany(w, wait, "Rate limit exceeded")
			return
		}
		today := now.UTC().Truncate(24 * time.Hour)
		if !today.Equal(s.day) {
			s.day, s.dayUsed = today, 0
		}
		if s.dayUsed >= s.opts.PerDay {
			s.mu.Unlock()
			tooMany(w, today.Add(24*time.Hour).Sub(now), "Daily request limit reached")
			return
		}
		s.dayUsed++
		s.mu.Unlock()
		h(w, r, tok)
	}
}
