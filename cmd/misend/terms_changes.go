package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/terms"
)

// Change control (paper §3.3): operators propose, the scope's approvers
// decide, and every step is kept with who and when.

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
