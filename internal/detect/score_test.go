package detect

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

// TestFitRecoversWeights draws labels from a known logistic model and checks
// that Fit finds its coefficients on the raw feature scale.
func TestFitRecoversWeights(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	trueCoef := []float64{2, -1, 0}
	const intercept = -0.5
	var x []Features
	var y []bool
	for range 20000 {
		f := Features{r.NormFloat64(), 3 + 2*r.NormFloat64(), r.Float64()}
		z := intercept
		for j := range f {
			z += trueCoef[j] * f[j]
		}
		x = append(x, f)
		y = append(y, r.Float64() < sigmoid(z))
	}
	w, err := Fit(x, y)
	if err != nil {
		t.Fatal(err)
	}
	// Class balancing shifts the intercept by log(neg/pos); the slopes stay.
	for j, c := range trueCoef {
		if math.Abs(w.Coef[j]-c) > 0.1 {
			t.Errorf("coef %d = %.3f, want %.1f", j, w.Coef[j], c)
		}
	}
}

func TestFitSeparableStaysFinite(t *testing.T) {
	x := []Features{{0}, {0}, {0}, {1}, {1}}
	y := []bool{false, false, false, true, true}
	w, err := Fit(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(w.Coef[0]) || math.IsInf(w.Coef[0], 0) || w.Score(Features{1}) < 0.5 || w.Score(Features{0}) > 0.5 {
		t.Errorf("weights %+v", w)
	}
}

func TestFitErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		x []Features
		y []bool
	}{
		"empty":        {nil, nil},
		"length":       {[]Features{{1}}, []bool{true, false}},
		"one class":    {[]Features{{1}, {2}}, []bool{true, true}},
		"ragged":       {[]Features{{1}, {2, 3}}, []bool{true, false}},
		"not a number": {[]Features{{math.NaN()}, {2}}, []bool{true, false}},
	} {
		if _, err := Fit(tc.x, tc.y); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestScoreByName(t *testing.T) {
	f := make(Features, len(FeatureNames))
	f[fLookalike] = 1
	pos := &Weights{Names: FeatureNames, Coef: make([]float64, len(FeatureNames))}
	pos.Coef[fLookalike] = 3
	// The same model written by an older build with fewer, reordered names.
	named := &Weights{Names: []string{"gone", "lookalike_domain"}, Coef: []float64{100, 3}}
	if a, b := pos.Score(f), named.Score(f); math.Abs(a-b) > 1e-12 || math.Abs(a-sigmoid(3)) > 1e-12 {
		t.Errorf("positional %v, by name %v", a, b)
	}
}

func TestSaveLoadWeights(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if w, err := LoadWeights(ctx, db); err != nil || w != nil {
		t.Fatalf("nothing stored: %v %v", w, err)
	}
	for _, want := range []*Weights{{Names: []string{"a"}, Coef: []float64{1}, Intercept: 2}, {Names: []string{"a"}, Coef: []float64{3}}} {
		if err := SaveWeights(ctx, db, want); err != nil {
			t.Fatal(err)
		}
		got, err := LoadWeights(ctx, db)
		if err != nil || got.Coef[0] != want.Coef[0] || got.Intercept != want.Intercept {
			t.Errorf("got %+v %v, want %+v", got, err, want)
		}
	}
	if err := SaveWeights(ctx, db, &Weights{Names: []string{"a", "b"}, Coef: []float64{1}}); err == nil {
		t.Error("mismatched weights saved")
	}
}

func TestFeatureNamesComplete(t *testing.T) {
	if len(FeatureNames) != numFeatures {
		t.Fatalf("%d feature names for %d features", len(FeatureNames), numFeatures)
	}
	seen := map[string]bool{}
	for i, n := range FeatureNames {
		if n == "" || seen[n] {
			t.Errorf("feature %d: name %q missing or repeated", i, n)
		}
		seen[n] = true
	}
}
