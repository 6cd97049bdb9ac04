package refit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), pgtest.Path(t, t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Feature positions the tests use: the import's slips differ from honest
// mail in the first; what people answer differs in the second, which the
// import's samples never vary.
var (
	fNew   = 0
	fQuiet = 1
)

func vector(newness, quiet float64) []float64 {
	f := make([]float64, len(detect.FeatureNames))
	f[fNew], f[fQuiet] = newness, quiet
	return f
}

// importSamples are an import's calibration samples: slips are new
// recipients, honest mail mostly known ones.
func importSamples(r *rand.Rand, n int) []Sample {
	var out []Sample
	for range n {
		out = append(out, Sample{Features: vector(r.Float64()*0.4, 0)})
		out = append(out, Sample{Features: vector(0.5+r.Float64()*0.5, 0), Mistake: true})
	}
	return out
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// saveImport stores an import's samples of n messages drawn from seed1 and
// seed2, its window running from from to t0.
func saveImport(t *testing.T, db *store.DB, seed1, seed2 uint64, from time.Time, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed1, seed2))
	if err := SaveImport(context.Background(), db, Window{From: from, Until: t0, Messages: n}, importSamples(r, n)); err != nil {
		t.Fatal(err)
	}
}

// decide records one decision made while serving, as the gateway does.
func decide(t *testing.T, l *decisions.Log, i int, verdict policy.Verdict, f []float64) (queueID string) {
	t.Helper()
	queueID = fmt.Sprintf("q%d", i)
	if verdict == policy.Pass {
		queueID = ""
	}
	err := l.Append(context.Background(), decisions.Record{At: t0.Add(time.Duration(i) * time.Minute), Via: "smtp",
		MessageID: fmt.Sprintf("m%d@corp.example", i), QueueID: queueID, Sender: "aoki@corp.example",
		Decision: policy.Decision{Verdict: verdict, Decided: verdict}, Score: 0.5,
		Features: f, FeatureSet: detect.FeatureSet()})
	if err != nil {
		t.Fatal(err)
	}
	return queueID
}

