package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jamfops/jamfops/config"
	"github.com/jamfops/jamfops/internal/daycount"
	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/jsc"
	"github.com/jamfops/jamfops/ops"
	"github.com/jamfops/jamfops/ops/mass"
)

// riskFlags are the connection settings of the risk commands.
type riskFlags struct {
	conn   connFlags
	jscURL string
	jscApp string
	noJamf bool
	asJSON bool
	reason string
	yes    bool
	group  string
	kind   string
	levels string
	batch  int
	maxAge time.Duration
}

func (f *riskFlags) register(c *cobra.Command, env *Env, write bool) {
	f.conn.register(c, env)
	fs := c.Flags()
	fs.StringVar(&f.jscURL, "jsc-url", "", "Risk API URL (default $JSC_URL or "+jsc.DefaultBaseURL+")")
	fs.StringVar(&f.jscApp, "jsc-app-id", "", "Risk API application ID (default $JSC_APP_ID or the profile's)")
	fs.BoolVar(&f.noJamf, "no-jamf", false, "do not match devices to Jamf Pro")
	if write {
		fs.StringVar(&f.reason, "reason", "", "why (required; recorded in the audit log)")
		fs.BoolVar(&f.yes, "yes", false, "do not ask for confirmation")
		fs.StringVar(&f.group, "group", "", "act on a Jamf Pro group's members (ID or name)")
		fs.StringVar(&f.kind, "kind", "", "computer or mobile, for --group")
		fs.IntVar(&f.batch, "batch-size", jsc.DefaultBatchSize, "devices per override request (1 to 1000)")
		_ = c.RegisterFlagCompletionFunc("group", completeGroups(env, &f.conn))
		_ = c.RegisterFlagCompletionFunc("kind", fixedCompletions("computer", "mobile"))
	} else {
		fs.BoolVar(&f.asJSON, "json", false, "print JSON")
		fs.StringVar(&f.levels, "level", "", "only these levels, e.g. HIGH,MEDIUM")
		fs.DurationVar(&f.maxAge, "max-age", 0, "accept the local risk cache if it is at most this old, e.g. 10m (default: read JSC afresh)")
		_ = c.RegisterFlagCompletionFunc("level", fixedCompletions(riskLevels()...))
	}
}

// validate checks the write flags before anything is opened.
func (f *riskFlags) validate() error {
	if f.batch < 1 || f.batch > 1000 {
		return usageErrorf("--batch-size must be between 1 and 1000, got %d", f.batch)
	}
	return nil
}

func riskLevels() []string {
	return []string{string(jsc.High), string(jsc.Medium), string(jsc.Low), string(jsc.Secure)}
}

// riskSession is an open JSC client, an optional Jamf Pro client and the audit log.
type riskSession struct {
	jsc    *jsc.Client
	jamf   *jamf.Client
	server string
	audit  *ops.AuditLog
	// snapPath is the tenant's risk cache ("" when there is no cache dir).
	snapPath string
	stderr   io.Writer
}

func (s *riskSession) close(ctx context.Context) {
	if s.jamf != nil {
		_ = s.jamf.Close(context.WithoutCancel(ctx))
	}
}

// open resolves the JSC credentials (environment, then the profile and
// its keychain secret) and, unless --no-jamf, a Jamf Pro connection for
// matching; without one, devices show under their JSC names.
func (f *riskFlags) open(env *Env) (*riskSession, error) {
	var opts []jsc.Option
	if f.batch > 0 {
		opts = append(opts, jsc.WithBatchSize(f.batch))
	}
	rc, err := jscClient(env, f.conn.profile, f.jscURL, f.jscApp, opts...)
	if err != nil {
		return nil, err
	}
	if rc == nil {
		return nil, errors.New("no Risk API credentials: set JSC_APP_ID and JSC_APP_SECRET (JSC portal › Integrations › Risk API); try 'jamfops demo --serve' for a demo")
	}
	s := &riskSession{jsc: rc, server: rc.BaseURL(), stderr: env.Stderr}
	if dir, err := riskCacheDir(env); err == nil {
		s.snapPath = ops.RiskCacheFile(dir, s.server, rc.AppID())
	}
	if !f.noJamf {
		conn, err := f.conn.resolve(env)
		if err == nil {
			s.jamf, err = conn.client()
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "note: no Jamf Pro connection (%s); devices show under their JSC names\n", safeText(env, err.Error()))
			s.jamf = nil
		}
	}
	path := env.AuditPath
	if path == "" {
		if path, err = ops.DefaultAuditPath(); err != nil {
			return nil, err
		}
	}
	if s.audit, err = ops.OpenAuditLog(path); err != nil {
		return nil, err
	}
	return s, nil
}

