package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/terms"
)

// walkMail reads past mail; tests replace it.
var walkMail = ingest.Walk

type termsRecommendCmd struct {
	Scope            string   `help:"Only this scope; default every scope with a list."`
	Mail             []string `type:"path" help:"Past mail to read instead of the term index: mbox, Maildir, .eml files or directories (read, never stored)."`
	Since            string   `help:"Only mail sent on or after this day (YYYY-MM-DD)."`
	Until            string   `help:"Only mail sent on or before this day (YYYY-MM-DD)."`
	JSON             bool     `help:"JSON output: one object per scope."`
	GenericFraction  float64  `default:"0.6" help:"Drop terms found in more than this fraction of non-confidential mail."`
	KeepPersonNames  bool     `help:"Keep person names as candidate terms."`
	MaxEdges         int      `default:"10" help:"Terms linked from each list term."`
	Threshold        float64  `default:"0.3" help:"Recommend terms whose computed weight is at least this."`
	RemovalThreshold float64  `default:"0.299" help:"List terms whose computed weight is at most this become removal candidates."`
	Synonyms         int      `default:"2" help:"Synonyms recommended per list term."`
	ProposeBy        string   `help:"File every recommendation as a pending proposal by this operator."`
}

type scopeResult struct {
	Scope terms.Scope `json:"scope"`
	terms.Result
}

func (c *termsRecommendCmd) Run(g *Globals) error {
	ctx := context.Background()
	only, err := parseScope(c.Scope)
	if err != nil {
		return err
	}
	since, until, err := dayRange(c.Since, c.Until)
	if err != nil {
		return err
	}
	p := terms.Params{GenericFraction: c.GenericFraction, DropPersonNames: !c.KeepPersonNames, MaxEdges: c.MaxEdges,
		RecommendThreshold: c.Threshold, RemovalThreshold: c.RemovalThreshold, Synonyms: c.Synonyms}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	dir, err := directory.Load(ctx, db)
	if err != nil {
		return err
	}
	all, err := s.List(ctx, only)
	if err != nil {
		return err
	}
	lists := map[terms.Scope][]terms.Term{}
	var scopes []terms.Scope
	for _, t := range all {
		if lists[t.Scope] == nil {
			scopes = append(scopes, t.Scope)
		}
		lists[t.Scope] = append(lists[t.Scope], t)
	}
	if len(scopes) == 0 {
		return errors.New("no list to recommend from: add terms first (misend terms add)")
	}
	// The mail of a department (or group) is what its senders wrote; with
	// no directory every message counts for every scope. (Asked once:
	// People copies and sorts the directory, and belongs runs per message
	// and scope.)
	noDirectory := len(dir.People()) == 0
	belongs := func(sc terms.Scope, from string) bool {
		if noDirectory {
			return true
		}
		switch sc.Kind() {
		case terms.Department:
			return dir.InDepartment(from, sc.Name())
		case terms.Group:
			return dir.InGroup(from, sc.Name())
		}
		return dir.IsInternal(from)
	}
	var corpora map[terms.Scope]*terms.Corpus
	source := ""
	if len(c.Mail) == 0 {
		if corpora, err = indexedCorpora(ctx, s, lists, belongs, since, until); err != nil {
			return err
		}
		if keep, _ := s.Setting(ctx, terms.IndexPersonNamesKey, "false"); c.KeepPersonNames && keep != "true" {
			fmt.Fprintln(os.Stderr, "misend: the term index holds no person names (misend terms index --person-names keep, then import again)")
		}
		source = "the term index"
	} else {
		sum, err := readCorpora(ctx, c.Mail, lists, belongs, since, until)
		if err != nil {
			return err
		}
		corpora = sum.corpora
		source = fmt.Sprintf("%d messages in %d files", sum.Messages, sum.Files)
	}
	th, err := s.Thesaurus(ctx)
	if err != nil {
		return err
	}
	var out []scopeResult
	for _, sc := range scopes {
		res := terms.Recommend(corpora[sc], lists[sc], p, th)
		out = append(out, scopeResult{Scope: sc, Result: res})
		if c.ProposeBy != "" {
			for _, r := range res.Recommended {
				if _, err := s.Propose(ctx, dir, terms.Change{Scope: sc, Action: terms.ActionAdd, Term: r.Term, Weight: r.Weight,
					Note: fmt.Sprintf("recommended (%s, from %s)", r.Kind, strings.Join(r.From, ", ")), ProposedBy: strings.ToLower(c.ProposeBy)}); err != nil {
					return err
				}
			}
		}
	}
	if c.JSON {
		for _, r := range out {
			if r.Recommended == nil {
				r.Recommended = []terms.Recommendation{}
			}
			if r.Removal == nil {
				r.Removal = []terms.Recommendation{}
			}
			if err := printJSON(r); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Printf("recommended from %s\n", source)
	for _, r := range out {
		fmt.Printf("\n%s: %d mails, %d confidential\n", r.Scope, r.Mails, r.Confidential)
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "  RECOMMENDED\tWEIGHT\tKIND\tFROM")
		for _, x := range r.Recommended {
			fmt.Fprintf(w, "  %s\t%.3f\t%s\t%s\n", x.Term, x.Weight, x.Kind, strings.Join(x.From, ", "))
		}
		for _, x := range r.Removal {
			fmt.Fprintf(w, "  remove? %s\t%.3f\tlist\t\n", x.Term, x.Weight)
		}
		w.Flush()
	}
	return nil
}

type readSummary struct {
	ingest.Summary
	corpora map[terms.Scope]*terms.Corpus
}

// readCorpora tokenises the mail under paths on every core into one corpus
// per scope.
func readCorpora(ctx context.Context, paths []string, lists map[terms.Scope][]terms.Term, belongs func(terms.Scope, string) bool, since, until string) (readSummary, error) {
	names := map[terms.Scope][]string{}
	for sc, l := range lists {
		for _, t := range l {
			names[sc] = append(names[sc], t.Text)
		}
	}
	b := terms.NewCorpusBuilder(names, belongs, terms.BuildOptions{})
	sum, walkErr := walkMail(ctx, paths, ingest.Options{}, func(src string, msg *mail.Message) error {
		if day := msg.Date.UTC().Format(time.DateOnly); (since != "" || until != "") && (msg.Date.IsZero() || since != "" && day < since || until != "" && day > until) {
			return nil
		}
		return b.AddMessage(ctx, msg)
	})
	corpora, workErr := b.Close()
	out := readSummary{Summary: sum, corpora: corpora}
	if walkErr != nil {
		return out, fmt.Errorf("read mail: %w", walkErr)
	}
	return out, workErr
}

// dayRange checks --since and --until.
func dayRange(since, until string) (string, string, error) {
	for _, d := range []struct{ flag, v string }{{"--since", since}, {"--until", until}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return "", "", fmt.Errorf("%s %q: want YYYY-MM-DD", d.flag, d.v)
		}
	}
	if since != "" && until != "" && until < since {
		return "", "", fmt.Errorf("--until %s is before --since %s", until, since)
	}
	return since, until, nil
}

