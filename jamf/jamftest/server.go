// Package jamftest runs an in-memory Jamf Pro server for tests, benchmarks
// and the demo, in the manner of net/http/httptest.
//
// It serves the Jamf Pro API and Classic API routes that jamfops uses, with
// the field names of Jamf's own specification, on a generated fleet. It
// models what makes real servers hard: expiring tokens, privileges, paging
// caps, an MDM queue in which commands wait for devices to check in (offline
// devices never do, busy ones answer NotNow, some fail), a load limit above
// which it answers 503 with Retry-After, injected faults, and an admin log
// that records exactly what reached which device.
package jamftest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// APIClient is an API client (API Roles and Clients) the server accepts.
type APIClient struct {
	ID, Secret string
	// Privileges the client's roles grant.
	Privileges []string
	// TokenLifetime is the access token lifetime (default 5 minutes).
	TokenLifetime time.Duration
}

// UserAccount is a Jamf Pro user the server accepts for bearer tokens.
type UserAccount struct {
	Username, Password string
	Privileges         []string
	// TokenLifetime defaults to Jamf's 30 minutes.
	TokenLifetime time.Duration
}

// Options configure a Server. The zero value gives the default demo fleet.
type Options struct {
	// Seed makes the fleet and device behaviour deterministic (default 1).
	Seed uint64
	// Computers and MobileDevices size the fleet (defaults 2,000 and 1,000;
	// a negative value means none).
	Computers, MobileDevices int
	// OfflineShare is the share of devices that stopped checking in (default 0.08).
	OfflineShare float64
	// Clock drives the simulation (default the wall clock).
	Clock Clock
	// Clients and Users are the accepted credentials (default DemoClient,
	// HelpDeskClient and DemoUser).
	Clients []APIClient
	Users   []UserAccount
	// Version is what /api/v1/jamf-pro-version reports (default "11.30.1-t1784555528405").
	Version string
	// RetryInterval is how often Jamf Pro re-pushes devices with pending
	// commands (default 6 hours).
	RetryInterval time.Duration
	// NotNowDelay is how long a busy device takes before it asks again (default 30 minutes).
	NotNowDelay time.Duration
	// CommandErrorShare is the share of commands devices answer with an
	// error for a transient reason ("invalid state"), in place of the
	// real-world default of 1.5 %. Tests that need failed commands to follow
	// up on set it high.
	CommandErrorShare float64
	// HostileNames gives a few devices names with terminal escape sequences,
	// to prove that clients sanitise what they render.
	HostileNames bool
	// Rename gives computers (by inventory ID) names of the test's choosing.
	Rename map[int]string
	// Load is the capacity model (default: unlimited).
	Load LoadModel
	// Faults are injected failures (default: none).
	Faults Faults
	// ListenAddr is where to listen (default 127.0.0.1:0).
	ListenAddr string
}

// Demo credentials. They only ever open the in-memory server.
const (
	DemoClientID       = "demo-admin-client"
	DemoClientSecret   = "demo-admin-secret"
	HelpDeskClientID   = "demo-helpdesk-client"
	HelpDeskSecret     = "demo-helpdesk-secret"
	DemoUsername       = "demo-admin"
	DemoPassword       = "demo-password"
	defaultVersion     = "11.30.1-t1784555528405"
	defaultOAuthLife   = 5 * time.Minute
	defaultUserLife    = 30 * time.Minute
	defaultRetry       = 6 * time.Hour
	defaultNotNowDelay = 30 * time.Minute
)

// Server is a running in-memory Jamf Pro server.
type Server struct {
	// URL is the server's base address, for example "http://127.0.0.1:54321".
	URL string

	hs    *httptest.Server
	clock Clock
	opts  Options
	log   *AdminLog

	mu             sync.Mutex // guards everything below
	fleet          *fleet
	groups         []*group
	queue          *queue
	tokens         map[string]*token
	load           LoadModel
	faults         Faults
	bucket         tokenBucket
	memberMem      membershipCache
	inventoryCache sortedCache
	routes         []routeInfo
	access         accessStore
	updates        *swUpdates
}

// routeInfo is one served route and the privileges it checks.
type routeInfo struct {
	pattern    string
	privileges []string
}

