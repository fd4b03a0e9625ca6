// Command bench compares ways of sending one MDM command to a large fleet
// against jamftest's capacity model: jamfops's paced runner, a naive
// all-at-once fan-out, and one request per device in sequence (as existing
// tools do).
//
// The server runs -scale times faster than the one it models (capacity
// multiplied, latency divided), so a run takes about a minute and a half;
// "virtual" times are real times multiplied back. The job journal's disk
// syncs and the runner's slow start (one send a second, its first interval
// after the clock read) are not scaled, so a large -scale overstates their
// share: at -scale 4 the first second alone is a tenth of the 40 s ideal.
//
//	go run ./cmd/massbench -devices 20000 -scale 4
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jamf/jamftest"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// The modelled server: 20 work units a second (a 50-device send costs 2, so
// 10 sends a second), 5 requests at once, 40 ms service time.
const (
	capacityUnits = 20.0
	maxConcurrent = 5
	baseLatency   = 40 * time.Millisecond
	batch         = 50
	perDeviceCost = 0.02
)

// capacityModel is a server's capacity, in the modelled server's terms
// (before -scale): work units a second, how many may arrive at once, and
// the service time of an idle server (it grows up to four times as the
// server fills: jamftest's LoadModel).
type capacityModel struct {
	name     string
	capacity float64 // units a second
	burst    float64 // units
	latency  time.Duration
	// fixedBurst keeps the burst as is under -scale: what may arrive at
	// once does not change with the simulation's speed (a quarter second
	// of capacity does).
	fixedBurst bool
}

// models are the servers the paced runner must stay under without finding
// their capacity by overload: jamftest's default (a quarter second of
// burst), a smaller burst (a send and a half: two sends much closer than
// the capacity allows are refused), a slower server with that small burst,
// and a server whose latency grows with load well before it refuses (two
// seconds of burst, a slow service time).
func models() []capacityModel {
	return []capacityModel{
		{"default: 10 sends/s, burst 2.5 sends", capacityUnits, capacityUnits / 4, baseLatency, false},
		{"small burst: 10 sends/s, burst 1.5 sends", capacityUnits, 3, baseLatency, true},
		{"slower, small burst: 4 sends/s, burst 1.5 sends", 8, 3, baseLatency, true},
		{"latency grows first: 10 sends/s, burst 20 sends, 120 ms", capacityUnits, 2 * capacityUnits, 120 * time.Millisecond, false},
	}
}

type result struct {
	name                    string
	real                    time.Duration
	requests, rejected      int
	peak                    int
	delivered, wrongCounted int
}

func main() {
	devices := flag.Int("devices", 20000, "fleet size")
	scale := flag.Float64("scale", 4, "how much faster than the modelled server the simulation runs")
	seqSample := flag.Int("sequential-sample", 1000, "devices the sequential run sends to (its time is extrapolated)")
	capacity := flag.Bool("models", false, "run jamfops's default knobs against each capacity model instead of comparing strategies")
	only := flag.Int("model", 0, "with -models, run only this model (1 to 4)")
	flag.Parse()
	if *capacity {
		if err := runModels(*devices, *scale, *only); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*devices, *scale, *seqSample); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func newServer(n int, scale float64) (*jamftest.Server, []ops.Device, *jamf.Client, error) {
	return newModelServer(n, scale, models()[0])
}

func newModelServer(n int, scale float64, m capacityModel) (*jamftest.Server, []ops.Device, *jamf.Client, error) {
	burst := m.burst * scale
	if m.fixedBurst {
		burst = m.burst
	}
	srv, err := jamftest.NewServer(jamftest.Options{Computers: n, MobileDevices: -1, OfflineShare: 0.0001,
		Load: jamftest.LoadModel{Capacity: m.capacity * scale, Burst: burst, MaxConcurrent: maxConcurrent,
			BaseLatency: time.Duration(float64(m.latency) / scale), PerDeviceCost: perDeviceCost}})
	if err != nil {
		return nil, nil, nil, err
	}
	// Listing is not what is measured: read the fleet with a generous client.
	c, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithRetries(20, 10*time.Millisecond))
	list, _, err := c.Computers.List(context.Background(), nil, &jamf.ListOptions{PageSize: 2000})
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	devs := make([]ops.Device, len(list))
	for i, cm := range list {
		devs[i] = ops.FromComputer(cm)
	}
	return srv, devs, c, nil
}

