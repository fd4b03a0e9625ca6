package mass

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseStages(t *testing.T) {
	t.Parallel()
	good := map[string][]Stage{
		"1%,10%,100%": {{Share: 0.01}, {Share: 0.10}, {Share: 1}},
		"25,10%,all":  {{Count: 25}, {Share: 0.10}, {Share: 1}},
		"ALL":         {{Share: 1}},
		"5, 50 ,100%": {{Count: 5}, {Count: 50}, {Share: 1}},
	}
	for in, want := range good {
		got, err := ParseStages(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseStages(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"25":          "last stage must be 100%",
		"10%":         "last stage must be 100%",
		"1%,10%":      "last stage must be 100%",
		"100%,1%":     "must be the last",
		"all,all":     "must be the last",
		"10%,10%,all": "does not grow",
		"50,20,all":   "does not grow",
		"NaN%":        "a share must be",
		"-1%,100%":    "a share must be",
		"101%":        "a share must be",
		"0,100%":      "use a share",
		"x,100%":      "use a share",
		"":            "an empty stage",
		"1%,,100%":    "an empty stage",
	}
	for in, want := range bad {
		if _, err := ParseStages(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseStages(%q) = %v; want an error with %q", in, err, want)
		}
	}
}

func TestParseWindow(t *testing.T) {
	t.Parallel()
	if a, b, err := ParseWindow(" 17:00 - 07:30 "); err != nil || a != "17:00" || b != "07:30" {
		t.Fatalf("got %q %q %v", a, b, err)
	}
	if a, b, err := ParseWindow(""); err != nil || a != "" || b != "" {
		t.Fatalf("no window: %q %q %v", a, b, err)
	}
	for _, in := range []string{"-", "17:00", "17:00-", "-07:00", "17:00-17:00", "24:00-07:00", "5pm-7am"} {
		if _, _, err := ParseWindow(in); err == nil {
			t.Errorf("ParseWindow(%q) accepted", in)
		}
	}
}

func TestValidateRefusesNaNNegativesAndEmptyWindows(t *testing.T) {
	t.Parallel()
	for name, mutate := range map[string]func(*Knobs){
		"rate NaN":            func(k *Knobs) { k.Rate = math.NaN() },
		"rate +Inf":           func(k *Knobs) { k.Rate = math.Inf(1) },
		"rate 0":              func(k *Knobs) { k.Rate = 0 },
		"max failure NaN":     func(k *Knobs) { k.MaxFailureRate = math.NaN() },
		"max failure -0.1":    func(k *Knobs) { k.MaxFailureRate = -0.1 },
		"max failure 1.5":     func(k *Knobs) { k.MaxFailureRate = 1.5 },
		"negative pause":      func(k *Knobs) { k.Pause = -time.Second },
		"negative stage wait": func(k *Knobs) { k.StageWait = -time.Minute },
		"negative offline":    func(k *Knobs) { k.SkipOfflineDays = -1 },
		"negative pending":    func(k *Knobs) { k.SkipPendingAtLeast = -1 },
		"negative backlog":    func(k *Knobs) { k.BacklogLimit = -1 },
		"empty window":        func(k *Knobs) { k.WindowStart, k.WindowEnd = "17:00", "17:00" },
		"half a window":       func(k *Knobs) { k.WindowStart = "17:00" },
		"stages not to 100%":  func(k *Knobs) { k.Stages = []Stage{{Share: 0.25}} },
		"stage NaN share":     func(k *Knobs) { k.Stages = []Stage{{Share: math.NaN()}, {Share: 1}} },
		"shrinking stages":    func(k *Knobs) { k.Stages = []Stage{{Share: 0.5}, {Share: 0.1}, {Share: 1}} },
	} {
		k := DefaultKnobs()
		if err := k.Validate(); err != nil {
			t.Fatalf("defaults: %v", err)
		}
		mutate(&k)
		if err := k.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	k := DefaultKnobs()
	k.Stages = nil // one stage of everything
	if err := k.Validate(); err != nil {
		t.Fatalf("no stages: %v", err)
	}
	if err := RiskKnobs().Validate(); err != nil {
		t.Fatalf("risk knobs: %v", err)
	}
}
