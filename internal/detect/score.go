package detect

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/misend/misend/internal/store"
)

// Features is the numeric description of one message that the score is
// computed from; FeatureNames gives the meaning of each position.
type Features []float64

// Weights are a fitted scoring model (see Fit). The zero value is unusable;
// use DefaultWeights when none were fitted. Coef are on the raw feature
// scale (standardisation is folded in), so Score is one dot product.
type Weights struct {
	Names     []string  `json:"names"`
	Coef      []float64 `json:"coef"`
	Intercept float64   `json:"intercept"`
	// Trees are boosted regression trees added to the linear score (see
	// trees.go); their features index Names. None in weights fitted by
	// older builds.
	Trees []Tree `json:"trees,omitempty"`
	// Fit says what the weights were fitted on, so a later evaluation can
	// refuse to score mail they saw. Nil for weights of unknown origin.
	Fit *FitInfo `json:"fit,omitempty"`
}

// FitInfo is the provenance of fitted weights.
type FitInfo struct {
	From     time.Time `json:"from"`     // the first message of the fit window
	Until    time.Time `json:"until"`    // the last message learned before fitting
	Messages int       `json:"messages"` // clean messages fitted on
	Build    string    `json:"build,omitempty"`
	At       time.Time `json:"at,omitzero"` // when the fit ran
	// Answers and Served are set when the weights were fitted again while
	// serving (package refit): decisions people answered, and passed
	// decisions, fitted on besides the history's samples.
	Answers int `json:"answers,omitempty"`
	Served  int `json:"served,omitempty"`
	// AlarmShift is how far (in log-odds) the intercept was moved down
	// beyond where the fit placed it, so that honest mail the fit has not
	// seen reaches the warn band as rarely as that on which it was fitted
	// (eval.FitWeights). A refit keeps it.
	AlarmShift float64 `json:"alarm_shift,omitempty"`
	// HeldOutWarned is the share of honest mail held out of a fit (the
	// window's latest fifth) that a fit without it warned on, after the
	// shift: what to expect of the mail to come.
	HeldOutWarned float64 `json:"held_out_warned,omitempty"`
}

// Overlaps reports whether mail dated from..until falls in what the
// weights were fitted on or learned before fitting.
func (fi *FitInfo) Overlaps(from, until time.Time) bool {
	return fi != nil && !from.IsZero() && from.Before(fi.Until) && !until.Before(fi.From)
}

// Score maps features to [0,1]. Features are matched to coefficients by
// name when Names differs from FeatureNames (weights fitted by an older
// build); a feature without a coefficient counts zero.
func (w *Weights) Score(f Features) float64 {
	z := w.Intercept
	var feature []int
	if slices.Equal(w.Names, FeatureNames) || len(w.Names) == 0 {
		for i := 0; i < len(f) && i < len(w.Coef); i++ {
			z += w.Coef[i] * f[i]
		}
		feature = identityFeatures
	} else {
		feature = make([]int, len(w.Names))
		for i, n := range w.Names {
			j := slices.Index(FeatureNames, n)
			feature[i] = j
			if j >= 0 && j < len(f) && i < len(w.Coef) {
				z += w.Coef[i] * f[j]
			}
		}
	}
	if len(w.Trees) > 0 {
		z += w.treeSum(f, feature)
	}
	return sigmoid(z)
}

var identityFeatures = identity(numFeatures)

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Regularisation strength on standardised coefficients: enough to keep
// separable training data (injected mistakes are often perfectly separable)
// from driving weights to infinity, small next to thousands of samples.
const ridge = 1.0

// MaxAlarm is the share of clean training mail that Fit lets reach a score
// of 0.5, the default warn band: a warning must be rare enough to be read.
const MaxAlarm = 0.015

// Fit fits weights on labelled feature vectors (true = misdirected) by
// L2-regularised logistic regression, solved with iteratively reweighted
// least squares (Newton's method) on standardised features. Each class
// weighs half in total, whatever its sample count, so the fit does not
// depend on how many mistakes were injected.
//
// The balanced fit puts 0.5 where a clean and a misdirected message are
// equally likely, which flags too much honest mail when mistakes are rare.
// So the intercept is then lowered, if needed, until at most MaxAlarm of the
// clean training messages score 0.5 or more. This moves every score the
// same way and keeps their order: detection at a given alarm rate, which
// `misend eval` reports, does not change.
func Fit(x []Features, y []bool) (*Weights, error) { return fit(x, y, nil, true) }

