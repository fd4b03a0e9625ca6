// Package mass plans and runs throttled mass actions: an MDM command, a
// blank push or a flush sent to many devices in paced batches, in stages,
// with a journal that makes a crash resumable without sending any device
// the same command twice.
package mass

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// Action kinds.
const (
	KindCommand   = "command"
	KindBlankPush = "blankpush"
	KindFlush     = "flush"
	// KindSoftwareUpdate creates one managed software update plan per
	// device (Action.Update says what plan).
	KindSoftwareUpdate = "software-update"
)

// Action is what a job sends.
type Action struct {
	Kind string `json:"kind"`
	// CommandType is the Jamf command type for KindCommand (RESTART_DEVICE…).
	CommandType string         `json:"commandType,omitempty"`
	Fields      map[string]any `json:"fields,omitempty"`
	// ReturnToService is ERASE_DEVICE's return-to-service option, its
	// profiles kept by path and hash (CommandFields reads them to send).
	ReturnToService *ReturnToService `json:"returnToService,omitempty"`
	// FlushStatus is what KindFlush removes: Pending, Failed or Pending+Failed.
	FlushStatus jamf.FlushStatus `json:"flushStatus,omitempty"`
	// RiskLevel is the JSC level KindRisk pins ("" resets); Reason is why.
	RiskLevel string `json:"riskLevel,omitempty"`
	Reason    string `json:"reason,omitempty"`
	// Update is a KindSoftwareUpdate job's request (see UpdateJob).
	Update *UpdateJob `json:"update,omitempty"`
}

// String names the action for people.
func (a Action) String() string {
	switch a.Kind {
	case KindBlankPush:
		return "blank push"
	case KindFlush:
		return "flush " + strings.ToLower(string(a.FlushStatus))
	case KindSoftwareUpdate:
		return a.Update.String()
	case KindRisk:
		if a.RiskLevel == "" {
			return "risk reset"
		}
		return "risk set " + a.RiskLevel
	}
	return a.CommandType
}

// Verifiable reports whether an unknown outcome of the action can be
// checked on the server. A blank push and a flush leave no trace: when
// their answer is lost they stay StateUnverified (counted apart from
// confirmed sends) until the job is discarded.
func (a Action) Verifiable() bool {
	return a.Kind == KindCommand || a.Kind == KindRisk || a.Kind == KindSoftwareUpdate
}

// BulkCommands are the command types jamfops sends in bulk: the
// catalogue's, in its order.
func BulkCommands() []string {
	cat := Catalogue()
	out := make([]string, len(cat))
	for i, c := range cat {
		out[i] = c.Type
	}
	return out
}

// Destructive reports whether an action needs the count typed to confirm.
func (a Action) Destructive() bool {
	if a.Kind != KindCommand {
		return false
	}
	spec, ok := LookupCommand(a.CommandType)
	return !ok || spec.Destructive
}

// ParseAction reads "blank-push", "flush-pending", "flush-failed",
// "flush-both" or a command type.
func ParseAction(s string) (Action, error) {
	u := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "_"))
	switch u {
	case "BLANK_PUSH", "BLANKPUSH":
		return Action{Kind: KindBlankPush}, nil
	case "FLUSH_PENDING":
		return Action{Kind: KindFlush, FlushStatus: jamf.FlushPending}, nil
	case "FLUSH_FAILED":
		return Action{Kind: KindFlush, FlushStatus: jamf.FlushFailed}, nil
	case "FLUSH_BOTH":
		return Action{Kind: KindFlush, FlushStatus: jamf.FlushPendingAndFailed}, nil
	}
	for _, c := range BulkCommands() {
		if c == u {
			return Action{Kind: KindCommand, CommandType: u}, nil
		}
	}
	return Action{}, fmt.Errorf("unknown action %q (blank-push, flush-pending, flush-failed, flush-both or one of %s)", s, strings.Join(BulkCommands(), ", "))
}

// Stage is one step of a rollout. Share and Count are cumulative: how
// many targets have been sent to by the end of the stage (1 %, then 10 %,
// then the rest).
type Stage struct {
	Share float64 `json:"share,omitempty"` // 0.01 = 1 %
	Count int     `json:"count,omitempty"`
}

