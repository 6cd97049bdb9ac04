package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

// termIndex is the optional term-index side of misend import. A nil
// *termIndex does nothing, so the default import pays one nil check per
// message.
type termIndex struct {
	w *terms.IndexWriter
}

// openTermIndex starts indexing when on.
func openTermIndex(ctx context.Context, db *store.DB, on bool) (*termIndex, error) {
	if !on {
		return nil, nil
	}
	s, err := terms.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	w, err := s.IndexWriter(ctx)
	if err != nil {
		return nil, err
	}
	return &termIndex{w: w}, nil
}

func (x *termIndex) add(msg *mail.Message) {
	if x != nil {
		x.w.Add(msg)
	}
}

// close flushes the index and says what it did.
func (x *termIndex) close() error {
	if x == nil {
		return nil
	}
	st, err := x.w.Close()
	fmt.Printf("term index: %d messages indexed, %d already indexed, %d new words\n", st.Indexed, st.Known, st.NewWords)
	return err
}

type termsIndexCmd struct {
	PruneBefore string `help:"Delete indexed messages sent before this day (YYYY-MM-DD), and words only they used." xor:"prune"`
	Drop        bool   `help:"Delete the whole term index." xor:"prune"`
	JSON        bool   `help:"JSON output."`
}

// Run shows (and prunes) the term index that misend import --index-terms
// fills and misend terms recommend reads.
func (c *termsIndexCmd) Run(g *Globals) error {
	ctx := context.Background()
	if c.PruneBefore != "" {
		if _, err := time.Parse(time.DateOnly, c.PruneBefore); err != nil {
			return fmt.Errorf("--prune-before %q: want YYYY-MM-DD", c.PruneBefore)
		}
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	pruned := int64(0)
	if c.Drop || c.PruneBefore != "" {
		if pruned, err = s.PruneIndex(ctx, c.PruneBefore); err != nil {
			return err
		}
	}
	info, err := s.IndexInfo(ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(struct {
			terms.IndexInfo
			Pruned int64 `json:"pruned"`
		}{info, pruned})
	}
	if c.Drop || c.PruneBefore != "" {
		fmt.Printf("deleted %d messages from the term index\n", pruned)
	}
	if info.Messages == 0 {
		fmt.Println("term index: empty (misend import --index-terms fills it)")
		return nil
	}
	fmt.Printf("term index: %d messages from %s to %s, %d words\n", info.Messages, orDash(info.First), orDash(info.Last), info.Words)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// indexedCorpora reads the scopes' corpora from the term index.
func indexedCorpora(ctx context.Context, s *terms.Store, lists map[terms.Scope][]terms.Term, belongs func(terms.Scope, string) bool, since, until string) (map[terms.Scope]*terms.Corpus, error) {
	info, err := s.IndexInfo(ctx)
	if err != nil {
		return nil, err
	}
	if info.Messages == 0 {
		return nil, errors.New("no indexed history: run misend import --index-terms on past mail, or give --mail")
	}
	q := terms.IndexQuery{Lists: map[terms.Scope][]string{}, Belongs: belongs, Since: since, Until: until}
	for sc, l := range lists {
		for _, t := range l {
			q.Lists[sc] = append(q.Lists[sc], t.Text)
		}
	}
	return s.IndexedCorpora(ctx, q)
}