// FitLinear is Fit without the trees: the linear score alone, for
// comparison.
func FitLinear(x []Features, y []bool) (*Weights, error) { return fit(x, y, nil, false) }

// FitWeighted is Fit with a weight per sample (nil: all 1): an answer a
// person gave about a real message counts for several injected ones.
// Within each class samples count by their weight; each class still
// weighs half in total.
func FitWeighted(x []Features, y []bool, weight []float64) (*Weights, error) {
	if weight != nil && len(weight) != len(y) {
		return nil, fmt.Errorf("fit: %d weights for %d samples", len(weight), len(y))
	}
	for i, v := range weight {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("fit: sample %d has weight %v, want a positive number", i, v)
		}
	}
	return fit(x, y, weight, true)
}

func fit(x []Features, y []bool, weight []float64, trees bool) (*Weights, error) {
	w, sw, err := fitBalanced(x, y, weight)
	if err != nil {
		return nil, err
	}
	z := make([]float64, len(x))
	for i, v := range x {
		z[i] = w.Intercept
		for j, f := range v {
			z[i] += w.Coef[j] * f
		}
	}
	if trees {
		w.Trees = boost(x, y, sw, z)
	}
	var clean []float64
	for i := range x {
		if !y[i] {
			clean = append(clean, z[i])
		}
	}
	w.Intercept += AlarmShift(clean, MaxAlarm)
	return w, nil
}

// AlarmShift is how far log-odds z of honest messages must move down (a
// shift <= 0) so that at most the share most of them reach 0, the warn
// band's 0.5; 0 when they already do. z is sorted in place.
func AlarmShift(z []float64, most float64) float64 {
	if len(z) == 0 {
		return 0
	}
	slices.Sort(z)
	k := int(math.Floor(float64(len(z)) * (1 - most)))
	if k >= len(z) || z[k] < 0 {
		return 0
	}
	return -(z[k] + 1e-6)
}

// balance weighs each sample by its weight (nil: 1) scaled so that each
// class weighs half in total.
func balance(y []bool, weight []float64) []float64 {
	wt := func(i int) float64 {
		if weight == nil {
			return 1
		}
		return weight[i]
	}
	var pos, neg float64
	for i, v := range y {
		if v {
			pos += wt(i)
		} else {
			neg += wt(i)
		}
	}
	n := float64(len(y))
	sw := make([]float64, len(y))
	for i, v := range y {
		if v {
			sw[i] = wt(i) * n / (2 * pos)
		} else {
			sw[i] = wt(i) * n / (2 * neg)
		}
	}
	return sw
}

