package eval

import (
	"math/rand/v2"
	"testing"

	"github.com/misend/misend/internal/detect"
)

// TestHeldOutAlarm: honest mail that drifts after the fit window's earlier
// part (the window's latest fifth scores higher on a feature, as the month
// after it will) is warned on about as rarely as the fit promises; placed
// on the mail the fit has seen, the intercept lets far more through.
func TestHeldOutAlarm(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var samples []Sample
	for i := range 3000 {
		lo := 0.0
		if i >= 2400 {
			lo = 0.25 // the latest fifth drifts up
		}
		f := make(detect.Features, len(detect.FeatureNames))
		f[0] = lo + 0.5*r.Float64()
		f[1] = r.Float64()
		samples = append(samples, Sample{Test: i, Features: f})
		g := make(detect.Features, len(detect.FeatureNames))
		g[0] = 0.45 + 0.55*r.Float64()
		g[1] = r.Float64()
		samples = append(samples, Sample{Test: i, Strategy: "x", Mode: Replace, Features: g})
	}
	lateAlarm := func(w *detect.Weights) float64 {
		n, warned := 0, 0
		for _, s := range samples {
			if !s.Injected() && s.Test >= 2400 {
				n++
				if w.Score(s.Features) >= WarnScore {
					warned++
				}
			}
		}
		return float64(warned) / float64(n)
	}
	seen, err := fitWith(detect.Fit, samples)
	if err != nil {
		t.Fatal(err)
	}
	held, err := FitWeights(samples)
	if err != nil {
		t.Fatal(err)
	}
	if a := lateAlarm(seen); a <= 2*detect.MaxAlarm {
		t.Fatalf("the drift is too small to test: %.1f%% of the latest honest mail warned with the seen-mail intercept", 100*a)
	}
	if a := lateAlarm(held); a > detect.MaxAlarm {
		t.Errorf("%.1f%% of the latest honest mail warned, want at most %.1f%%", 100*a, 100*detect.MaxAlarm)
	}
	if held.Intercept >= seen.Intercept {
		t.Errorf("intercept %v, not below the seen-mail one %v", held.Intercept, seen.Intercept)
	}

	// Too little mail to hold any out: the fit stands as it is.
	few := samples[:2*MinFitMessages]
	a, _ := fitWith(detect.Fit, few)
	b, _ := FitWeights(few)
	if a.Intercept != b.Intercept {
		t.Errorf("with %d messages the intercept moved from %v to %v", len(few)/2, a.Intercept, b.Intercept)
	}
}