// Knobs are a job's safety settings.
type Knobs struct {
	// BatchSize is how many devices one request names.
	BatchSize int `json:"batchSize"`
	// Rate is the most requests per second (a ceiling; the runner may go slower).
	Rate float64 `json:"rate"`
	// Concurrency is the most requests in flight (at most 5).
	Concurrency int `json:"concurrency"`
	// Pause is the wait between batches.
	Pause time.Duration `json:"pause"`
	// WindowStart and WindowEnd ("17:00", "07:00") limit sending to a local
	// time window; empty means any time.
	WindowStart string `json:"windowStart,omitempty"`
	WindowEnd   string `json:"windowEnd,omitempty"`
	// SkipOfflineDays skips devices that have not checked in for that many days (0 = never skip).
	SkipOfflineDays int `json:"skipOfflineDays"`
	// SkipPendingAtLeast skips devices already holding that many pending commands (0 = never).
	SkipPendingAtLeast int `json:"skipPendingAtLeast"`
	// MaxFailureRate stops the job when this share of sends has failed (after 20 sends).
	MaxFailureRate float64 `json:"maxFailureRate"`
	// BacklogLimit pauses sending while the targeted devices hold more
	// pending commands than this (0 = no guard).
	BacklogLimit int `json:"backlogLimit"`
	// Stages of the rollout; empty means one stage.
	Stages []Stage `json:"stages,omitempty"`
	// AutoContinue moves to the next stage without a go-ahead when the
	// stage stayed under the failure threshold.
	AutoContinue bool `json:"autoContinue"`
	// StageWait is how long to watch a stage's outcome before the next.
	StageWait time.Duration `json:"stageWait"`
	// StageUntilResolved ends the watch early once every command of the
	// stage has an answer (acknowledged or failed); StageWait is then the
	// longest it waits.
	StageUntilResolved bool `json:"stageUntilResolved,omitempty"`
	// StageOrder is how the targets fill the stages: OrderGiven or
	// OrderRandom (shuffled with Seed, kept in the plan so that a resume
	// and a rebuild keep the same canary).
	StageOrder string `json:"stageOrder,omitempty"`
	Seed       int64  `json:"seed,omitempty"`
	// CanaryGroup names the pilot group whose members go first ("" none).
	CanaryGroup string `json:"canaryGroup,omitempty"`
	// AllowDuplicates sends to devices that already hold the same command
	// pending; by default they are skipped.
	AllowDuplicates bool `json:"allowDuplicates,omitempty"`
}

// DefaultKnobs are the safe defaults: 50 devices a request, a ceiling of
// 10 requests a second reached by a slow start (the runner begins at one a
// second and climbs only while answers stay fast), 2 at a time, skip
// devices offline for 30 days, stop at 20 % failures, and a 1 % / 10 % /
// rest rollout that waits for a go-ahead after each stage.
func DefaultKnobs() Knobs {
	return Knobs{BatchSize: 50, Rate: 10, Concurrency: 2, SkipOfflineDays: 30, MaxFailureRate: 0.2,
		Stages: []Stage{{Share: 0.01}, {Share: 0.10}, {Share: 1}}, StageWait: 2 * time.Minute}
}

// Validate checks the knobs: every number finite and in range, no
// negative durations or counts, a window of two different HH:MM times,
// and stages that grow strictly and end at 100 % (see ValidateStages).
func (k Knobs) Validate() error {
	switch {
	case k.BatchSize < 1 || k.BatchSize > 1000:
		return errors.New("batch size must be between 1 and 1000")
	case !(k.Rate > 0 && k.Rate <= 100): // also refuses NaN
		return errors.New("rate must be more than 0 and at most 100 requests a second")
	case k.Concurrency < 1 || k.Concurrency > jamf.DefaultConcurrency:
		return fmt.Errorf("concurrency must be between 1 and %d (Jamf's guidance)", jamf.DefaultConcurrency)
	case !(k.MaxFailureRate >= 0 && k.MaxFailureRate <= 1): // also refuses NaN
		return errors.New("failure threshold must be between 0 and 1 (0 % and 100 %)")
	case k.Pause < 0:
		return errors.New("pause must not be negative")
	case k.StageWait < 0:
		return errors.New("stage wait must not be negative")
	case k.SkipOfflineDays < 0:
		return errors.New("skip-offline days must not be negative (0: never skip)")
	case k.SkipPendingAtLeast < 0:
		return errors.New("skip-pending count must not be negative (0: never skip)")
	case k.BacklogLimit < 0:
		return errors.New("backlog limit must not be negative (0: off)")
	case (k.WindowStart == "") != (k.WindowEnd == ""):
		return errors.New("a time window needs both a start and an end")
	}
	if k.WindowStart != "" {
		start, err := parseClock(k.WindowStart)
		if err != nil {
			return err
		}
		end, err := parseClock(k.WindowEnd)
		if err != nil {
			return err
		}
		if start == end {
			return fmt.Errorf("time window %s-%s is empty: start and end must differ", k.WindowStart, k.WindowEnd)
		}
	}
	return ValidateStages(k.Stages)
}

