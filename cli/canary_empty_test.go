package cli

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/jamfops/jamfops/jamf/jamftest"
)

// TestEmptyTargetGroupWithCanaryGroup: a smart group that matches nobody
// today, run with --canary-group, says there is nothing to send to (it
// used to index the empty target list to learn the canary group's kind).
func TestEmptyTargetGroupWithCanaryGroup(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	u, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(u)
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/smart-group-membership/") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"members":[]}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(empty.Close)
	r := runWith(t, srv, map[string]string{"JAMF_URL": empty.URL},
		"mass", "run", "--group", "Sales Macs", "--canary-group", "Executive Macs", "--command", "blank-push", "--stages", "2,all", "--dry-run")
	if r.code != 1 || !strings.Contains(r.stderr, "no target devices") || strings.Contains(r.stderr, "panic") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// TestCanaryGroupOfTheOtherPlatform: a mobile pilot group for a Mac job is
// refused with what is wrong (it is a mobile device group), not "no group
// matches" for a group the admin can see in Jamf Pro.
func TestCanaryGroupOfTheOtherPlatform(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, jamftest.Options{})
	r := runWith(t, srv, nil, "mass", "run", "--group", "Executive Macs", "--canary-group", "Executive iPhones", "--command", "blank-push",
		"--stages", "2,all", "--dry-run")
	if r.code != 1 || !strings.Contains(r.stderr, "mobile device group") || !strings.Contains(r.stderr, "computers") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}
