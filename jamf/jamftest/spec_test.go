package jamftest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
)

// exchange is one recorded request and answer.
type exchange struct {
	req     *http.Request
	reqBody []byte
	status  int
	header  http.Header
	body    []byte
}

// recorder is a RoundTripper that keeps every exchange.
type recorder struct {
	mu   sync.Mutex
	seen []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.seen = append(r.seen, exchange{req: req, reqBody: reqBody, status: resp.StatusCode, header: resp.Header.Clone(), body: body})
	r.mu.Unlock()
	return resp, nil
}

var paramRE = regexp.MustCompile(`\{[^}]+\}`)

func normalise(path string) string { return paramRE.ReplaceAllString(path, "{}") }

// classicPaths reads "METHOD /path" pairs from the Classic Swagger YAML.
func classicPaths(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("testdata/spec/classic-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	inPaths, current := false, ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "paths:":
			inPaths = true
		case inPaths && len(line) > 0 && line[0] != ' ':
			inPaths = false
		case inPaths && (strings.HasPrefix(line, "  /") || strings.HasPrefix(line, "  '/")) && strings.HasSuffix(line, ":"):
			current = strings.Trim(strings.TrimSuffix(strings.TrimSpace(line), ":"), "'")
		case inPaths && current != "" && strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     "):
			m := strings.TrimSuffix(strings.TrimSpace(line), ":")
			switch m {
			case "get", "post", "put", "delete", "patch":
				out[strings.ToUpper(m)+" "+normalise("/JSSResource"+current)] = true
			}
		}
	}
	return out
}

func loadProSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("testdata/spec/jamf-pro-api.json")
	if err != nil {
		t.Fatalf("loading the Jamf Pro API spec: %v", err)
	}
	return doc
}

// exercise calls every route the server serves through the real client
// (and raw requests for the few the client does not use).
func exercise(t *testing.T, srv *jamftest.Server, hc *http.Client) {
	t.Helper()
	ctx := t.Context()
	c, err := jamf.NewClient(srv.URL, jamf.WithHTTPClient(hc), jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = c.Auth.Version(ctx)
	must(err)
	_, err = c.Auth.Privileges(ctx)
	must(err)
	groups, _, err := c.Groups.List(ctx, nil)
	must(err)
	for _, g := range groups {
		if g.Platform() == jamf.PlatformComputer {
			if g.Smart {
				_, _, err = c.Groups.GetSmartComputerGroup(ctx, g.ID)
				must(err)
			}
			_, _, err = c.Groups.ComputerMemberIDs(ctx, g.ID, g.Smart)
			must(err)
		} else {
			if g.Smart {
				_, _, err = c.Groups.GetSmartMobileGroup(ctx, g.ID)
				must(err)
			}
			_, _, err = c.Groups.MobileMembers(ctx, g.ID, g.Smart, &jamf.ListOptions{PageSize: 50})
			must(err)
		}
	}
	_, _, err = c.Groups.ComputerMemberIDs(ctx, "9999", true) // a 404 ApiError
	if err == nil {
		t.Fatal("unknown smart group: no error")
	}
	computers, _, err := c.Computers.List(ctx, []string{"GENERAL", "HARDWARE", "OPERATING_SYSTEM", "USER_AND_LOCATION"}, &jamf.ListOptions{PageSize: 100, Filter: jamf.Le("id", "120")})
	must(err)
	mobiles, _, err := c.MobileDevices.List(ctx, &jamf.ListOptions{PageSize: 100, Filter: jamf.Le("mobileDeviceId", "60")})
	must(err)
	ids := []string{computers[0].General.ManagementID, computers[1].General.ManagementID, mobiles[0].ManagementID}
	_, _, err = c.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "DEVICE_INFORMATION"}, ids)
	must(err)
	_, _, err = c.MDM.BlankPush(ctx, ids)
	must(err)
	srv.Clock().(*jamftest.VirtualClock).Advance(2 * time.Minute)
	_, _, err = c.MDM.CommandsForDevices(ctx, ids)
	must(err)
	_, _, err = c.MDM.ListCommands(ctx, &jamf.ListOptions{Filter: jamf.Eq("status", "Error"), PageSize: 200})
	must(err)
	_, _, err = c.Classic.ComputerCommandHistory(ctx, computers[0].ID)
	must(err)
	_, _, err = c.Classic.MobileDeviceCommandHistory(ctx, mobiles[0].MobileDeviceID)
	must(err)
	raw, err := hc.Do(mustRequest(t, ctx, http.MethodGet, srv.URL+"/JSSResource/mobiledevicegroups/id/1", "", c))
	must(err)
	raw.Body.Close()
	_, err = c.MDM.Flush(ctx, jamf.FlushComputers, []string{computers[0].ID}, jamf.FlushPendingAndFailed)
	must(err)
	exerciseAPIRoles(t, c)
	exerciseSoftwareUpdates(t, srv, c, groups)

	user, err := jamf.NewClient(srv.URL, jamf.WithHTTPClient(hc), jamf.WithUserCredentials(jamftest.DemoUsername, jamftest.DemoPassword))
	must(err)
	_, _, err = user.Auth.Version(ctx)
	must(err)
	must(user.Close(ctx))
	// keep-alive with a fresh user token
	tok := userToken(t, hc, srv.URL)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v1/auth/keep-alive", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := hc.Do(req)
	must(err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("keep-alive: %s", resp.Status)
	}
}