// ValidateStages checks a rollout: each stage a share in (0, 1] or a
// positive count, shares strictly increasing, counts strictly increasing,
// and the last stage 100 % (Share 1), so that the rollout reaches every
// target. A count and a share cannot be compared before the targets are
// known (25,10% grows only past 250 targets); a stage that turns out no
// larger than the one before adds no devices (or its one-device canary).
// No stages at all means one stage of everything.
func ValidateStages(stages []Stage) error {
	var lastShare float64
	var lastCount int
	for i, st := range stages {
		switch {
		case st.Share != 0 && st.Count != 0:
			return fmt.Errorf("stage %d has both a share and a count", i+1)
		case st.Count < 0:
			return fmt.Errorf("stage %d: a count must be positive", i+1)
		case st.Count == 0 && !(st.Share > 0 && st.Share <= 1):
			return fmt.Errorf("stage %d: a share must be more than 0 %% and at most 100 %%", i+1)
		case st.Share != 0 && st.Share <= lastShare:
			return fmt.Errorf("stage %d (%s) does not grow: stages are cumulative and must increase", i+1, stageText(st))
		case st.Count != 0 && st.Count <= lastCount:
			return fmt.Errorf("stage %d (%s) does not grow: stages are cumulative and must increase", i+1, stageText(st))
		case st.Share == 1 && i < len(stages)-1:
			return fmt.Errorf("stage %d is already 100 %%: it must be the last", i+1)
		}
		lastShare, lastCount = max(lastShare, st.Share), max(lastCount, st.Count)
	}
	if n := len(stages); n > 0 && stages[n-1].Share != 1 {
		return fmt.Errorf("the last stage is %s: the last stage must be 100%% (or \"all\") so the rollout reaches every device, e.g. %s,100%%",
			stageText(stages[n-1]), stageText(stages[n-1]))
	}
	return nil
}

// ParseStages reads a rollout such as "1%,10%,100%" or "25,10%,all":
// cumulative shares (N%) or device counts (N), the last 100% or "all".
// The result is validated (ValidateStages).
func ParseStages(s string) ([]Stage, error) {
	var out []Stage
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
			return nil, fmt.Errorf("stages %q: an empty stage (use e.g. 1%%,10%%,100%%)", s)
		case strings.EqualFold(part, "all"):
			out = append(out, Stage{Share: 1})
			continue
		}
		if v, ok := strings.CutSuffix(part, "%"); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || !(f > 0 && f <= 100) {
				return nil, fmt.Errorf("stage %q: a share must be a number more than 0%% and at most 100%%", part)
			}
			out = append(out, Stage{Share: f / 100})
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("stage %q: use a share (10%%), a count of devices (25) or \"all\"", part)
		}
		out = append(out, Stage{Count: n})
	}
	if err := ValidateStages(out); err != nil {
		return nil, fmt.Errorf("stages %q: %w", s, err)
	}
	return out, nil
}

// ParseWindow reads a sending window "HH:MM-HH:MM" (local time; it may
// wrap past midnight, as 17:00-07:00). An empty string means no window;
// anything else must be two different valid times.
func ParseWindow(s string) (start, end string, err error) {
	if s == "" {
		return "", "", nil
	}
	a, b, ok := strings.Cut(s, "-")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if !ok || a == "" || b == "" {
		return "", "", fmt.Errorf("window %q: use HH:MM-HH:MM, e.g. 17:00-07:00", s)
	}
	sa, err := parseClock(a)
	if err != nil {
		return "", "", fmt.Errorf("window %q: %w", s, err)
	}
	sb, err := parseClock(b)
	if err != nil {
		return "", "", fmt.Errorf("window %q: %w", s, err)
	}
	if sa == sb {
		return "", "", fmt.Errorf("window %q is empty: start and end must differ", s)
	}
	return a, b, nil
}

