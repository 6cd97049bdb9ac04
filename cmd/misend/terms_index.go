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
	PersonNames string `placeholder:"keep|drop" help:"Whether future indexing keeps person names (for recommend --keep-person-names); drop is the default."`
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
	if c.PersonNames != "" && c.PersonNames != "keep" && c.PersonNames != "drop" {
		return fmt.Errorf("--person-names %q: want keep or drop", c.PersonNames)
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if c.PersonNames != "" {
		if err := s.SetSetting(ctx, terms.IndexPersonNamesKey, fmt.Sprint(c.PersonNames == "keep")); err != nil {
			return err
		}
	}
	keep, err := s.Setting(ctx, terms.IndexPersonNamesKey, "false")
	if err != nil {
		return err
	}
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
			Pruned      int64 `json:"pruned"`
			PersonNames bool  `json:"person_names"`
		}{info, pruned, keep == "true"})
	}
	if c.Drop || c.PruneBefore != "" {
		fmt.Printf("deleted %d messages from the term index\n", pruned)
	}
	names := "without person names"
	if keep == "true" {
		names = "with person names"
	}
	if info.Messages == 0 {
		fmt.Printf("term index: empty (misend import --index-terms fills it, %s)\n", names)
		return nil
	}
	fmt.Printf("term index: %d messages from %s to %s, %d words, %s\n", info.Messages, orDash(info.First), orDash(info.Last), info.Words, names)
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
