package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/refit"
	"github.com/misend/misend/internal/store"
)

type refitCmd struct {
	AnswerWeight float64 `help:"How many injected samples one person's answer counts for." default:"10" name:"answer-weight"`
	DryRun       bool    `help:"Fit and report, but keep the stored weights." name:"dry-run"`
}

// Run fits the weights again, as serve does every [model] refit_every:
// on the samples the import fitted on, the decisions misend made while
// serving and what people answered about them.
func (c *refitCmd) Run(g *Globals) error {
	if c.AnswerWeight <= 0 {
		return errors.New("refit: --answer-weight must be positive")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return fmt.Errorf("refit: %w", err)
	}
	defer db.Close()
	w, n, err := refit.Fit(ctx, db, refit.Options{AnswerWeight: c.AnswerWeight})
	if err != nil {
		return err
	}
	fmt.Printf("fitted on %d samples of the imported history (%d with a wrong recipient put in), %d passed decisions, "+
		"%d answered right and %d answered as mistakes (each counting %g); %d flagged decisions nobody answered left out",
		n.Import, n.ImportMistakes, n.Passed, n.Honest, n.Mistakes, c.AnswerWeight, n.Unanswered)
	if n.OtherSet > 0 {
		fmt.Printf("; %d vectors of another build's features left out", n.OtherSet)
	}
	fmt.Println()
	if c.DryRun {
		fmt.Println("dry run: the stored weights are unchanged")
		return nil
	}
	if err := detect.SaveWeights(ctx, db, w); err != nil {
		return fmt.Errorf("refit: %w", err)
	}
	fmt.Println("stored: check uses them now, and a running serve within a minute")
	return nil
}