// TestAnswersMoveTheWeights: people cancelled flagged messages that share a
// trait the import's slips never had, and confirmed ones without it; after
// a refit that trait raises the score, which the import's fit alone did
// not. The counts say what was fitted on.
func TestAnswersMoveTheWeights(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	saveImport(t, db, 3, 4, t0.AddDate(0, -3, 0), 400)
	before, c0, err := Fit(ctx, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c0.Import != 800 || c0.ImportMistakes != 400 || c0.Answers() != 0 {
		t.Fatalf("import only: %+v", c0)
	}

	dl, err := decisions.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := feedback.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	answer := func(kind feedback.Kind, f []float64) {
		q := decide(t, dl, i, policy.Confirm, f)
		if err := fb.Record(ctx, feedback.Event{At: t0.Add(time.Hour), Kind: kind, QueueID: q,
			MessageID: fmt.Sprintf("m%d@corp.example", i), Sender: "aoki@corp.example", Recipient: "x@partner.example"}); err != nil {
			t.Fatal(err)
		}
		i++
	}
	for range 30 {
		answer(feedback.Cancelled, vector(0.2, 1)) // known-looking, but the trait: real mistakes
		answer(feedback.Confirmed, vector(0.2, 0)) // the same without it: honest
	}
	for range 5 {
		decide(t, dl, i, policy.Hold, vector(0.9, 0)) // nobody answered
		i++
	}
	passed := 0
	for range 200 {
		decide(t, dl, i, policy.Pass, vector(0.1, 0))
		i++
	}
	dl.Flush()

	after, c, err := Fit(ctx, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// One passed decision in KeepPassEvery keeps its vector.
	for j := 65; j < i; j++ {
		rec := decisions.Record{Sender: "aoki@corp.example", MessageID: fmt.Sprintf("m%d@corp.example", j),
			Decision: policy.Decision{Decided: policy.Pass}, Features: []float64{1}}
		if rec.KeepsFeatures() {
			passed++
		}
	}
	if c.Mistakes != 30 || c.Honest != 30 || c.Unanswered != 5 || c.Passed != passed || c.Import != 800 {
		t.Errorf("counts %+v, want 30 mistakes, 30 honest, 5 unanswered, %d passed, 800 import", c, passed)
	}
	if after.Fit == nil || after.Fit.Answers != 60 || after.Fit.Served != passed || after.Fit.Messages != 400 {
		t.Errorf("provenance %+v", after.Fit)
	}
	trait, plain := vector(0.2, 1), vector(0.2, 0)
	if d := before.Score(trait) - before.Score(plain); d > 0.01 {
		t.Fatalf("the import's fit already scores the trait %.3f higher: the test shows nothing", d)
	}
	if after.Score(trait) <= after.Score(plain)+0.2 {
		t.Errorf("after refit: with the trait %.3f, without %.3f; want the answered mistakes' trait to raise the score",
			after.Score(trait), after.Score(plain))
	}
	if s := after.Score(vector(0.9, 0)); s < 0.5 {
		t.Errorf("a new recipient scores %.3f after refit: the import's slips were forgotten", s)
	}
}

// TestFitNeedsImport: without the import's samples there is nothing to
// fit on, however many answers.
func TestFitNeedsImport(t *testing.T) {
	_, _, err := Fit(context.Background(), openDB(t), Options{})
	if !errors.Is(err, ErrNothing) {
		t.Fatalf("err %v, want ErrNothing", err)
	}
}

// TestOtherFeatureSetLeftOut: vectors stored by a build with other
// features are not fitted on.
func TestOtherFeatureSetLeftOut(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	saveImport(t, db, 5, 6, t0, 100)
	if _, err := db.ExecContext(ctx, `UPDATE refit_import SET feature_set = 'older' WHERE id <= 10`); err != nil {
		t.Fatal(err)
	}
	_, c, err := Fit(ctx, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.OtherSet != 10 || c.Import != 190 {
		t.Errorf("counts %+v, want 10 of another set and 190 fitted", c)
	}
}

// TestOnceAndClaim: a second refit with nothing new stores nothing, and of
// two replicas claiming at once one refits.
func TestOnceAndClaim(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	importedAndPassed(t, db, 7, 8, 64)
	w, c, err := Once(ctx, db, nil, Options{})
	if err != nil || w == nil {
		t.Fatalf("first refit: %v, %v", w, err)
	}
	if c.Passed == 0 {
		t.Fatalf("no passed decision kept its features in 64: %+v", c)
	}
	stored, err := detect.LoadWeights(ctx, db)
	if err != nil || stored == nil || stored.Fit == nil || stored.Fit.Served != c.Passed {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	again, _, err := Once(ctx, db, stored, Options{})
	if err != nil || again != nil {
		t.Errorf("refit with nothing new: %v, %v; want nothing stored", again, err)
	}

	now := t0.Add(48 * time.Hour)
	won := 0
	for range 2 {
		ok, err := claim(ctx, db, now, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			won++
		}
	}
	if won != 1 {
		t.Errorf("%d replicas won the claim, want 1", won)
	}
	if ok, _ := claim(ctx, db, now.Add(13*time.Hour), 24*time.Hour); !ok {
		t.Error("the claim was not free again after half the period")
	}
}

// TestLoopRefits: serve's loop refits once the period has passed, stores
// the weights, and returns when its context ends.
func TestLoopRefits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	db := openDB(t)
	importedAndPassed(t, db, 9, 10, 64)
	done := make(chan struct{})
	go func() {
		Loop(ctx, db, 20*time.Millisecond, &detect.Detector{}, Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		w, err := detect.LoadWeights(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if w != nil && w.Fit != nil && w.Fit.Served > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no refitted weights stored")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Loop did not return when its context ended")
	}
}

// importedAndPassed stores an import's samples drawn from seed and n passed
// decisions, as a database looks after some days of serving.
func importedAndPassed(t *testing.T, db *store.DB, seed1, seed2 uint64, n int) {
	t.Helper()
	saveImport(t, db, seed1, seed2, t0, 100)
	dl, err := decisions.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()
	for i := range n {
		decide(t, dl, i, policy.Pass, vector(0.1, 0))
	}
}

// TestStoredDecodesOnChange: the loop's look at the stored weights
// decodes them only when they changed: unchanged, it has the weights it
// decoded before; stored anew, the new ones.
func TestStoredDecodesOnChange(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := detect.LoadWeights(ctx, db); err != nil { // makes the table, as Loop does
		t.Fatal(err)
	}
	var st stored
	weights := func(at time.Time) *detect.Weights {
		return &detect.Weights{Names: []string{"a"}, Coef: []float64{1}, Fit: &detect.FitInfo{At: at}}
	}
	steps := []struct {
		name    string
		save    *detect.Weights // nil: store nothing
		changed bool
		at      time.Time // of the weights read; zero: none
	}{
		{"none stored", nil, true, time.Time{}},
		{"still none", nil, false, time.Time{}},
		{"stored", weights(t0), true, t0},
		{"unchanged", nil, false, t0},
		{"another replica refitted", weights(t0.Add(time.Hour)), true, t0.Add(time.Hour)},
		{"unchanged again", nil, false, t0.Add(time.Hour)},
	}
	var prev *detect.Weights
	for _, s := range steps {
		if s.save != nil {
			if err := detect.SaveWeights(ctx, db, s.save); err != nil {
				t.Fatal(err)
			}
		}
		w, changed, err := st.read(ctx, db)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		var at time.Time
		if w != nil {
			at = w.Fit.At
		}
		if changed != s.changed || !at.Equal(s.at) {
			t.Errorf("%s: changed %v, weights of %v; want %v, %v", s.name, changed, at, s.changed, s.at)
		}
		if !changed && w != prev {
			t.Errorf("%s: unchanged weights decoded again", s.name)
		}
		prev = w
	}
}

// TestRefitKeepsAlarmShift: the import found its fit too sure of the mail
// it was fitted on and moved the intercept down; a refit on the same
// samples moves its own down as far, and says so.
func TestRefitKeepsAlarmShift(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	saveImport(t, db, 5, 6, t0.AddDate(0, -3, 0), 300)
	plain, _, err := Fit(ctx, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stored := *plain
	stored.Fit = &detect.FitInfo{From: t0.AddDate(0, -3, 0), Until: t0, Messages: 300, AlarmShift: 0.75}
	if err := detect.SaveWeights(ctx, db, &stored); err != nil {
		t.Fatal(err)
	}
	again, _, err := Fit(ctx, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := plain.Intercept - again.Intercept; math.Abs(d-0.75) > 1e-9 || again.Fit.AlarmShift != 0.75 {
		t.Errorf("refit moved the intercept by %v (alarm shift %v), want 0.75", d, again.Fit.AlarmShift)
	}
}