func userToken(t *testing.T, hc *http.Client, base string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/api/v1/auth/token", nil)
	req.SetBasicAuth(jamftest.DemoUsername, jamftest.DemoPassword)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Token == "" {
		t.Fatalf("user token: %v", err)
	}
	return body.Token
}

// mustRequest builds a raw request carrying a fresh client-credentials token.
func mustRequest(t *testing.T, ctx context.Context, method, url, accept string, _ *jamf.Client) *http.Request {
	t.Helper()
	form := strings.NewReader("grant_type=client_credentials&client_id=" + jamftest.DemoClientID + "&client_secret=" + jamftest.DemoClientSecret)
	treq, _ := http.NewRequestWithContext(ctx, http.MethodPost, strings.Split(url, "/JSSResource")[0]+"/api/v1/oauth/token", form)
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(treq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	req, _ := http.NewRequestWithContext(ctx, method, url, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return req
}

func TestServedRoutesExistInSpec(t *testing.T) {
	t.Parallel()
	doc := loadProSpec(t)
	classic := classicPaths(t)
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 50, MobileDevices: 20, Clock: jamftest.NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, route := range srv.Routes() {
		method, path, _ := strings.Cut(route, " ")
		if rest, ok := strings.CutPrefix(path, "/api"); ok {
			item := doc.Paths.Find(rest)
			if item == nil {
				// Find matches templates; compare normalised forms too.
				for p, it := range doc.Paths.Map() {
					if normalise(p) == normalise(rest) {
						item = it
					}
				}
			}
			if item == nil || item.GetOperation(method) == nil {
				t.Errorf("%s is not in the Jamf Pro API spec", route)
				continue
			}
			op := item.GetOperation(method)
			if op.Deprecated {
				t.Errorf("%s is deprecated in the spec; use its successor", route)
			}
			var want []string
			if v, ok := op.Extensions["x-required-privileges"].([]any); ok {
				for _, p := range v {
					want = append(want, fmt.Sprint(p))
				}
			}
			got := srv.RoutePrivileges(route)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(want, got) {
				t.Errorf("%s checks privileges %q, spec says %q", route, got, want)
			}
			continue
		}
		if !classic[method+" "+normalise(path)] {
			t.Errorf("%s is not in the Classic API spec", route)
		}
	}
}

func TestResponsesMatchSpec(t *testing.T) {
	t.Parallel()
	doc := loadProSpec(t)
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 150, MobileDevices: 80, Clock: jamftest.NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	doc.Servers = openapi3.Servers{{URL: srv.URL + "/api"}}
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	exercise(t, srv, &http.Client{Transport: rec})

	for _, route := range srv.Routes() {
		if srv.Log().Requests(route) == 0 {
			t.Errorf("route %s was never exercised", route)
		}
	}
	checked := 0
	for _, ex := range rec.seen {
		if !strings.HasPrefix(ex.req.URL.Path, "/api/") || !strings.Contains(ex.header.Get("Content-Type"), "json") {
			continue
		}
		route, params, err := router.FindRoute(ex.req)
		if err != nil {
			t.Errorf("%s %s: no spec route: %v", ex.req.Method, ex.req.URL.Path, err)
			continue
		}
		input := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: ex.req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: ex.status, Header: ex.header,
			Options: &openapi3filter.Options{MultiError: true},
		}
		input.SetBodyBytes(ex.body)
		if strings.HasPrefix(ex.req.URL.Path, "/api/v1/api-") || strings.HasPrefix(ex.req.URL.Path, "/api/v1/managed-software-updates/") {
			checkRequest(t, route, params, ex)
		}
		if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
			t.Errorf("%s %s → %d does not validate: %v", ex.req.Method, ex.req.URL.Path, ex.status, shorten(err.Error()))
			continue
		}
		if resp := route.Operation.Responses.Status(ex.status); resp != nil && resp.Value != nil {
			if mt := resp.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				var v any
				if err := json.Unmarshal(ex.body, &v); err != nil {
					t.Errorf("%s: body is not JSON: %v", ex.req.URL.Path, err)
					continue
				}
				for _, extra := range unknownFields("", mt.Schema, v) {
					t.Errorf("%s %s: field %s is not in the spec", ex.req.Method, ex.req.URL.Path, extra)
				}
			}
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d JSON answers were checked", checked)
	}
	t.Logf("%d JSON answers validated against the spec", checked)
}

