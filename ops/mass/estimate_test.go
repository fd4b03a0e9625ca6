package mass

import (
	"testing"
	"time"
)

// TestEstimateTextSaysWhatTheTimeIsMadeOf: a staged job's estimate is not
// all sending: the watches and the go-ahead each stage waits for are said
// apart, so 3 requests do not read "about 4m0s at the ceiling".
func TestEstimateTextSaysWhatTheTimeIsMadeOf(t *testing.T) {
	t.Parallel()
	k := DefaultKnobs()
	k.StageWait = 2 * time.Minute
	cases := []struct {
		stages int
		auto   bool
		est    time.Duration
		want   string
	}{
		{3, false, 4*time.Minute + 300*time.Millisecond, "under a second sending at the ceiling + 2 stage watches of 2m0s, then 2 go-ahead(s) from you (g)"},
		{2, true, 2*time.Minute + 41*time.Second, "about 41s sending at the ceiling + 1 stage watch of 2m0s"},
		{1, false, 41 * time.Second, "about 41s sending at the ceiling"},
	}
	for _, c := range cases {
		k.AutoContinue = c.auto
		p := &Plan{Stages: c.stages, Knobs: k}
		if got := EstimateText(p, &Preflight{Estimate: c.est}); got != c.want {
			t.Errorf("%d stages (auto %v): %q, want %q", c.stages, c.auto, got, c.want)
		}
	}
}
