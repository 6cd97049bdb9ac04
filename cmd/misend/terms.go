package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/misend/misend/internal/directory"
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
	Recommend termsRecommendCmd `cmd:"" help:"Recommend related terms and synonyms from the indexed history (or --mail), and list terms to remove."`
	Index     termsIndexCmd     `cmd:"" help:"Show or prune the term index that misend import --index-terms keeps for recommendation."`
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
	Scope      string `help:"Only this scope (organization, group:NAME, department:NAME)."`
	Exceptions bool   `help:"Show exceptions (exempted terms and until when) instead of the lists."`
	JSON       bool   `help:"JSON output."`
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
	if c.Exceptions {
		return printExceptions(ctx, s, scope, c.JSON)
	}
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
	JSON   bool     `help:"JSON output."`
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
	if err := checkTermArgs(c.Terms); err != nil {
		return err
	}
	for _, t := range c.Terms {
		if err := s.Add(ctx, scope, t, c.Weight, defaultBy(c.By)); err != nil {
			return err
		}
	}
	if c.JSON {
		return printJSON(map[string]any{"scope": scope, "added": c.Terms, "weight": c.Weight})
	}
	fmt.Printf("%d term(s) on %s\n", len(c.Terms), scope)
	return nil
}

// checkTermArgs refuses the whole command line before any change when one
// of its terms is unusable, so a typo does not leave half the terms added.
func checkTermArgs(ts []string) error {
	for _, t := range ts {
		if terms.Normalize(t) == "" {
			return fmt.Errorf("empty term %q: nothing changed", t)
		}
	}
	return nil
}

type termsRemoveCmd struct {
	Scope string   `required:"" help:"organization, group:NAME or department:NAME."`
	By    string   `help:"Who makes the change (recorded)."`
	JSON  bool     `help:"JSON output."`
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
	if c.JSON {
		return printJSON(map[string]any{"scope": scope, "removed": c.Terms})
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
	By     string        `required:"" help:"Who grants the exception (recorded): an operator, admin or approver of the scope."`
	Reason string        `help:"Why (recorded)."`
	JSON   bool          `help:"JSON output."`
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
	dir, err := directory.Load(ctx, db)
	if err != nil {
		return err
	}
	by := strings.ToLower(c.By)
	if len(dir.People()) > 0 && !dir.HasRole(by, directory.RoleOperator) && !dir.HasRole(by, directory.RoleAdmin) &&
		!slices.Contains(dir.ApproversOfScope(string(scope)), by) {
		return fmt.Errorf("except: %s is neither an operator nor an approver of %s", by, scope)
	}
	e := terms.Exception{Scope: scope, Text: c.Term, Until: until, By: by, Reason: c.Reason}
	if err := s.Except(ctx, e); err != nil {
		return err
	}
	if c.JSON {
		return printJSON(e)
	}
	fmt.Printf("%s exempt on %s until %s\n", c.Term, scope, until.Format(time.RFC3339))
	return nil
}

func printExceptions(ctx context.Context, s *terms.Store, scope terms.Scope, asJSON bool) error {
	all, err := s.Exceptions(ctx)
	if err != nil {
		return err
	}
	exc := []terms.Exception{}
	for _, e := range all {
		if scope == "" || e.Scope == scope {
			exc = append(exc, e)
		}
	}
	if asJSON {
		return printJSON(exc)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SCOPE\tTERM\tUNTIL\tBY\tREASON\tACTIVE")
	now := time.Now()
	for _, e := range exc {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%v\n", e.Scope, e.Text, e.Until.Local().Format(time.DateTime), e.By, e.Reason, now.Before(e.Until))
	}
	return w.Flush()
}
