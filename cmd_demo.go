package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/jsc/jsctest"
)

// runDemo runs the in-memory Jamf Pro server (--serve).
func runDemo(ctx context.Context, args []string, env *cliEnv) error {
	stdout, stderr := env.stdout, env.stderr
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	serve := fs.Bool("serve", false, "run the demo server until interrupted and print how to connect")
	fs.Bool("read-only", false, "console: hide and disable every write")
	fs.Bool("helpdesk", false, "console: connect as the read-only help-desk API client")
	fs.Bool("debug", false, "console: verbose log file")
	addr := fs.String("addr", "127.0.0.1:9180", "loopback address for --serve (port 0 picks a free one)")
	computers := fs.Int("computers", 2000, "computers in the demo fleet")
	mobiles := fs.Int("mobile", 1000, "mobile devices in the demo fleet")
	seed := fs.Uint64("seed", 1, "fleet seed (the same seed gives the same fleet)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if !*serve {
		return runDemoConsole(ctx, args, env)
	}
	if *computers < 0 || *mobiles < 0 || *computers+*mobiles > 500_000 {
		return fmt.Errorf("%w: fleet size must be between 0 and 500000 devices", errUsage)
	}
	opts := jamftest.Options{Seed: *seed, Computers: orNone(*computers), MobileDevices: orNone(*mobiles), ListenAddr: *addr}
	srv, err := jamftest.NewServer(opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	risk := jsctest.NewServer(jscDemoOptions(srv, *seed))
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
`, *computers, *mobiles, srv.URL, jamftest.DemoClientID, jamftest.DemoClientSecret,
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