func shorten(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// unknownFields lists object keys in v that the schema does not declare.
func unknownFields(path string, ref *openapi3.SchemaRef, v any) []string {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	switch val := v.(type) {
	case map[string]any:
		if s.Discriminator != nil && len(s.OneOf) > 0 {
			if tag, ok := val[s.Discriminator.PropertyName].(string); ok {
				if target, ok := s.Discriminator.Mapping[tag]; ok {
					for _, alt := range s.OneOf {
						if alt.Ref == target.Ref {
							return unknownFields(path, alt, v)
						}
					}
				}
			}
		}
		props := map[string]*openapi3.SchemaRef{}
		collectProps(s, props)
		if len(props) == 0 || (s.AdditionalProperties.Schema != nil) {
			return nil
		}
		var out []string
		for k, child := range val {
			p, ok := props[k]
			if !ok {
				out = append(out, path+"."+k)
				continue
			}
			out = append(out, unknownFields(path+"."+k, p, child)...)
		}
		return out
	case []any:
		var out []string
		for i, item := range val {
			if i > 3 {
				break
			}
			out = append(out, unknownFields(fmt.Sprintf("%s[%d]", path, i), s.Items, item)...)
		}
		return out
	}
	return nil
}

func collectProps(s *openapi3.Schema, into map[string]*openapi3.SchemaRef) {
	for k, p := range s.Properties {
		into[k] = p
	}
	for _, part := range s.AllOf {
		if part.Value != nil {
			collectProps(part.Value, into)
		}
	}
}

// exerciseAPIRoles calls the API role and API client routes through the client.
func exerciseAPIRoles(t *testing.T, c *jamf.Client) {
	t.Helper()
	ctx := t.Context()
	roles := c.APIRoles()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := roles.RolePrivileges(ctx)
	must(err)
	role, _, err := roles.CreateRole(ctx, jamf.APIRoleRequest{DisplayName: "spec role", Privileges: []string{jamf.PrivReadComputers}})
	must(err)
	_, _, err = roles.ListRoles(ctx, &jamf.ListOptions{Filter: jamf.Eq("displayName", role.DisplayName)})
	must(err)
	in, _, err := roles.CreateIntegration(ctx, jamf.APIIntegrationRequest{AuthorizationScopes: []string{role.DisplayName},
		DisplayName: "spec client", Enabled: true, AccessTokenLifetimeSeconds: 300})
	must(err)
	_, _, err = roles.ListIntegrations(ctx, nil)
	must(err)
	_, _, err = roles.CreateClientCredentials(ctx, fmt.Sprint(in.ID))
	must(err)
}

// checkRequest validates a recorded request (parameters and body) against the spec.
func checkRequest(t *testing.T, route *routers.Route, params map[string]string, ex exchange) {
	t.Helper()
	req := ex.req.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(ex.reqBody))
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Errorf("request %s %s does not validate: %v", ex.req.Method, ex.req.URL.Path, shorten(err.Error()))
	}
}

