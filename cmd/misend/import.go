package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/journal"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store"
)

// importShareBatch is how many imported messages go to the journal at
// once, on a database replicas share.
const importShareBatch = 10_000

type importCmd struct {
	Paths      []string `arg:"" type:"path" help:"mbox files, Maildir trees, .eml files or directories, Exchange message-trace CSV."`
	IndexTerms bool     `help:"Also keep each message's nouns (never its text) for misend terms recommend; slower."`
}

// Run learns every message under the paths and saves the model. Messages
// learned before (by Message-ID) are counted as duplicates and change
// nothing, so importing the same history twice reports "0 new".
func (c *importCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg, err := modelConfig(ctx, db, g)
	if err != nil {
		return err
	}
	m, err := model.Load(ctx, db, cfg)
	if err != nil {
		return err
	}
	idx, err := openTermIndex(ctx, db, c.IndexTerms)
	if err != nil {
		return err
	}
	// On a database serve replicas share, what is imported goes through
	// the journal too: otherwise the next replica to save its model would
	// save over the imported history.
	var share *journal.Sharer
	var shareCfg *bool // [model] share
	if g.Config != "" {
		cfg, err := config.Load(g.Config)
		if err != nil {
			return err
		}
		shareCfg = cfg.Model.Share
	}
	if sharesLearning(db, shareCfg) {
		if share, _, err = modelSharer(ctx, db, m); err != nil {
			return err
		}
	}
	start := time.Now()
	learned, dups := 0, 0
	sum, walkErr := walkMail(ctx, c.Paths, ingest.Options{Progress: os.Stderr}, func(src string, msg *mail.Message) error {
		idx.add(msg)
		o := m.Observe(msg)
		if !m.LearnObservation(&o) {
			dups++
			return nil
		}
		learned++
		if share != nil {
			share.Learned(o)
			if learned%importShareBatch == 0 {
				if _, err := share.Sync(ctx); err != nil {
					return err
				}
			}
		}
		return nil
	})
	idxErr := idx.close()
	// Save what was learned even when the walk stopped early: the model is
	// idempotent, so the next run picks up the rest without double counts.
	stored, err := model.StoredOrgDomains(ctx, db)
	if err != nil {
		return err
	}
	now := slices.Sorted(slices.Values(m.OrgDomains()))
	if learned > 0 || !slices.Equal(now, stored) {
		save := func(ctx context.Context) error { return m.Save(ctx, db) }
		if share != nil {
			err = share.Save(ctx, save)
		} else {
			err = save(ctx)
		}
		if err != nil {
			return err
		}
	}
	elapsed := time.Since(start)
	st := m.Stats()
	rate := float64(learned+dups) / max(elapsed.Seconds(), 1e-9)
	fmt.Printf("%d messages from %d files: %d new, %d duplicates, %d skipped\n", learned+dups, sum.Files, learned, dups, skipped(sum))
	for _, reason := range sortedReasons(sum.Skipped) {
		fmt.Printf("  skipped %d (%s): %s\n", sum.Skipped[reason], reason, ingest.Describe(reason))
		if ex := sum.Examples[reason]; ex != "" {
			fmt.Printf("    first: %s\n", ex)
		}
	}
	fmt.Printf("model: %d messages, %d senders, %d addresses, %d domains; organisation domains: %s\n",
		st.Learned, st.Senders, st.Addresses, st.Domains, orNone(m.OrgDomains()))
	fmt.Printf("%s, %.0f msgs/s\n", elapsed.Round(time.Millisecond), rate)
	if idxErr != nil {
		return idxErr
	}
	if walkErr != nil {
		return fmt.Errorf("import stopped after %d new messages: %w", learned, walkErr)
	}
	return nil
}

// modelConfig sets up the model from --org-domain and the directory.
func modelConfig(ctx context.Context, db *store.DB, g *Globals) (model.Config, error) {
	cfg, _, err := check.ModelConfig(ctx, db, g.OrgDomain)
	return cfg, err
}

func skipped(s ingest.Summary) int {
	n := 0
	for _, v := range s.Skipped {
		n += v
	}
	return n
}

func sortedReasons(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return m[out[i]] > m[out[j]] || (m[out[i]] == m[out[j]] && out[i] < out[j]) })
	return out
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none (everyone counts as inside)"
	}
	return strings.Join(l, ", ")
}
