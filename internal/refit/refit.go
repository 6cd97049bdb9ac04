// Package refit keeps the detector's weights current while misend serves.
//
// misend import fits the weights on the organisation's history with
// mistakes put in (package eval's calibration); SaveImport keeps those
// samples' feature vectors. While serving, every flagged decision and a
// sample of the passed ones keep their feature vectors too (package
// decisions), and people answer the flagged ones: a sender confirming a
// recipient, reporting a warning as wrong or an approver releasing says the
// message was honest; a sender dropping a recipient or cancelling, or an
// approver rejecting, says it was a real mistake. Fit fits the weights on
// all of it, each answer counting AnswerWeight times an injected sample:
// real labels are rarer and truer than the slips misend makes up.
//
// It stores numbers only, never addresses or text. It deliberately does not
// decide when to refit in a cluster of replicas beyond one refit at a time
// (Loop), and does not score mail: package detect does, with the weights
// Fit returns.
package refit

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/version"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the refit schema, and the decisions and feedback schemas
// it reads, to db.
func Migrate(ctx context.Context, db *store.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("refit: migrations: %w", err)
	}
	if err := db.Migrate(ctx, "refit", sub); err != nil {
		return fmt.Errorf("refit: %w", err)
	}
	if err := decisions.Migrate(ctx, db); err != nil {
		return err
	}
	if _, err := feedback.Open(ctx, db, nil); err != nil {
		return err
	}
	return nil
}

// Sample is one labelled feature vector.
type Sample struct {
	Features []float64
	Mistake  bool
}

// DefaultAnswerWeight is how many injected samples one person's answer
// counts for.
const DefaultAnswerWeight = 10

// Options tune Fit.
type Options struct {
	AnswerWeight float64 // 0 means DefaultAnswerWeight
	Now          func() time.Time
}

// Counts says what a fit was made of.
type Counts struct {
	Import         int // samples from the import's calibration
	ImportMistakes int // of which with a wrong recipient put in
	Passed         int // passed decisions (honest, unanswered)
	Honest         int // flagged decisions people said were right
	Mistakes       int // flagged decisions people said were mistakes
	Unanswered     int // flagged decisions nobody answered: not fitted on
	OtherSet       int // vectors of another build's features: not fitted on
}

// Answers is how many answered decisions the fit used.
func (c Counts) Answers() int { return c.Honest + c.Mistakes }

// ErrNothing is returned by Fit when there is nothing to fit on: no import
// samples of this build's features and no answers.
var ErrNothing = errors.New("refit: nothing to fit on (import history first)")

// Fit fits weights on the import's samples and what serving decided and
// people answered. It does not store them (detect.SaveWeights does).
func Fit(ctx context.Context, db *store.DB, o Options) (*detect.Weights, Counts, error) {
	if o.AnswerWeight <= 0 {
		o.AnswerWeight = DefaultAnswerWeight
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := Migrate(ctx, db); err != nil {
		return nil, Counts{}, err
	}
	var (
		x []detect.Features
		y []bool
		w []float64
		c Counts
	)
	add := func(f []float64, mistake bool, weight float64) {
		x, y, w = append(x, f), append(y, mistake), append(w, weight)
	}
	if err := eachImport(ctx, db, &c, func(s Sample) { add(s.Features, s.Mistake, 1) }); err != nil {
		return nil, c, err
	}
	if c.Import == 0 {
		return nil, c, ErrNothing
	}
	until, err := eachServed(ctx, db, &c, func(s Sample, answered bool) {
		weight := 1.0
		if answered {
			weight = o.AnswerWeight
		}
		add(s.Features, s.Mistake, weight)
	})
	if err != nil {
		return nil, c, err
	}
	wt, err := detect.FitWeighted(x, y, w)
	if err != nil {
		return nil, c, fmt.Errorf("refit: %w", err)
	}
	// The import measured how much lower than the fit's own placement the
	// intercept must sit for mail the fit has not seen (eval.FitWeights);
	// a refit is no less sure of what it has seen.
	var shift float64
	if cur, err := detect.LoadWeights(ctx, db); err != nil {
		return nil, c, fmt.Errorf("refit: %w", err)
	} else if cur != nil && cur.Fit != nil {
		shift = cur.Fit.AlarmShift
	}
	wt.Intercept -= shift
	win, err := importWindow(ctx, db)
	if err != nil {
		return nil, c, err
	}
	if until.Before(win.Until) {
		until = win.Until
	}
	wt.Fit = &detect.FitInfo{From: win.From, Until: until, Messages: win.Messages, At: o.Now().UTC(),
		Answers: c.Answers(), Served: c.Passed, Build: version.Read().Build(), AlarmShift: shift}
	return wt, c, nil
}