type termsSynonymsCmd struct {
	Import termsSynonymsImportCmd `cmd:"" help:"Import a thesaurus: CSV (one group per line) or SudachiDict synonyms.txt."`
	Show   termsSynonymsShowCmd   `cmd:"" help:"Show the synonyms known for a word."`
}

type termsSynonymsImportCmd struct {
	Format string `default:"auto" enum:"auto,csv,sudachi" help:"auto, csv or sudachi."`
	Name   string `help:"Name of this thesaurus (a re-import with the same name replaces it); default the file name."`
	File   string `arg:"" type:"existingfile"`
}

func (c *termsSynonymsImportCmd) Run(g *Globals) error {
	ctx := context.Background()
	f, err := os.Open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	format := c.Format
	if format == "auto" {
		format = "csv"
		head := make([]byte, 512)
		n, _ := f.Read(head)
		if terms.LooksLikeSudachi(head[:n]) {
			format = "sudachi"
		}
		if _, err := f.Seek(0, 0); err != nil {
			return err
		}
	}
	parse := terms.ParseGroupsCSV
	if format == "sudachi" {
		parse = terms.ParseSudachi
	}
	groups, err := parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", c.File, err)
	}
	name := c.Name
	if name == "" {
		name = c.File
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := s.ImportSynonyms(ctx, name, groups); err != nil {
		return err
	}
	fmt.Printf("imported %d synonym groups (%s) as %q\n", len(groups), format, name)
	return nil
}

type termsSynonymsShowCmd struct {
	K    int    `default:"10" help:"How many."`
	Word string `arg:""`
}

func (c *termsSynonymsShowCmd) Run(g *Globals) error {
	ctx := context.Background()
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	th, err := s.Thesaurus(ctx)
	if err != nil {
		return err
	}
	for _, w := range th.Synonyms(c.Word, c.K, nil) {
		fmt.Println(w)
	}
	return nil
}

type termsPersonalCmd struct {
	Many int `help:"How many distinct phone numbers or postal addresses in one message count as personal data (default 5)."`
}

func (c *termsPersonalCmd) Run(g *Globals) error {
	ctx := context.Background()
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if c.Many < 0 {
		return errors.New("--many must be positive")
	}
	if c.Many > 0 {
		if err := s.SetSetting(ctx, "personal.many", fmt.Sprint(c.Many)); err != nil {
			return err
		}
	}
	v, err := s.Setting(ctx, "personal.many", fmt.Sprint(terms.DefaultManyContacts))
	if err != nil {
		return err
	}
	fmt.Printf("personal data: My Number and card numbers always; phone numbers or postal addresses from %s per message\n", v)
	return nil
}