// fitBalanced fits the linear score and returns it with the balanced
// sample weights it used, which the trees fit with too.
func fitBalanced(x []Features, y []bool, weight []float64) (*Weights, []float64, error) {
	if len(x) != len(y) {
		return nil, nil, fmt.Errorf("fit: %d feature vectors but %d labels", len(x), len(y))
	}
	if len(x) == 0 {
		return nil, nil, errors.New("fit: no samples")
	}
	d := len(x[0])
	var pos, neg float64
	for i, v := range x {
		if len(v) != d {
			return nil, nil, fmt.Errorf("fit: sample %d has %d features, want %d", i, len(v), d)
		}
		for _, f := range v {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, nil, fmt.Errorf("fit: sample %d has a non-finite feature", i)
			}
		}
		if y[i] {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return nil, nil, errors.New("fit: need both clean and misdirected samples")
	}
	n := float64(len(x))
	mean, sd := make([]float64, d), make([]float64, d)
	for _, v := range x {
		for j, f := range v {
			mean[j] += f / n
		}
	}
	for _, v := range x {
		for j, f := range v {
			sd[j] += (f - mean[j]) * (f - mean[j]) / n
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j])
	}
	std := func(v Features, j int) float64 {
		switch {
		case j == d:
			return 1 // the intercept's column
		case sd[j] == 0:
			return 0
		}
		return (v[j] - mean[j]) / sd[j]
	}
	bw := balance(y, weight)
	// beta[d] is the intercept; it is not penalised.
	beta := make([]float64, d+1)
	row := make([]float64, d+1)
	for iter := 0; iter < 100; iter++ {
		h := make([][]float64, d+1)
		for j := range h {
			h[j] = make([]float64, d+1)
		}
		g := make([]float64, d+1)
		for i, v := range x {
			z := 0.0
			for j := 0; j <= d; j++ {
				row[j] = std(v, j)
				z += beta[j] * row[j]
			}
			p := sigmoid(z)
			t := 0.0
			if y[i] {
				t = 1
			}
			w := bw[i]
			for j := 0; j <= d; j++ {
				g[j] += w * (t - p) * row[j]
				for k := 0; k <= j; k++ {
					h[j][k] += w * p * (1 - p) * row[j] * row[k]
				}
			}
		}
		for j := 0; j <= d; j++ {
			for k := 0; k < j; k++ {
				h[k][j] = h[j][k]
			}
			if j < d {
				g[j] -= ridge * beta[j]
				h[j][j] += ridge
			}
			h[j][j] += 1e-9 // constant features leave a zero row
		}
		step, err := solve(h, g)
		if err != nil {
			return nil, nil, fmt.Errorf("fit: %w", err)
		}
		change := 0.0
		for j := range beta {
			beta[j] += step[j]
			change = math.Max(change, math.Abs(step[j]))
		}
		if change < 1e-8 {
			break
		}
	}
	w := &Weights{Names: slices.Clone(FeatureNames), Coef: make([]float64, d), Intercept: beta[d]}
	if len(w.Names) != d {
		w.Names = nil
	}
	for j := 0; j < d; j++ {
		if sd[j] == 0 {
			continue
		}
		w.Coef[j] = beta[j] / sd[j]
		w.Intercept -= beta[j] * mean[j] / sd[j]
	}
	return w, bw, nil
}

// solve solves a·x = b by Gaussian elimination with partial pivoting; a and
// b are overwritten.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	for col := 0; col < n; col++ {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-12 {
			return nil, errors.New("singular system")
		}
		a[col], a[p] = a[p], a[col]
		b[col], b[p] = b[p], b[col]
		for r := col + 1; r < n; r++ {
			f := a[r][col] / a[col][col]
			for k := col; k < n; k++ {
				a[r][k] -= f * a[col][k]
			}
			b[r] -= f * b[col]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < n; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, nil
}

//go:embed weights.json
var defaultWeightsJSON []byte

var defaultWeights = sync.OnceValue(func() *Weights {
	var w Weights
	if err := json.Unmarshal(defaultWeightsJSON, &w); err != nil {
		panic("detect: built-in weights.json: " + err.Error()) // a build defect, caught by tests
	}
	return &w
})

// DefaultWeights returns the built-in weights (see the package comment for
// how they were fitted). Callers must not modify them.
func DefaultWeights() *Weights { return defaultWeights() }

//go:embed migrations/*.sql
var migrations embed.FS

// SaveWeights stores w as the weights every later check uses.
func SaveWeights(ctx context.Context, db *store.DB, w *Weights) error {
	if err := migrate(ctx, db); err != nil {
		return err
	}
	if len(w.Coef) == 0 || (len(w.Names) > 0 && len(w.Names) != len(w.Coef)) {
		return errors.New("save weights: names and coefficients do not match")
	}
	b, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("save weights: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO detect_weights (id, weights) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET weights = excluded.weights`, string(b)); err != nil {
		return fmt.Errorf("save weights: %w", err)
	}
	return nil
}

// LoadWeights returns the stored weights, or nil when none were stored (the
// Detector then uses DefaultWeights).
func LoadWeights(ctx context.Context, db *store.DB) (*Weights, error) {
	if err := migrate(ctx, db); err != nil {
		return nil, err
	}
	var s string
	err := db.QueryRowContext(ctx, `SELECT weights FROM detect_weights WHERE id = 1`).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load weights: %w", err)
	}
	var w Weights
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return nil, fmt.Errorf("load weights: %w", err)
	}
	return &w, nil
}

func migrate(ctx context.Context, db *store.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("detect migrations: %w", err)
	}
	return db.Migrate(ctx, "detect", sub)
}
