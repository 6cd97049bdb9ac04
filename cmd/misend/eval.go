package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/eval"
	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store"
)

type evalCmd struct {
	Corpus       []string `arg:"" optional:"" help:"One corpus to split by date (with --split)." type:"path"`
	History      []string `help:"Mail history the model learns first." type:"path"`
	Test         []string `help:"Mail scored after the history, clean and with injected mistakes." type:"path"`
	Split        float64  `help:"Share of the corpus, by date, that is history; the rest is test." default:"0.8"`
	SplitDate    string   `help:"Split the corpus at this date (YYYY-MM-DD, UTC) instead: history before it, test from it." name:"split-date"`
	FitShare     float64  `help:"Share of the history, by date, whose messages are scored before they are learned and fitted on; weights never see test mail." name:"fit-share" default:"0.25"`
	AllowSeen    bool     `help:"Score with stored or file weights even when they were fitted on mail of the test period." name:"allow-seen"`
	Seed         uint64   `help:"Seed for the injected mistakes." default:"1"`
	Strategies   []string `help:"Injection strategies: colleague-contact, same-name, lookalike-domain, autocomplete, typo, recent-contact, or all." default:"all" sep:","`
	Inject       []string `help:"How a wrong address enters: replace, add." default:"replace,add" sep:","`
	Frozen       bool     `help:"Do not learn test messages after scoring them (by default the model stays current)."`
	MaxTest      int      `help:"Score at most this many test messages (0: all)." name:"max-test"`
	JSON         bool     `help:"Print the report as JSON." name:"json"`
	SaveWeights  bool     `help:"Store the fitted weights in --db for check and serve." name:"save-weights"`
	Builtin      bool     `help:"Score with the built-in weights even when --db holds fitted ones." name:"builtin-weights"`
	Weights      string   `help:"Score with the weights in this JSON file (as --write-weights writes it) instead of stored or built-in ones." type:"path"`
	WriteWeights string   `help:"Write the fitted weights to this JSON file." name:"write-weights" type:"path"`
	Explain      bool     `help:"Also show which features the false alarms and missed mistakes at a 2% alarm rate have."`
	Samples      string   `help:"Write every scored sample, clean and injected, to this file as JSON lines (score, features, the addresses involved)." type:"path"`
}

func (c *evalCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	strategies, err := eval.StrategiesByName(c.Strategies)
	if err != nil {
		return err
	}
	modes, err := parseModes(c.Inject)
	if err != nil {
		return err
	}
	history, test, err := c.corpus(ctx)
	if err != nil {
		return err
	}
	org := g.OrgDomain
	if len(org) == 0 {
		d := eval.MostCommonSenderDomain(append(append([]*mail.Message(nil), history...), test...))
		if d == "" {
			return errors.New("eval: no sender domains in the corpus; give --org-domain")
		}
		org = []string{d}
		fmt.Fprintf(os.Stderr, "misend eval: no --org-domain given; taking %s, the most common sender domain\n", d)
	}
	mcfg, weights, err := c.fromDB(ctx, g, org)
	if err != nil {
		return err
	}
	m := model.New(mcfg)
	cfg := eval.Config{OrgDomains: org, Strategies: strategies, Modes: modes, Seed: c.Seed, Frozen: c.Frozen, MaxTest: c.MaxTest,
		Weights: "default", FitFrom: eval.FitFrom(history, c.FitShare)}
	if weights != nil {
		cfg.Weights = "stored"
	}
	if c.Weights != "" {
		if weights, err = readWeights(c.Weights); err != nil {
			return err
		}
		cfg.Weights = "file"
	}
	if err := c.unseen(weights, test); err != nil {
		return err
	}
	run, err := eval.Replay(ctx, cfg, history, test, eval.DetectorScorer{D: &detect.Detector{Model: m, Weights: weights}}, m)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if run.Test == 0 {
		return fmt.Errorf("eval: no test messages sent from %s with recipients and a date", strings.Join(org, ", "))
	}
	rep := eval.Evaluate(run, strategies, modes)
	if c.Samples != "" {
		if err := writeSamples(c.Samples, run); err != nil {
			return err
		}
	}
	if c.SaveWeights {
		if err := saveWeights(ctx, g.DB, rep); err != nil {
			return err
		}
	}
	if c.WriteWeights != "" {
		if err := writeWeights(c.WriteWeights, rep); err != nil {
			return err
		}
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	if err := rep.WriteText(os.Stdout); err != nil || !c.Explain {
		return err
	}
	return rep.WriteDiagnoses(os.Stdout)
}

// fromDB takes what an existing --db knows that eval can use: departments
// from an imported directory (the team-knowledge features need them) and
// fitted weights (unless --builtin-weights). A missing database file is no
// error, and eval does not create one unless it is to save weights.
// The model stays without the topic key (model.Config.TopicKey): eval
// builds it afresh from the corpus in memory and neither reads nor saves
// the database's, so its subject hashes meet no stored ones.
func (c *evalCmd) fromDB(ctx context.Context, g *Globals, org []string) (model.Config, *detect.Weights, error) {
	cfg := model.Config{OrgDomains: org, Addressed: detect.AddressedCompanies}
	if _, err := os.Stat(g.DB); err != nil && !strings.Contains(g.DB, "://") {
		return cfg, nil, nil
	}
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return cfg, nil, fmt.Errorf("eval: %w", err)
	}
	defer db.Close()
	dir, err := directory.Load(ctx, db)
	if err != nil {
		return cfg, nil, fmt.Errorf("eval: %w", err)
	}
	if len(dir.People()) > 0 {
		cfg.Department = dir.DepartmentOf
		fmt.Fprintf(os.Stderr, "misend eval: departments of %d people from the directory in %s\n", len(dir.People()), g.DB)
	}
	if c.Builtin || c.Weights != "" {
		return cfg, nil, nil
	}
	w, err := detect.LoadWeights(ctx, db)
	if err != nil {
		return cfg, nil, fmt.Errorf("eval: %w", err)
	}
	if w != nil {
		fmt.Fprintf(os.Stderr, "misend eval: scoring with the weights stored in %s (--builtin-weights for the built-in ones)\n", g.DB)
	}
	return cfg, w, nil
}