// measure snapshots the admin log before a run so only its sends count.
func measure(name string, srv *jamftest.Server, devs []ops.Device, f func() error) (result, error) {
	log := srv.Log()
	before, rejBefore := log.Requests("POST /api/v2/mdm/commands"), log.Rejected()
	began := time.Now()
	err := f()
	r := result{name: name, real: time.Since(began), requests: log.Requests("POST /api/v2/mdm/commands") - before,
		rejected: log.Rejected() - rejBefore, peak: log.PeakConcurrencySince(began)}
	for _, d := range devs {
		switch log.CommandCount(d.ManagementID, "DEVICE_INFORMATION") {
		case 1:
			r.delivered++
		case 0:
		default:
			r.wrongCounted++
		}
	}
	return r, err
}

func runJamfops(ctx context.Context, c *jamf.Client, devs []ops.Device, k mass.Knobs, dir string) error {
	p, _, err := mass.Build(ctx, c, mass.Request{Server: "bench", Label: "bench", Action: mass.Action{Kind: mass.KindCommand, CommandType: "DEVICE_INFORMATION"}, Knobs: k, Devices: devs})
	if err != nil {
		return err
	}
	j, err := mass.CreateJournal(dir, p)
	if err != nil {
		return err
	}
	defer j.Close()
	_, st, err := mass.ReadJournal(j.Path())
	if err != nil {
		return err
	}
	st2, err := mass.NewRunner(c, j, nil).Run(ctx, p, st)
	if err != nil {
		return err
	}
	if st2.Ended != "done" {
		return errors.New("jamfops run ended " + st2.Ended)
	}
	return nil
}