// jscClient builds a Risk API client from flags, the environment, or the
// profile (its JSC application ID and keychain secret). It returns nil,
// nil when no JSC credentials are configured at all.
func jscClient(env *Env, profile, urlFlag, appFlag string, extra ...jsc.Option) (*jsc.Client, error) {
	appID := firstNonEmpty(appFlag, env.Getenv("JSC_APP_ID"))
	secret := env.Getenv("JSC_APP_SECRET")
	var prof config.Profile
	if pf, err := config.Load(env.ProfilesPath); err == nil {
		prof, _ = pf.Get(profile)
	}
	if appID == "" {
		appID = prof.JSCAppID
	}
	if secret == "" && appID != "" && prof.Name != "" && appID == prof.JSCAppID {
		if s, err := env.Secrets.Get(prof.Name, config.SecretJSC); err == nil {
			secret = s
		}
	}
	if appID == "" && secret == "" {
		return nil, nil
	}
	if appID == "" || secret == "" {
		return nil, errors.New("incomplete Risk API credentials: set both JSC_APP_ID and JSC_APP_SECRET")
	}
	opts := append([]jsc.Option{jsc.WithUserAgent(userAgent(env))}, extra...)
	base := firstNonEmpty(urlFlag, env.Getenv("JSC_URL"), jsc.DefaultBaseURL)
	// The day's budget is counted in a file every jamfops process of this
	// user shares; without one the client counts alone.
	if dir, err := riskDataDir(env); err == nil {
		if counter, err := daycount.Open(ops.RiskBudgetFile(dir, base, appID)); err == nil {
			opts = append(opts, jsc.WithSharedBudget(counter))
		}
	}
	return jsc.NewClient(base, appID, secret, opts...)
}

func newRiskCmd(ctx context.Context, env *Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "risk",
		Short: "List JSC devices by risk level; set or reset their risk",
		Long: `Reads device risk from the Jamf Security Cloud Risk API, matched to Jamf Pro
devices when a Jamf Pro connection is configured, and pins or resets it.
Every change is recorded in the audit log with its reason and runs as a
journaled job.`,
		Example: `  jamfops risk list --level HIGH,MEDIUM
  jamfops risk set HIGH C02XK1JHJG5J --reason "Protect alert 4711"
  jamfops risk reset C02XK1JHJG5J --reason "cleared after investigation" --yes
  jamfops risk reset --group "Lab Macs" --reason "lab re-imaged" --yes`,
	}
	c.AddCommand(newRiskListCmd(ctx, env), newRiskChangeCmd(ctx, env, true), newRiskChangeCmd(ctx, env, false))
	return c
}

func newRiskListCmd(ctx context.Context, env *Env) *cobra.Command {
	var f riskFlags
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List JSC devices with their risk level and its source",
		Example: `  jamfops risk list
  jamfops risk list --level HIGH,MEDIUM --json
  jamfops risk list --max-age 10m     # a listing cached in the last 10 minutes will do
  jamfops risk list --no-jamf`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("risk list takes no devices (filter with --level)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return runRiskList(ctx, env, &f)
		},
	}
	f.register(c, env, false)
	return c
}

