package jamftest

import (
	"bytes"
	"context"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/internal/ctxtime"
)

type ctxKey int

const (
	tokenKey ctxKey = iota
	infoKey
)

// requestInfo is what a handler tells the middleware about its request.
type requestInfo struct {
	route   string
	devices int
}

func tokenFrom(r *http.Request) *token { t, _ := r.Context().Value(tokenKey).(*token); return t }

func infoFrom(r *http.Request) *requestInfo {
	i, _ := r.Context().Value(infoKey).(*requestInfo)
	return i
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	held   *bytes.Buffer // when non-nil, the body is held back (timeout fault)
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	if w.held == nil {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.held != nil {
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// bulkCost estimates how many devices a request names, from its body or path.
func bulkDevices(r *http.Request, body []byte) int {
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/v2/mdm/commands"):
		return bytes.Count(body, []byte(`"managementId"`))
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/v2/mdm/blank-push"):
		return bytes.Count(body, []byte(`"`))/2 - 1
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/v1/managed-software-updates/plans"):
		return bytes.Count(body, []byte(`"deviceId"`))
	case r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/commandflush/"):
		return strings.Count(r.URL.Path, ",") + 1
	}
	return 0
}

// middleware applies the load model, faults, authentication and the admin
// log around every route.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The Date header tells the server's clock, the one its command
		// times use (as on a real Jamf Pro server).
		w.Header().Set("Date", s.clock.Now().UTC().Format(http.TimeFormat))
		inflight := s.log.begin()
		info := &requestInfo{route: r.Method + " " + r.URL.Path}
		rec := &statusRecorder{ResponseWriter: w}
		rejected, recorded := false, false
		logIt := func() {
			if !recorded {
				recorded = true
				s.log.record(RequestRecord{At: start, Route: info.route, Status: rec.status, Devices: info.devices, Duration: time.Since(start)}, rejected)
			}
		}
		defer func() {
			logIt()
			s.log.done()
		}()

		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(io.LimitReader(r.Body, 16<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		info.devices = max(bulkDevices(r, body), 0)

		s.mu.Lock()
		load, faults := s.load, s.faults
		overConcurrency := load.MaxConcurrent > 0 && inflight > load.MaxConcurrent
		var wait time.Duration
		allowed := true
		if !overConcurrency {
			cost := 1 + float64(info.devices)*load.perDevice()
			wait, allowed = s.bucket.take(load, cost, start)
		}
		util := s.bucket.utilisation(load)
		s.mu.Unlock()
		if load.MaxConcurrent > 0 {
			util = math.Max(util, float64(inflight)/float64(load.MaxConcurrent))
		}
		if overConcurrency || !allowed {
			rejected = true
			status := http.StatusServiceUnavailable
			if load.Reject429 {
				status = http.StatusTooManyRequests
			}
			secs := max(1, int(math.Ceil(wait.Seconds())))
			rec.Header().Set("Retry-After", strconv.Itoa(secs))
			writeError(rec, r, status, "SERVICE_UNAVAILABLE", "The server is busy; retry later")
			return
		}
		if d := latency(load, util); d > 0 {
			_ = ctxtime.Sleep(r.Context(), d)
		}
		if faults.SlowRate > 0 && rand.Float64() < faults.SlowRate {
			_ = ctxtime.Sleep(r.Context(), faults.SlowDelay)
		}
		if faults.ErrorRate > 0 && rand.Float64() < faults.ErrorRate {
			writeError(rec, r, http.StatusInternalServerError, "INTERNAL_ERROR", "An unexpected error occurred")
			return
		}
		timeout := faults.TimeoutRate > 0 && rand.Float64() < faults.TimeoutRate

		ctx := context.WithValue(r.Context(), infoKey, info)
		if !isTokenRoute(r) {
			t := s.bearer(r)
			if t == nil {
				if classic(r) {
					writeStatusPage(rec, http.StatusUnauthorized, "The request requires user authentication")
				} else {
					writeAPIError(rec, http.StatusUnauthorized, "INVALID_TOKEN", "Unauthorized", "")
				}
				return
			}
			ctx = context.WithValue(ctx, tokenKey, t)
		}
		s.mu.Lock()
		s.queue.advance(s.clock.Now())
		s.updates.advance(s.clock.Now())
		s.mu.Unlock()
		if timeout {
			rec.held = &bytes.Buffer{}
		}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if timeout {
			// The server has acted; only the answer is late.
			rec.status = http.StatusGatewayTimeout
			logIt()
			delay := faults.TimeoutDelay
			if delay <= 0 {
				delay = time.Minute
			}
			_ = ctxtime.Sleep(r.Context(), delay)
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusGatewayTimeout)
			_, _ = io.WriteString(w, "Gateway Timeout")
		}
	})
}

