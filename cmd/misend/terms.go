package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

type termsCmd struct {
	List      termsListCmd      `cmd:"" help:"Show the confidential-term lists (operators only: terms are never shown to senders)."`
	Add       termsAddCmd       `cmd:"" help:"Put terms on a scope's list directly, or change their weight."`
	Remove    termsRemoveCmd    `cmd:"" help:"Take terms off a scope's list directly."`
	Rule      termsRuleCmd      `cmd:"" help:"Set when a scope restricts a message: mean weight of matched terms, or any match."`
	Except    termsExceptCmd    `cmd:"" help:"Exempt a term for a scope until a time."`
	Propose   termsProposeCmd   `cmd:"" help:"Propose adding, re-weighting or removing a term; the scope's approver decides."`
	Approve   termsApproveCmd   `cmd:"" help:"Approve a pending change (scope approvers only)."`
	Reject    termsRejectCmd    `cmd:"" help:"Reject a pending change (scope approvers only)."`
	History   termsHistoryCmd   `cmd:"" help:"Show proposed and applied changes with who and when."`
	Recommend termsRecommendCmd `cmd:"" help:"Recommend related terms and synonyms from past mail, and list terms to remove."`
	Synonyms  termsSynonymsCmd  `cmd:"" help:"Import or look up thesauri used for synonym recommendation."`
	Personal  termsPersonalCmd  `cmd:"" help:"Settings for personal-data detection."`
}