// NewServer starts a server on loopback. Call Close when done.
func NewServer(opts Options) (*Server, error) {
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	switch {
	case opts.Computers == 0:
		opts.Computers = 2000
	case opts.Computers < 0:
		opts.Computers = 0
	}
	switch {
	case opts.MobileDevices == 0:
		opts.MobileDevices = 1000
	case opts.MobileDevices < 0:
		opts.MobileDevices = 0
	}
	if opts.OfflineShare == 0 {
		opts.OfflineShare = 0.08
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.Clients == nil {
		opts.Clients = []APIClient{
			{ID: DemoClientID, Secret: DemoClientSecret, Privileges: AllPrivileges()},
			{ID: HelpDeskClientID, Secret: HelpDeskSecret, Privileges: ReadOnlyPrivileges()},
		}
	}
	if opts.Users == nil {
		opts.Users = []UserAccount{{Username: DemoUsername, Password: DemoPassword, Privileges: AllPrivileges()}}
	}
	if opts.Version == "" {
		opts.Version = defaultVersion
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = defaultRetry
	}
	if opts.NotNowDelay <= 0 {
		opts.NotNowDelay = defaultNotNowDelay
	}
	s := &Server{clock: opts.Clock, opts: opts, log: newAdminLog(), tokens: map[string]*token{},
		load: opts.Load, faults: opts.Faults}
	now := s.clock.Now()
	s.fleet = newFleet(opts.Seed, opts.Computers, opts.MobileDevices, now, opts.OfflineShare)
	if opts.HostileNames {
		hostile := []string{"\x1b[2J\x1b[HPWNED-MAC", "evil\x1b]0;title\x07-mac", "bell\x07\x07-mac"}
		for i, name := range hostile {
			if d := s.fleet.computer(3 + i*5); d != nil {
				d.name = name
			}
		}
	}
	for id, name := range opts.Rename {
		if d := s.fleet.computer(id); d != nil {
			d.name = name
		}
	}
	gen := &generator{r: newRand(opts.Seed + 7)}
	s.groups = defaultGroups(s.fleet, gen)
	qgen := &generator{r: newRand(opts.Seed + 11)}
	s.queue = newQueue(opts.Seed, opts.RetryInterval, opts.NotNowDelay, qgen.uuid)
	s.queue.errorShare = opts.CommandErrorShare
	s.bucket.reset(opts.Load.Capacity)
	seedHistory(s, qgen, now)
	s.updates = newSWUpdates(opts.Seed, &s.queue.changes)

	mux := http.NewServeMux()
	s.registerRoutes(mux)
	s.hs = httptest.NewUnstartedServer(s.middleware(mux))
	addr := opts.ListenAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("jamftest: listen on %s: %w", addr, err)
	}
	s.hs.Listener.Close()
	s.hs.Listener = ln
	s.hs.Start()
	s.URL = s.hs.URL
	return s, nil
}

// Close shuts the server down.
func (s *Server) Close() { s.hs.Close() }

// Log returns the admin log. Reading it first plays the simulation up to
// the clock's current time.
func (s *Server) Log() *AdminLog {
	s.mu.Lock()
	s.queue.advance(s.clock.Now())
	s.updates.advance(s.clock.Now())
	s.mu.Unlock()
	return s.log
}

// Clock returns the server's clock.
func (s *Server) Clock() Clock { return s.clock }

// SetLoad replaces the load model while the server runs.
func (s *Server) SetLoad(l LoadModel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load = l
	s.bucket.reset(l.Capacity)
}

// SetFaults replaces the injected faults while the server runs.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// RevokeTokens invalidates every token issued so far, as when an admin
// rotates a client secret or a session is killed.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.revoked = true
	}
}

// Routes returns every route the server serves ("GET /api/v2/groups").
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, r := range s.routes {
		out[i] = r.pattern
	}
	return out
}

// RoutePrivileges returns the privileges a route checks before its handler
// runs (handlers may check more, such as a command's send privilege).
func (s *Server) RoutePrivileges(route string) []string {
	for _, r := range s.routes {
		if r.pattern == route {
			return append([]string(nil), r.privileges...)
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