// stageText shows a stage as it is written on the command line.
func stageText(st Stage) string {
	if st.Count != 0 {
		return strconv.Itoa(st.Count)
	}
	return strconv.FormatFloat(st.Share*100, 'g', -1, 64) + "%"
}

func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("time %q: use HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// inWindow reports whether now (local) is inside the window, and if not,
// how long until it opens.
func (k Knobs) inWindow(now time.Time) (bool, time.Duration) {
	if k.WindowStart == "" {
		return true, 0
	}
	start, _ := parseClock(k.WindowStart)
	end, _ := parseClock(k.WindowEnd)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	t := now.Sub(midnight)
	open := (start < end && t >= start && t < end) || (start > end && (t >= start || t < end))
	if open || start == end {
		return true, 0
	}
	wait := start - t
	if wait < 0 {
		wait += 24 * time.Hour
	}
	return false, wait
}

// Target is one device of a frozen plan.
type Target struct {
	Device ops.Device `json:"device"`
	// Skip says why the device will not be sent to ("" = it will).
	Skip  string `json:"skip,omitempty"`
	Stage int    `json:"stage"`
	// RiskBefore is a risk job target's JSC level when the job was planned
	// (recorded in the audit log as the level before).
	RiskBefore string `json:"riskBefore,omitempty"`
}

// Plan is a frozen mass action: the exact targets, the action and knobs.
type Plan struct {
	ID        string    `json:"id"`
	Created   time.Time `json:"created"`
	Server    string    `json:"server"`
	Label     string    `json:"label"` // "group Engineering Macs"
	Action    Action    `json:"action"`
	Knobs     Knobs     `json:"knobs"`
	Targets   []Target  `json:"targets"`
	Platform  string    `json:"platform"`
	Stages    int       `json:"stages"`
	Privilege []string  `json:"privileges"`
	// Parent is the job this one follows up (mass retry), "" for none.
	Parent string `json:"parent,omitempty"`
}

// NewID returns a job ID: a timestamp and random suffix.
func NewID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// Preflight is the dry run's summary: nothing has been sent.
type Preflight struct {
	Total, Online, Offline, Send int
	Skipped                      map[string]int
	Requests                     int
	Batches                      int
	Estimate                     time.Duration
	Privileges                   []string
	Missing                      []string
	StageSizes                   []int
	// FirstStage names the devices of the first stage (the canary), in
	// sending order.
	FirstStage []string
	// Duplicates counts devices skipped because they already hold the
	// command pending.
	Duplicates int
}

// assignStages spreads the devices to send to over the stages in the
// knobs' order (pilot members first, then given or seeded random), and
// drops stages that would add nobody: two devices in 1%,10%,100% make two
// stages of one, not [1 1 0]. It returns the number of stages and the
// sending order.
func assignStages(targets []Target, k Knobs, pilot map[string]bool) (int, []int) {
	var send []int
	for i, t := range targets {
		if t.Skip == "" {
			send = append(send, i)
		}
	}
	send = stageOrder(send, targets, k, pilot)
	stages := k.Stages
	if len(stages) == 0 {
		return 1, send
	}
	done := 0
	for s, st := range stages {
		n := st.Count
		if st.Share > 0 {
			n = int(math.Ceil(st.Share * float64(len(send))))
		}
		if s == len(stages)-1 {
			n = len(send)
		}
		n = max(0, min(n, len(send))-done)
		if st.Share > 0 && st.Share < 1 && n == 0 && done < len(send) {
			n = 1 // a canary of at least one device
		}
		for _, i := range send[done : done+n] {
			targets[i].Stage = s
		}
		done += n
	}
	// Renumber to leave out empty stages (keeping at least one).
	used := map[int]bool{}
	for _, i := range send {
		used[targets[i].Stage] = true
	}
	renum, n := map[int]int{}, 0
	for s := range stages {
		if used[s] {
			renum[s] = n
			n++
		}
	}
	for _, i := range send {
		targets[i].Stage = renum[targets[i].Stage]
	}
	return max(1, n), send
}