// TestAPIRoleErrorsMatchSpec sends API role and client requests that break
// the spec's rules and checks the server refuses them as the spec says.
func TestAPIRoleErrorsMatchSpec(t *testing.T) {
	t.Parallel()
	doc := loadProSpec(t)
	srv, err := jamftest.NewServer(jamftest.Options{Computers: 5, MobileDevices: 5, Clock: jamftest.NewVirtualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	doc.Servers = openapi3.Servers{{URL: srv.URL + "/api"}}
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	auth := mustRequest(t, ctx, http.MethodGet, srv.URL+"/JSSResource/computers", "", nil).Header.Get("Authorization")
	send := func(method, path, body string) exchange {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, srv.URL+"/api"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("Accept", "application/json")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		req.Body = io.NopCloser(strings.NewReader(body))
		return exchange{req: req, reqBody: []byte(body), status: resp.StatusCode, header: resp.Header, body: data}
	}
	if ex := send(http.MethodPost, "/v1/api-roles", `{"displayName":"ok role","privileges":["Read Computers"]}`); ex.status != http.StatusOK {
		t.Fatalf("valid role: %d %s", ex.status, ex.body)
	}
	cases := []struct {
		name, path, body string
		status           int
		field            string
		specRequest      bool // the request itself breaks the spec
	}{
		{"role without displayName", "/v1/api-roles", `{"privileges":["Read Computers"]}`, 400, "displayName", true},
		{"role without privileges", "/v1/api-roles", `{"displayName":"r"}`, 400, "privileges", true},
		{"role with an unknown privilege", "/v1/api-roles", `{"displayName":"r","privileges":["Read Everything"]}`, 400, "privileges", false},
		{"role with a taken name", "/v1/api-roles", `{"displayName":"ok role","privileges":[]}`, 400, "displayName", false},
		{"client without displayName", "/v1/api-integrations", `{"authorizationScopes":["ok role"]}`, 400, "displayName", true},
		{"client without roles", "/v1/api-integrations", `{"displayName":"c"}`, 400, "authorizationScopes", true},
		{"client with an unknown role", "/v1/api-integrations", `{"displayName":"c","authorizationScopes":["no such role"]}`, 400, "authorizationScopes", false},
		{"credentials of an unknown client", "/v1/api-integrations/99/client-credentials", "", 404, "id", false},
	}
	for _, tc := range cases {
		ex := send(http.MethodPost, tc.path, tc.body)
		if ex.status != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, ex.status, tc.status, ex.body)
			continue
		}
		var apiErr struct {
			HTTPStatus int `json:"httpStatus"`
			Errors     []struct {
				Code  string  `json:"code"`
				Field *string `json:"field"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(ex.body, &apiErr); err != nil || apiErr.HTTPStatus != tc.status || len(apiErr.Errors) != 1 ||
			apiErr.Errors[0].Field == nil || *apiErr.Errors[0].Field != tc.field {
			t.Errorf("%s: body %s does not name field %q", tc.name, ex.body, tc.field)
		}
		route, params, err := router.FindRoute(ex.req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		rin := &openapi3filter.RequestValidationInput{Request: ex.req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if reqErr := openapi3filter.ValidateRequest(context.Background(), rin); (reqErr != nil) != tc.specRequest {
			t.Errorf("%s: spec validation of the request = %v, want failure %v", tc.name, reqErr, tc.specRequest)
		}
		if resp := route.Operation.Responses.Status(tc.status); resp != nil {
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: rin, Status: ex.status, Header: ex.header,
				Options: &openapi3filter.Options{MultiError: true}}
			out.SetBodyBytes(ex.body)
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("%s: the %d answer does not validate: %v", tc.name, ex.status, shorten(err.Error()))
			}
		}
	}
	if n := len(srv.APIRoles()); n != 1 {
		t.Errorf("%d roles exist after the refused requests, want 1", n)
	}
	if n := len(srv.APIClients()); n != 0 {
		t.Errorf("%d API clients exist after the refused requests, want 0", n)
	}
}