func isTokenRoute(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/api/v1/oauth/token" || r.URL.Path == "/api/v1/auth/token")
}

// handle registers a route that needs the listed privileges (all of them).
func (s *Server) handle(mux *http.ServeMux, pattern string, h http.HandlerFunc, privileges ...string) {
	s.routes = append(s.routes, routeInfo{pattern: pattern, privileges: privileges})
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r); info != nil {
			info.route = pattern
		}
		if t := tokenFrom(r); t != nil {
			for _, p := range privileges {
				if !t.privileges[p] {
					writeError(w, r, http.StatusForbidden, "INVALID_PRIVILEGE", "Forbidden")
					return
				}
			}
		}
		h(w, r)
	})
}

func (s *Server) registerRoutes(mux *http.ServeMux) {
	s.handle(mux, "POST /api/v1/oauth/token", s.handleOAuthToken)
	s.handle(mux, "POST /api/v1/auth/token", s.handleUserToken)
	s.handle(mux, "POST /api/v1/auth/keep-alive", s.handleKeepAlive)
	s.handle(mux, "POST /api/v1/auth/invalidate-token", s.handleInvalidate)
	s.handle(mux, "GET /api/v1/auth", s.handleAuth)
	s.handle(mux, "GET /api/v1/jamf-pro-version", s.handleVersion)
	s.registerAPIRoleRoutes(mux)

	s.handle(mux, "GET /api/v2/groups", s.handleGroups)
	s.handle(mux, "GET /api/v3/computer-groups/smart-groups/{id}", s.handleSmartGroupDetail(false), "Read Smart Computer Groups")
	s.handle(mux, "GET /api/v3/computer-groups/smart-group-membership/{id}", s.handleComputerSmartMembership, "Read Smart Computer Groups")
	s.handle(mux, "GET /api/v2/mobile-device-groups/smart-groups/{id}", s.handleSmartGroupDetail(true), "Read Smart Mobile Device Groups")
	s.handle(mux, "GET /api/v2/mobile-device-groups/smart-group-membership/{id}", s.handleMobileMembership(true), "Read Smart Mobile Device Groups", "Read Mobile Devices")
	s.handle(mux, "GET /api/v2/mobile-device-groups/static-group-membership/{id}", s.handleMobileMembership(false), "Read Static Mobile Device Groups", "Read Mobile Devices")
	s.handle(mux, "GET /api/v4/computers-inventory", s.handleComputersInventory, "Read Computers")
	s.handle(mux, "GET /api/v2/mobile-devices/detail", s.handleMobileDevicesDetail, "Read Mobile Devices")

	s.handle(mux, "GET /api/v2/mdm/commands", s.handleListCommands, "View MDM command information in Jamf Pro API")
	s.handle(mux, "POST /api/v2/mdm/commands", s.handleSendCommand, "View MDM command information in Jamf Pro API")
	s.handle(mux, "POST /api/v2/mdm/blank-push", s.handleBlankPush, "View MDM command information in Jamf Pro API")

	s.handle(mux, "GET /JSSResource/computergroups/id/{id}", s.handleClassicGroup(false))
	s.handle(mux, "GET /JSSResource/mobiledevicegroups/id/{id}", s.handleClassicGroup(true))
	s.handle(mux, "GET /JSSResource/computerhistory/id/{id}/subset/{subset}", s.handleHistory(false), "Read Computers")
	s.handle(mux, "GET /JSSResource/mobiledevicehistory/id/{id}/subset/{subset}", s.handleHistory(true), "Read Mobile Devices")
	s.handle(mux, "DELETE /JSSResource/commandflush/{idtype}/id/{id}/status/{status}", s.handleFlush, "Flush MDM Commands")
	s.registerSoftwareUpdateRoutes(mux)
}
