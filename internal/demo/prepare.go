package demo

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/synth"
	"github.com/misend/misend/internal/terms"
)

// jst is the synthetic organisation's zone: its history ends today there.
var jst = time.FixedZone("JST", 9*3600)

// learned is the organisation after its history was imported.
type learned struct {
	synth     *synth.Org
	db        *store.DB
	dbPath    string
	svc       *check.Loaded
	scenarios []synth.Scenario
	outcomes  []scenarioOutcome // per scenario, once checked
}

type scenarioOutcome struct {
	sender  string
	verdict policy.Verdict
}

func prepare(ctx context.Context, w *narrator, o Options, dir string) (*learned, error) {
	// The history ends today, so that mail sent through the gateway now
	// meets a model as fresh as it would be in production.
	today := time.Now().In(jst)
	start := time.Date(today.Year(), today.Month(), today.Day()-o.Days, 0, 0, 0, 0, jst)
	org, err := synth.New(o.Seed, synth.Options{People: o.People, Days: o.Days, Start: start, Rate: synth.DefaultOptions().Rate, Domain: "corp.example"})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	w.printf("misend demo: %s, %d people in %d departments, %d partner companies and %d first written to during the year (seed %d)\n",
		org.Company, len(org.People), len(org.Departments), len(org.Partners)-org.NewCompanies(), org.NewCompanies(), o.Seed)

	t := time.Now()
	history := filepath.Join(dir, "history")
	msgs, size, err := org.WriteMbox(history)
	if err != nil {
		return nil, fmt.Errorf("demo: write history: %w", err)
	}
	w.printf("  wrote %d days of mail, %d messages (%.0f MB of mbox, one folder per person) to %s in %s\n",
		o.Days, msgs, float64(size)/1e6, history, since(t))

	dbPath := o.DB
	if dbPath == "" {
		dbPath = filepath.Join(dir, "misend.db")
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			db.Close()
		}
	}()
	if err := importDirectory(ctx, db, org); err != nil {
		return nil, err
	}
	if err := addTerms(ctx, db, org); err != nil {
		return nil, err
	}

	t = time.Now()
	cfg, _, err := check.ModelConfig(ctx, db, nil)
	if err != nil {
		return nil, err
	}
	if o.TopicKey != nil {
		if cfg.TopicKey, err = o.TopicKey(dbPath); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	m := model.New(cfg)
	sum, err := ingest.Walk(ctx, []string{history}, ingest.Options{Progress: os.Stderr}, func(_ string, msg *mail.Message) error {
		m.Learn(msg)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("demo: import: %w", err)
	}
	if err := m.Save(ctx, db); err != nil {
		return nil, err
	}
	st := m.Stats()
	w.printf("  learned %d copies (%d distinct messages, the rest the same mail in the recipients' folders) from %d senders in %s, as `misend import` does\n",
		sum.Messages, st.Learned, st.Senders, since(t))

	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		return nil, err
	}
	svc, err := check.Load(ctx, db, check.LoadOptions{Policy: pol, TopicKey: cfg.TopicKey})
	if err != nil {
		return nil, err
	}
	sc, err := org.Scenarios()
	if err != nil {
		return nil, fmt.Errorf("demo: scenarios: %w", err)
	}
	if leak, err := confidentialScenario(org, sc); err == nil {
		sc = append(sc, leak)
	}
	ok = true
	return &learned{synth: org, db: db, dbPath: dbPath, svc: svc, scenarios: sc}, nil
}

// importDirectory stores the organisation's people through the same CSV
// path as `misend directory import`.
func importDirectory(ctx context.Context, db *store.DB, org *synth.Org) error {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	if err := org.WriteDirectoryCSV(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	people, err := directory.CSV{R: &buf}.People(ctx)
	if err != nil {
		return fmt.Errorf("demo: directory: %w", err)
	}
	return directory.Import(ctx, db, people, []string{org.Opt.Domain})
}

// addTerms gives every department a confidential list made of its own
// vocabulary, restricted on any match, as an operator would start.
func addTerms(ctx context.Context, db *store.DB, org *synth.Org) error {
	ts, err := terms.Open(ctx, db)
	if err != nil {
		return err
	}
	for _, d := range org.Departments {
		scope := terms.DepartmentScope(d.Name)
		for _, t := range d.Terms {
			if err := ts.Add(ctx, scope, t, 0.8, "demo"); err != nil {
				return err
			}
		}
		if err := ts.SetRule(ctx, terms.Rule{Scope: scope, Any: true}); err != nil {
			return err
		}
	}
	return nil
}