// naive fires every batch at once and re-fires the refused ones at once
// until all are accepted, as a script with a plain loop would.
func naive(ctx context.Context, c *jamf.Client, devs []ops.Device) error {
	var pending [][]string
	for i := 0; i < len(devs); i += batch {
		var ids []string
		for _, d := range devs[i:min(len(devs), i+batch)] {
			ids = append(ids, d.ManagementID)
		}
		pending = append(pending, ids)
	}
	for round := 0; len(pending) > 0; round++ {
		if round > 10000 {
			return errors.New("naive fan-out never finished")
		}
		var mu sync.Mutex
		var refused [][]string
		var wg sync.WaitGroup
		for _, ids := range pending {
			wg.Go(func() {
				_, _, err := c.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "DEVICE_INFORMATION"}, ids)
				if err != nil {
					mu.Lock()
					refused = append(refused, ids)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		pending = refused
	}
	return nil
}

// sequential sends one request per device, one after another, retrying a
// refused one after a second.
func sequential(ctx context.Context, c *jamf.Client, devs []ops.Device) error {
	for _, d := range devs {
		for {
			_, _, err := c.MDM.SendCommand(ctx, jamf.PlatformComputer, jamf.CommandData{CommandType: "DEVICE_INFORMATION"}, []string{d.ManagementID})
			var rl *jamf.RateLimitError
			if errors.As(err, &rl) {
				time.Sleep(rl.RetryAfter)
				continue
			}
			if err != nil {
				return err
			}
			break
		}
	}
	return nil
}

func run(n int, scale float64, seqSample int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jamfops-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ideal := time.Duration(float64(n) / batch / (capacityUnits / (1 + batch*perDeviceCost)) * float64(time.Second))
	fmt.Printf("%d devices, modelled server: %.0f units/s (a %d-device send costs %.0f: %.0f sends/s), %d at once, %v service time; simulation %.0f× faster\n",
		n, capacityUnits, batch, 1+batch*perDeviceCost, capacityUnits/(1+batch*perDeviceCost), maxConcurrent, baseLatency, scale)
	fmt.Printf("ideal (devices ÷ batch ÷ sends per second): %v\n\n", ideal)

	var results []result
	type strategy struct {
		name string
		n    int
		f    func(c *jamf.Client, devs []ops.Device) error
	}
	defaults := mass.DefaultKnobs()
	defaults.Stages, defaults.SkipOfflineDays, defaults.StageWait = nil, 0, 0
	scaled := func(k mass.Knobs) mass.Knobs { k.Rate *= scale; return k }
	tuned := defaults
	tuned.Rate, tuned.Concurrency = 2, 2
	strategies := []strategy{
		{"jamfops, default knobs (ceiling 10 sends/s, slow start, 2 at once)", n, func(c *jamf.Client, d []ops.Device) error { return runJamfops(ctx, c, d, scaled(defaults), dir) }},
		{"jamfops, cautious ceiling of 2 sends/s", n, func(c *jamf.Client, d []ops.Device) error { return runJamfops(ctx, c, d, scaled(tuned), dir) }},
		{"naive fan-out, all at once, refused ones again at once", n, func(c *jamf.Client, d []ops.Device) error { return naive(ctx, c, d) }},
		{fmt.Sprintf("one request per device in sequence (%d devices, extrapolated)", seqSample), min(seqSample, n), func(c *jamf.Client, d []ops.Device) error { return sequential(ctx, c, d) }},
	}
	for _, s := range strategies {
		srv, devs, _, err := newServer(n, scale)
		if err != nil {
			return err
		}
		conc := maxConcurrent
		if s.name[:5] == "naive" {
			conc = 1000
		}
		c, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithConcurrency(conc), jamf.WithRetries(0, 0))
		target := devs[:s.n]
		r, err := measure(s.name, srv, target, func() error { return s.f(c, target) })
		srv.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if s.n < n {
			r.real = time.Duration(float64(r.real) * float64(n) / float64(s.n))
			r.requests = r.requests * n / s.n
			r.rejected = r.rejected * n / s.n
		}
		results = append(results, r)
	}
	fmt.Printf("%-64s %10s %10s %9s %8s %5s %9s %s\n", "strategy", "virtual", "real", "requests", "503s", "peak", "× ideal", "each device once")
	for _, r := range results {
		virtual := time.Duration(float64(r.real) * scale)
		fmt.Printf("%-64s %10s %10s %9d %8d %5d %9.2f %v\n", r.name, virtual.Round(100*time.Millisecond), r.real.Round(10*time.Millisecond),
			r.requests, r.rejected, r.peak, float64(virtual)/float64(ideal), r.wrongCounted == 0)
	}
	return nil
}

// runModels runs jamfops with its default knobs against each capacity
// model and checks the bar: at most 1 % of sends refused (503/429), at
// most 1.2 times the ideal time, every device exactly once.
func runModels(n int, scale float64, only int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jamfops-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	k := mass.DefaultKnobs()
	k.Stages, k.SkipOfflineDays, k.StageWait, k.AllowDuplicates = nil, 0, 0, true
	k.Rate *= scale
	fmt.Printf("%d devices, jamfops default knobs (ceiling %.0f sends/s, %d at once), simulation %.0f× faster\n\n", n, mass.DefaultKnobs().Rate, k.Concurrency, scale)
	fmt.Printf("%-56s %9s %9s %9s %7s %7s %8s %s\n", "capacity model", "ideal", "virtual", "requests", "503s", "503 %", "× ideal", "each device once")
	failed := false
	for i, m := range models() {
		if only > 0 && i+1 != only {
			continue
		}
		srv, devs, _, err := newModelServer(n, scale, m)
		if err != nil {
			return err
		}
		c, _ := jamf.NewClient(srv.URL, jamf.WithClientCredentials(jamftest.DemoClientID, jamftest.DemoClientSecret), jamf.WithConcurrency(maxConcurrent), jamf.WithRetries(0, 0))
		r, err := measure(m.name, srv, devs, func() error { return runJamfops(ctx, c, devs, k, dir) })
		srv.Close()
		if err != nil {
			// Still report the row: the run did not end well.
			fmt.Printf("%-56s run ended with: %v\n", m.name, err)
			failed = true
		}
		sendsPerSecond := m.capacity / (1 + batch*perDeviceCost)
		ideal := time.Duration(float64(n) / batch / sendsPerSecond * float64(time.Second))
		virtual := time.Duration(float64(r.real) * scale)
		share := 100 * float64(r.rejected) / float64(max(1, r.requests))
		once := r.wrongCounted == 0 && r.delivered == len(devs)
		ok := share <= 1 && float64(virtual) <= 1.2*float64(ideal) && once
		failed = failed || !ok
		mark := "ok"
		if !ok {
			mark = "MISSED"
		}
		fmt.Printf("%-56s %9s %9s %9d %7d %6.1f%% %8.2f %-5v %s\n", m.name, ideal.Round(100*time.Millisecond), virtual.Round(100*time.Millisecond),
			r.requests, r.rejected, share, float64(virtual)/float64(ideal), once, mark)
	}
	if failed {
		return errors.New("a capacity model missed the bar (≤ 1 % refused, ≤ 1.2× ideal, each device once)")
	}
	return nil
}
