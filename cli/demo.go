package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc/jsctest"
)

// demoOptions are the flags of jamfops demo.
type demoOptions struct {
	serve, readOnly, helpdesk, debug bool
	addr                             string
	computers, mobiles               int
	seed                             uint64
}

func newDemoCmd(ctx context.Context, env *Env) *cobra.Command {
	var o demoOptions
	c := &cobra.Command{
		Use:   "demo",
		Short: "The console on a built-in demo fleet, or the demo server alone",
		Long: `Opens the console on an in-memory Jamf Pro and JSC with a generated fleet:
no account is needed and nothing leaves the machine. With --serve it runs
the demo server alone and prints how to point jamfops (or anything else)
at it.`,
		Example: `  jamfops demo
  jamfops demo --helpdesk --read-only
  jamfops demo --serve --addr 127.0.0.1:9180 --computers 5000`,
		RunE: func(c *cobra.Command, args []string) error {
			if o.computers < 0 || o.mobiles < 0 || o.computers+o.mobiles > 500_000 {
				return usageErrorf("fleet size must be between 0 and 500000 devices")
			}
			if !o.serve {
				return runDemoConsole(ctx, &o)
			}
			return runDemoServer(ctx, env, &o)
		},
	}
	fs := c.Flags()
	fs.BoolVar(&o.serve, "serve", false, "run the demo server until interrupted and print how to connect")
	fs.BoolVar(&o.readOnly, "read-only", false, "console: hide and disable every write")
	fs.BoolVar(&o.helpdesk, "helpdesk", false, "console: connect as the read-only help-desk API client")
	fs.BoolVar(&o.debug, "debug", false, "console: verbose log file")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:9180", "loopback address for --serve (port 0 picks a free one)")
	fs.IntVar(&o.computers, "computers", 2000, "computers in the demo fleet")
	fs.IntVar(&o.mobiles, "mobile", 1000, "mobile devices in the demo fleet")
	fs.Uint64Var(&o.seed, "seed", 1, "fleet seed (the same seed gives the same fleet)")
	return c
}

// runDemoServer runs the in-memory Jamf Pro and JSC servers until interrupted.
func runDemoServer(ctx context.Context, env *Env, o *demoOptions) error {
	stdout, stderr := env.Stdout, env.Stderr
	opts := jamftest.Options{Seed: o.seed, Computers: orNone(o.computers), MobileDevices: orNone(o.mobiles), ListenAddr: o.addr}
	srv, err := jamftest.NewServer(opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	risk := jsctest.NewServer(jscDemoOptions(srv, o.seed))
	defer risk.Close()
	fmt.Fprintf(stdout, `jamfops demo server: an in-memory Jamf Pro with %d computers and %d mobile devices.

Admin API client (full rights):
  export JAMF_URL=%s
  export JAMF_CLIENT_ID=%s JAMF_CLIENT_SECRET=%s

Help-desk API client (read-only):
  export JAMF_CLIENT_ID=%s JAMF_CLIENT_SECRET=%s

User account (basic → bearer token):
  export JAMF_USERNAME=%s JAMF_PASSWORD=%s

Jamf Security Cloud Risk API (in-memory):
  export JSC_URL=%s
  export JSC_APP_ID=%s JSC_APP_SECRET=%s

Then, in another shell:  jamfops groups   or   jamfops risk list --level HIGH
These credentials open only this demo server. Press Ctrl+C to stop.
`, o.computers, o.mobiles, srv.URL, jamftest.DemoClientID, jamftest.DemoClientSecret,
		jamftest.HelpDeskClientID, jamftest.HelpDeskSecret, jamftest.DemoUsername, jamftest.DemoPassword,
		risk.URL, jsctest.DemoAppID, jsctest.DemoAppSecret)
	<-ctx.Done()
	fmt.Fprintln(stderr, "demo server stopped")
	return nil
}

// orNone maps a requested count of 0 to the server's "none" (-1).
func orNone(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// jscDemoOptions enrols the demo Jamf Pro fleet in the demo JSC: Macs,
// iPhones and iPads run Jamf Trust (Apple TVs do not), a few devices have
// not installed it yet, and some personal phones are in JSC only.
func jscDemoOptions(srv *jamftest.Server, seed uint64) jsctest.Options {
	var devs []jsctest.ExternalDevice
	for i, id := range srv.Identities() {
		if strings.Contains(id.Model, "Apple TV") || i%23 == 7 {
			continue
		}
		os := "MAC_OS"
		if id.Mobile {
			os = "IOS"
		}
		devs = append(devs, jsctest.ExternalDevice{UDID: id.UDID, Name: id.Name, User: id.User, Email: id.Email, OSType: os})
	}
	return jsctest.Options{Seed: seed, Devices: devs, Unmanaged: 15}
}