func newRiskChangeCmd(ctx context.Context, env *Env, set bool) *cobra.Command {
	var f riskFlags
	c := &cobra.Command{
		Use:     "reset DEVICE… | --group ID|NAME",
		Aliases: []string{"clear"},
		Short:   "Reset devices' risk to JSC's own calculation",
		Example: `  jamfops risk reset C02XK1JHJG5J --reason "cleared after investigation"
  jamfops risk reset --group "Lab Macs" --reason "lab re-imaged" --yes`,
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	if set {
		c.Use, c.Aliases = "set LEVEL DEVICE… | set LEVEL --group ID|NAME", nil
		c.Short = "Pin devices' risk to a level (HIGH, MEDIUM, LOW, SECURE)"
		c.Example = `  jamfops risk set HIGH C02XK1JHJG5J --reason "Protect alert 4711"
  jamfops risk set MEDIUM --group "Kiosk iPads" --reason "lobby audit" --yes --batch-size 4`
		c.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return riskLevels(), cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
	}
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(c *cobra.Command, args []string) error {
		return runRiskChange(ctx, env, &f, args, set)
	}
	f.register(c, env, true)
	return c
}

// riskRow is one device of jamfops risk list --json.
type riskRow struct {
	JSCID      string     `json:"jscId"`
	ExternalID string     `json:"externalId"`
	Name       string     `json:"name"`
	Serial     string     `json:"serial"`
	JamfID     string     `json:"jamfId"`
	Kind       string     `json:"kind"`
	User       string     `json:"user"`
	Risk       jsc.Level  `json:"risk"`
	Source     string     `json:"source"`
	LastSeen   *time.Time `json:"lastSeen"`
}

func runRiskList(ctx context.Context, env *Env, f *riskFlags) error {
	var want []jsc.Level
	for _, l := range strings.Split(f.levels, ",") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		lv, err := jsc.ParseLevel(l)
		if err != nil {
			return usageErrorf("%v", err)
		}
		want = append(want, lv)
	}
	s, err := f.open(env)
	if err != nil {
		return err
	}
	defer s.close(ctx)
	fleet, asOf, err := riskListFleet(ctx, s, f.maxAge)
	if err != nil {
		return err
	}
	marks := s.marks()
	counts := ops.RiskCounts(fleet)
	matched := 0
	for _, d := range fleet {
		if d.Jamf != nil {
			matched++
		}
	}
	total := len(fleet)
	if len(want) > 0 {
		fleet = slices.DeleteFunc(fleet, func(d ops.RiskDevice) bool { return !slices.Contains(want, d.JSC.Risk) })
	}
	ops.SortRisk(fleet)
	if asOf != "" {
		fmt.Fprintf(env.Stderr, "Risk levels from the local cache, %s (--max-age %s); read afresh without --max-age.\n", asOf, f.maxAge)
	}
	fmt.Fprintf(env.Stderr, "HIGH %d · MEDIUM %d · LOW %d · SECURE %d  (%d JSC devices, %d matched to Jamf Pro)\nRisk API budget: %s\n",
		counts[jsc.High], counts[jsc.Medium], counts[jsc.Low], counts[jsc.Secure], total, matched, ops.RiskBudgetText(s.jsc.Budget()))
	if f.asJSON {
		rows := make([]riskRow, 0, len(fleet))
		for _, d := range fleet {
			r := riskRow{JSCID: d.JSC.ID, ExternalID: d.JSC.ExternalID, Name: d.Name(), Serial: d.Serial(), Risk: d.JSC.Risk, Source: ops.RiskSourceOf(d, marks), User: d.JSC.UserName}
			if !d.JSC.LastSeen.IsZero() {
				t := d.JSC.LastSeen
				r.LastSeen = &t
			}
			if d.Jamf != nil {
				r.JamfID, r.Kind, r.User = d.Jamf.ID, string(d.Jamf.Kind), firstNonEmpty(d.Jamf.User, d.JSC.UserName)
			}
			rows = append(rows, r)
		}
		return writeJSON(env.Stdout, rows)
	}
	t := newTable(env.Stdout, "RISK", "NAME", "SERIAL", "USER", "SOURCE", "LAST SEEN", "JSC ID")
	for _, d := range fleet {
		user := d.JSC.UserName
		if d.Jamf != nil && d.Jamf.User != "" {
			user = d.Jamf.User
		}
		seen := d.JSC.LastSeen
		t.row(string(d.JSC.Risk), d.Name(), d.Serial(), user, ops.RiskSourceOf(d, marks), formatTime(&seen), d.JSC.ID)
	}
	return t.flush()
}