// termsEnv opens what every terms subcommand needs.
func termsEnv(ctx context.Context, g *Globals) (*store.DB, *terms.Store, error) {
	db, err := store.Open(ctx, g.DB)
	if err != nil {
		return nil, nil, err
	}
	s, err := terms.Open(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, s, nil
}

func parseScope(s string) (terms.Scope, error) {
	if s == "" {
		return "", nil
	}
	return terms.ParseScope(s)
}

func defaultBy(by string) string {
	if by != "" {
		return strings.ToLower(by)
	}
	if u, err := user.Current(); err == nil {
		return "local:" + u.Username
	}
	return "local"
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

type termsListCmd struct {
	Scope string `help:"Only this scope (organization, group:NAME, department:NAME)."`
	JSON  bool   `help:"JSON output."`
}

func (c *termsListCmd) Run(g *Globals) error {
	ctx := context.Background()
	scope, err := parseScope(c.Scope)
	if err != nil {
		return err
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := s.List(ctx, scope)
	if err != nil {
		return err
	}
	if c.JSON {
		if list == nil {
			list = []terms.Term{}
		}
		return printJSON(list)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SCOPE\tTERM\tWEIGHT\tADDED BY\tADDED")
	for _, t := range list {
		fmt.Fprintf(w, "%s\t%s\t%.3f\t%s\t%s\n", t.Scope, t.Text, t.Weight, t.AddedBy, t.AddedAt.Format(time.DateOnly))
	}
	return w.Flush()
}

type termsAddCmd struct {
	Scope  string   `required:"" help:"organization, group:NAME or department:NAME."`
	Weight float64  `required:"" help:"Weight in [0,1]."`
	By     string   `help:"Who makes the change (recorded)."`
	Terms  []string `arg:"" help:"Terms to add."`
}

func (c *termsAddCmd) Run(g *Globals) error {
	ctx := context.Background()
	scope, err := terms.ParseScope(c.Scope)
	if err != nil {
		return err
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, t := range c.Terms {
		if err := s.Add(ctx, scope, t, c.Weight, defaultBy(c.By)); err != nil {
			return err
		}
	}
	fmt.Printf("%d term(s) on %s\n", len(c.Terms), scope)
	return nil
}

type termsRemoveCmd struct {
	Scope string   `required:"" help:"organization, group:NAME or department:NAME."`
	By    string   `help:"Who makes the change (recorded)."`
	Terms []string `arg:"" help:"Terms to remove."`
}

func (c *termsRemoveCmd) Run(g *Globals) error {
	ctx := context.Background()
	scope, err := terms.ParseScope(c.Scope)
	if err != nil {
		return err
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, t := range c.Terms {
		if err := s.Remove(ctx, scope, t, defaultBy(c.By)); err != nil {
			return err
		}
	}
	fmt.Printf("%d term(s) removed from %s\n", len(c.Terms), scope)
	return nil
}

type termsRuleCmd struct {
	Scope       string   `required:"" help:"organization, group:NAME or department:NAME."`
	MeanAtLeast *float64 `name:"mean-at-least" xor:"mode" help:"Restrict when the mean weight of matched terms is at least this (default 0.3)."`
	Any         bool     `xor:"mode" help:"Restrict when any term matches."`
	JSON        bool     `help:"JSON output."`
}

func (c *termsRuleCmd) Run(g *Globals) error {
	ctx := context.Background()
	scope, err := terms.ParseScope(c.Scope)
	if err != nil {
		return err
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if c.Any || c.MeanAtLeast != nil {
		r := terms.Rule{Scope: scope, Any: c.Any}
		if c.MeanAtLeast != nil {
			r.MeanAtLeast = *c.MeanAtLeast
		}
		if err := s.SetRule(ctx, r); err != nil {
			return err
		}
	}
	r, err := s.Rule(ctx, scope)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(r)
	}
	if r.Any {
		fmt.Printf("%s: restrict on any matched term\n", scope)
	} else {
		fmt.Printf("%s: restrict when the mean weight of matched terms is at least %.3f\n", scope, r.MeanAtLeast)
	}
	return nil
}

type termsExceptCmd struct {
	Scope  string        `required:"" help:"organization, group:NAME or department:NAME."`
	Until  string        `help:"End of the exception (YYYY-MM-DD or RFC 3339)." xor:"end"`
	For    time.Duration `help:"Length of the exception from now (e.g. 72h)." xor:"end"`
	By     string        `required:"" help:"Who grants the exception (recorded)."`
	Reason string        `help:"Why (recorded)."`
	Term   string        `arg:"" help:"The term to exempt."`
}

func (c *termsExceptCmd) Run(g *Globals) error {
	ctx := context.Background()
	scope, err := terms.ParseScope(c.Scope)
	if err != nil {
		return err
	}
	var until time.Time
	switch {
	case c.For > 0:
		until = time.Now().Add(c.For)
	case c.Until != "":
		if until, err = time.Parse(time.RFC3339, c.Until); err != nil {
			if until, err = time.ParseInLocation(time.DateOnly, c.Until, time.Local); err != nil {
				return fmt.Errorf("--until %q: want YYYY-MM-DD or RFC 3339", c.Until)
			}
		}
	default:
		return errors.New("give --until or --for")
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := s.Except(ctx, terms.Exception{Scope: scope, Text: c.Term, Until: until, By: strings.ToLower(c.By), Reason: c.Reason}); err != nil {
		return err
	}
	fmt.Printf("%s exempt on %s until %s\n", c.Term, scope, until.Format(time.RFC3339))
	return nil
}

type termsProposeCmd struct {
	Scope  string  `required:"" help:"organization, group:NAME or department:NAME."`
	Action string  `default:"add" enum:"add,reweight,remove" help:"add, reweight or remove."`
	Weight float64 `help:"Weight in [0,1] for add and reweight."`
	By     string  `required:"" help:"The proposing operator's address."`
	Note   string  `help:"Why (shown to the approver)."`
	JSON   bool    `help:"JSON output."`
	Term   string  `arg:"" help:"The term."`
}

func (c *termsProposeCmd) Run(g *Globals) error {
	ctx := context.Background()
	scope, err := terms.ParseScope(c.Scope)
	if err != nil {
		return err
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	dir, err := directory.Load(ctx, db)
	if err != nil {
		return err
	}
	id, err := s.Propose(ctx, dir, terms.Change{Scope: scope, Action: terms.Action(c.Action), Term: c.Term, Weight: c.Weight, Note: c.Note, ProposedBy: strings.ToLower(c.By)})
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(map[string]any{"id": id, "status": terms.StatusPending, "approvers": dir.ApproversOfScope(string(scope))})
	}
	fmt.Printf("change %d pending; approvers of %s: %s\n", id, scope, strings.Join(dir.ApproversOfScope(string(scope)), ", "))
	return nil
}

type termsDecision struct {
	By   string `required:"" help:"The approver's address."`
	Note string `help:"Reason (recorded)."`
	JSON bool   `help:"JSON output."`
	ID   int64  `arg:"" help:"Change id (see terms history --pending)."`
}

func (c *termsDecision) run(g *Globals, approve bool) error {
	ctx := context.Background()
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	dir, err := directory.Load(ctx, db)
	if err != nil {
		return err
	}
	decide := s.Reject
	if approve {
		decide = s.Approve
	}
	ch, err := decide(ctx, dir, c.ID, strings.ToLower(c.By), c.Note)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(ch)
	}
	fmt.Printf("change %d %s by %s\n", ch.ID, ch.Status, ch.DecidedBy)
	return nil
}

type termsApproveCmd struct{ termsDecision }

func (c *termsApproveCmd) Run(g *Globals) error { return c.run(g, true) }

type termsRejectCmd struct{ termsDecision }

func (c *termsRejectCmd) Run(g *Globals) error { return c.run(g, false) }

type termsHistoryCmd struct {
	Scope   string `help:"Only this scope."`
	Pending bool   `help:"Only changes waiting for a decision."`
	JSON    bool   `help:"JSON output."`
}

func (c *termsHistoryCmd) Run(g *Globals) error {
	ctx := context.Background()
	scope, err := parseScope(c.Scope)
	if err != nil {
		return err
	}
	db, s, err := termsEnv(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	chs, err := s.Changes(ctx, scope, c.Pending)
	if err != nil {
		return err
	}
	if c.JSON {
		if chs == nil {
			chs = []terms.Change{}
		}
		return printJSON(chs)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSCOPE\tACTION\tTERM\tWEIGHT\tPROPOSED BY\tAT\tSTATUS\tDECIDED BY\tAT")
	for _, ch := range chs {
		decided := ""
		if !ch.DecidedAt.IsZero() {
			decided = ch.DecidedAt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%.3f\t%s\t%s\t%s\t%s\t%s\n", ch.ID, ch.Scope, ch.Action, ch.Term, ch.Weight, ch.ProposedBy,
			ch.ProposedAt.Local().Format(time.DateTime), ch.Status, ch.DecidedBy, decided)
	}
	return w.Flush()
}

type termsRecommendCmd struct {
	Scope            string   `help:"Only this scope; default every scope with a list."`
	Mail             []string `required:"" type:"path" help:"Past mail to learn from: mbox, Maildir, .eml files or directories (read, never stored)."`
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
	corpora := map[terms.Scope]*terms.Corpus{}
	for _, sc := range scopes {
		var l []string
		for _, t := range lists[sc] {
			l = append(l, t.Text)
		}
		corpora[sc] = terms.NewCorpus(l)
	}
	// The mail of a department (or group) is what its senders wrote; with
	// no directory every message counts for every scope.
	belongs := func(sc terms.Scope, from string) bool {
		if len(dir.People()) == 0 {
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
	type job struct {
		from  string
		parts []string
	}
	jobs := make(chan job, 64)
	var wg sync.WaitGroup
	var once sync.Once
	var workErr error
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range jobs {
				d, err := terms.Extract(j.parts...)
				if err != nil {
					once.Do(func() { workErr = err })
					continue
				}
				for _, sc := range scopes {
					if belongs(sc, j.from) {
						corpora[sc].AddDoc(d)
					}
				}
			}
		})
	}
	sum, walkErr := ingest.Walk(ctx, c.Mail, ingest.Options{}, func(src string, msg *mail.Message) error {
		parts := []string{msg.Subject, msg.Text}
		for _, a := range msg.Attachments {
			parts = append(parts, a.Text)
		}
		jobs <- job{from: msg.From.Addr, parts: parts}
		return nil
	})
	close(jobs)
	wg.Wait()
	if walkErr != nil {
		return fmt.Errorf("read mail: %w", walkErr)
	}
	if workErr != nil {
		return workErr
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
	fmt.Printf("read %d messages from %d files\n", sum.Messages, sum.Files)
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