// unseen refuses weights fitted on mail of the test period: their figures
// would say how well they remember, not how well they detect.
func (c *evalCmd) unseen(w *detect.Weights, test []*mail.Message) error {
	if w == nil || w.Fit == nil || c.AllowSeen || len(test) == 0 {
		return nil
	}
	from, until := test[0].Date, test[len(test)-1].Date
	if !w.Fit.Overlaps(from, until) {
		return nil
	}
	return fmt.Errorf("eval: the weights were fitted on mail from %s to %s, and the test period (%s to %s) overlaps it: "+
		"their figures would flatter them. Use --builtin-weights, weights fitted on earlier mail, or --allow-seen to score anyway",
		w.Fit.From.Format(time.DateOnly), w.Fit.Until.Format(time.DateOnly), from.Format(time.DateOnly), until.Format(time.DateOnly))
}

// corpus reads history and test messages, date-ordered, each message once.
func (c *evalCmd) corpus(ctx context.Context) (history, test []*mail.Message, err error) {
	switch {
	case len(c.Corpus) > 0 && (len(c.History) > 0 || len(c.Test) > 0):
		return nil, nil, errors.New("eval: give either a corpus to split or --history and --test, not both")
	case len(c.Corpus) > 0:
		all, err := readMail(ctx, c.Corpus)
		if err != nil {
			return nil, nil, err
		}
		if c.SplitDate != "" {
			at, err := time.Parse(time.DateOnly, c.SplitDate)
			if err != nil {
				return nil, nil, fmt.Errorf("eval: --split-date %q: want YYYY-MM-DD", c.SplitDate)
			}
			history, test = eval.SplitAt(eval.Dedupe(all), at)
			return history, test, nil
		}
		history, test = eval.Split(eval.Dedupe(all), c.Split)
		return history, test, nil
	case len(c.Test) > 0:
		if history, err = readMail(ctx, c.History); err != nil {
			return nil, nil, err
		}
		if test, err = readMail(ctx, c.Test); err != nil {
			return nil, nil, err
		}
		history, test = eval.Dedupe(history), eval.Dedupe(test)
		eval.SortByDate(history)
		eval.SortByDate(test)
		return history, test, nil
	}
	return nil, nil, errors.New("eval: give a corpus to split, or --test (and --history)")
}

func readMail(ctx context.Context, paths []string) ([]*mail.Message, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	var msgs []*mail.Message
	sum, err := walkMail(ctx, paths, ingest.Options{Progress: os.Stderr, Limits: mail.HistoryLimits}, func(_ string, m *mail.Message) error {
		msgs = append(msgs, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("eval: read %s: %w", strings.Join(paths, ", "), err)
	}
	if n := skipped(sum); n > 0 {
		fmt.Fprintf(os.Stderr, "misend eval: %d files or messages in %s left out:\n", n, strings.Join(paths, ", "))
		printSkips(os.Stderr, "  ", sum)
	}
	return msgs, nil
}

func parseModes(names []string) ([]eval.Mode, error) {
	var modes []eval.Mode
	for _, n := range names {
		switch m := eval.Mode(strings.TrimSpace(n)); m {
		case eval.Replace, eval.Add:
			modes = append(modes, m)
		default:
			return nil, fmt.Errorf("eval: unknown --inject %q (have replace, add)", n)
		}
	}
	return modes, nil
}

func saveWeights(ctx context.Context, path string, rep *eval.Report) error {
	if rep.Fitted == nil {
		return fmt.Errorf("eval: no weights to save: %s", rep.FitError)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer db.Close()
	if err := detect.SaveWeights(ctx, db, rep.Fitted); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	fmt.Fprintf(os.Stderr, "misend eval: fitted weights saved in %s; check and serve use them from now on\n", path)
	return nil
}

func readWeights(path string) (*detect.Weights, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	var w detect.Weights
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("eval: weights %s: %w", path, err)
	}
	if len(w.Coef) == 0 || len(w.Names) != len(w.Coef) {
		return nil, fmt.Errorf("eval: weights %s: names and coefficients do not match", path)
	}
	return &w, nil
}

func writeSamples(path string, run *eval.Run) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if err := run.WriteSamples(f); err != nil {
		f.Close()
		return fmt.Errorf("eval: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	return nil
}

func writeWeights(path string, rep *eval.Report) error {
	if rep.Fitted == nil {
		return fmt.Errorf("eval: no weights to write: %s", rep.FitError)
	}
	b, err := json.MarshalIndent(rep.Fitted, "", "  ")
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	return nil
}