func runRiskChange(ctx context.Context, env *Env, f *riskFlags, rest []string, set bool) error {
	var level jsc.Level
	var err error
	if set {
		if len(rest) == 0 {
			return usageErrorf("usage: jamfops risk set LEVEL DEVICE… --reason TEXT")
		}
		if level, err = jsc.ParseLevel(rest[0]); err != nil {
			return usageErrorf("%v", err)
		}
		rest = rest[1:]
	}
	if len(rest) == 0 && f.group == "" {
		return usageErrorf("name devices (Jamf Pro name, serial, UDID or JSC ID) or --group")
	}
	if len(rest) > 0 && f.group != "" {
		return usageErrorf("give devices or --group, not both")
	}
	if _, err := parseKind(f.kind); err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return err
	}
	p := newPrompter(env)
	if strings.TrimSpace(f.reason) == "" {
		if f.reason, err = p.ask("Reason (recorded in the audit log)", ""); err != nil {
			return usageErrorf("--reason is required")
		}
	}
	s, err := f.open(env)
	if err != nil {
		return err
	}
	defer s.close(ctx)
	targets, err := riskTargets(ctx, s, rest, f)
	if err != nil {
		return err
	}
	what := "reset to JSC's own calculation"
	if set {
		what = "set to " + string(level)
	}
	fmt.Fprintf(env.Stderr, "%d device(s) will be %s (reason: %q):\n", len(targets), what, ops.Clean(f.reason))
	for i, d := range targets {
		if i == 10 {
			fmt.Fprintf(env.Stderr, "  … and %d more\n", len(targets)-10)
			break
		}
		fmt.Fprintf(env.Stderr, "  %-8s %s %s (JSC %s)\n", ops.Clean(string(d.JSC.Risk)), ops.Clean(d.Name()), ops.Clean(d.Serial()), ops.Clean(d.JSC.ID))
	}
	if w := ops.RiskBudgetWarning(s.jsc.Budget(), changeNeeds(len(targets), s.jsc.BatchSize(), s.loadSnapshot())); w != "" {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	if !f.yes {
		if !p.tty {
			return usageErrorf("refusing to change risk without confirmation: pass --yes (no terminal to ask on)")
		}
		answer, _ := p.ask(fmt.Sprintf("Proceed with %d device(s)? Type y to confirm", len(targets)), "n")
		if answer != "y" && answer != "Y" {
			fmt.Fprintln(env.Stderr, "Cancelled: nothing was changed.")
			return nil
		}
	}
	outcomes, err := runRiskJob(ctx, env, s, targets, level, f.reason)
	if err != nil {
		return err
	}
	// Read back only the devices that changed: a reset device JSC still
	// sees a threat on keeps its computed level.
	var changed []ops.RiskDevice
	for _, o := range outcomes {
		if o.Err == nil {
			changed = append(changed, o.Device)
		}
	}
	after, rerr := s.readBack(ctx, changed)
	if rerr != nil {
		fmt.Fprintf(env.Stderr, "note: reading the levels back failed: %s\n", safeText(env, rerr.Error()))
	}
	failed := 0
	for _, o := range outcomes {
		d := o.Device
		if o.Err != nil {
			failed++
			fmt.Fprintf(env.Stdout, "failed  %s %s (JSC %s): %s\n", ops.Clean(d.Name()), ops.Clean(d.Serial()), ops.Clean(d.JSC.ID), safeText(env, o.Err.Error()))
			continue
		}
		note := ""
		if !set && after[d.JSC.ID] != "" && after[d.JSC.ID] != jsc.Secure {
			note = "  (JSC still calculates this level: a threat remains)"
		}
		fmt.Fprintf(env.Stdout, "ok      %s %s (JSC %s): %s → %s%s\n", ops.Clean(d.Name()), ops.Clean(d.Serial()), ops.Clean(d.JSC.ID), ops.Clean(string(d.JSC.Risk)), ops.Clean(string(orUnknown(after[d.JSC.ID]))), note)
	}
	fmt.Fprintf(env.Stderr, "Recorded in %s. Risk API budget: %s.\n", s.audit.Path(), ops.RiskBudgetText(s.jsc.Budget()))
	if failed > 0 {
		return fmt.Errorf("%d of %d devices failed", failed, len(outcomes))
	}
	return nil
}

func orUnknown(l jsc.Level) jsc.Level {
	if l == "" {
		return "?"
	}
	return l
}

// riskResumeHint says how to continue an interrupted risk job: the one
// place that says so.
func riskResumeHint(jobID string) string {
	return "resume it with: jamfops mass resume " + jobID + " (or R in the console's :jobs)"
}

// runRiskJob runs a risk change as a journaled mass-action job, so that a
// crash can be resumed (see riskResumeHint).
func runRiskJob(ctx context.Context, env *Env, s *riskSession, targets []ops.RiskDevice, level jsc.Level, reason string) ([]ops.RiskOutcome, error) {
	k := mass.RiskKnobs()
	k.BatchSize = s.jsc.BatchSize()
	p, pf, err := mass.BuildRisk(s.jsc, mass.RiskRequest{Server: s.server, Label: fmt.Sprintf("%d JSC devices", len(targets)), Level: level,
		Reason: reason, Knobs: k, Devices: targets})
	if err != nil {
		return nil, err
	}
	if len(pf.Missing) > 0 {
		return nil, errors.New(strings.Join(pf.Missing, "; "))
	}
	dir, err := jobsDir(env.JobsDir)
	if err != nil {
		return nil, err
	}
	j, err := mass.CreateJournal(dir, p)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	fmt.Fprintf(env.Stderr, "Job %s (journal %s); if it is interrupted, %s\n", p.ID, j.Path(), riskResumeHint(p.ID))
	_, st, err := mass.ReadJournal(j.Path())
	if err != nil {
		return nil, err
	}
	r := mass.NewRunner(s.jamf, j, s.audit)
	r.JSC = s.jsc
	final, err := r.Run(ctx, p, st)
	if err != nil {
		return nil, err
	}
	out := make([]ops.RiskOutcome, len(targets))
	for i, t := range targets {
		out[i] = ops.RiskOutcome{Device: t}
		if final.Targets[i] != mass.StateSent {
			out[i].Err = fmt.Errorf("%s: %s", final.Targets[i], final.Reasons[i])
		}
	}
	return out, nil
}
