package terms

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

func openStore(t *testing.T) (*Store, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func TestChangeControl(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	clock := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	dir := directory.New([]directory.Person{
		{Address: "op@corp.example", Department: "情報システム部", Roles: []directory.Role{directory.RoleOperator}},
		{Address: "boss@corp.example", Department: "部署A", Roles: []directory.Role{directory.RoleApprover}},
		{Address: "other@corp.example", Department: "部署B", Roles: []directory.Role{directory.RoleApprover}},
		{Address: "user@corp.example", Department: "部署A"},
	}, nil)
	scope := DepartmentScope("部署A")

	if _, err := s.Propose(ctx, dir, Change{Scope: scope, Action: ActionAdd, Term: "リスク分析", Weight: 0.79, ProposedBy: "user@corp.example"}); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("a sender proposed: %v", err)
	}
	if _, err := s.Propose(ctx, dir, Change{Scope: scope, Action: ActionAdd, Term: "x", Weight: 1.5, ProposedBy: "op@corp.example"}); err == nil {
		t.Fatal("weight 1.5 accepted")
	}
	id, err := s.Propose(ctx, dir, Change{Scope: scope, Action: ActionAdd, Term: "リスク分析", Weight: 0.79, ProposedBy: "op@corp.example", Note: "recommended"})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := s.List(ctx, scope); len(l) != 0 {
		t.Fatalf("proposal changed the list before approval: %+v", l)
	}
	if _, err := s.Approve(ctx, dir, id, "other@corp.example", ""); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("another department's approver approved: %v", err)
	}
	c, err := s.Approve(ctx, dir, id, "boss@corp.example", "ok")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != StatusApproved || c.DecidedBy != "boss@corp.example" || !c.DecidedAt.After(c.ProposedAt) {
		t.Fatalf("decision = %+v", c)
	}
	if _, err := s.Approve(ctx, dir, id, "boss@corp.example", ""); err == nil {
		t.Fatal("approved twice")
	}
	if l, _ := s.List(ctx, scope); len(l) != 1 || l[0].Text != "リスク分析" || l[0].Weight != 0.79 {
		t.Fatalf("list after approval = %+v", l)
	}
	id2, _ := s.Propose(ctx, dir, Change{Scope: scope, Action: ActionRemove, Term: "リスク分析", ProposedBy: "op@corp.example"})
	if _, err := s.Reject(ctx, dir, id2, "boss@corp.example", "still secret"); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.List(ctx, scope); len(l) != 1 {
		t.Fatalf("rejected removal removed: %+v", l)
	}
	if err := s.Add(ctx, scope, "厳秘", 0.1, "op@corp.example"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, scope, "無い", "op@corp.example"); !errors.Is(err, ErrNoSuchTerm) {
		t.Fatalf("remove of a missing term: %v", err)
	}
	hist, err := s.Changes(ctx, scope, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []Status{StatusApproved, StatusRejected, StatusDirect}
	if len(hist) != len(want) {
		t.Fatalf("history = %+v", hist)
	}
	for i, st := range want {
		if hist[i].Status != st || hist[i].ProposedBy != "op@corp.example" {
			t.Errorf("history[%d] = %+v, want %s", i, hist[i], st)
		}
	}
}

func TestStoreCheckerEndToEnd(t *testing.T) {
	ctx := context.Background()
	s, db := openStore(t)
	scope := DepartmentScope("部署A")
	for _, term := range table12(scope) {
		if err := s.Add(ctx, scope, term.Text, term.Weight, "op@corp.example"); err != nil {
			t.Fatal(err)
		}
	}
	msg := figure10(t)
	check := func() int {
		c, err := NewChecker(ctx, db, testDirectory())
		if err != nil {
			t.Fatal(err)
		}
		return len(c.CheckContent(msg))
	}
	if n := check(); n != 1 {
		t.Fatalf("default rule: %d findings, want 1", n)
	}
	if err := s.SetRule(ctx, Rule{Scope: scope, MeanAtLeast: 0.4}); err != nil {
		t.Fatal(err)
	}
	if n := check(); n != 0 {
		t.Fatalf("threshold 0.4: %d findings, want 0", n)
	}
	if err := s.SetRule(ctx, Rule{Scope: scope, Any: true}); err != nil {
		t.Fatal(err)
	}
	if n := check(); n != 1 {
		t.Fatalf("any: %d findings, want 1", n)
	}
	for _, term := range []string{"秘密", "取り扱い"} {
		if err := s.Except(ctx, Exception{Scope: scope, Text: term, Until: time.Now().Add(time.Hour), By: "boss@corp.example"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := check(); n != 0 {
		t.Fatalf("excepted terms still flagged: %d", n)
	}
}

// Four eyes on term lists: an operator who also approves the scope cannot
// approve his own proposal, through any of his addresses; another approver
// can, and he may withdraw it himself (item 9 of issue 12).
func TestOwnChangeNeedsSecondPerson(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	scope := DepartmentScope("部署A")
	dir2 := directory.New([]directory.Person{
		{Address: "opboss@corp.example", Department: "部署A", Roles: []directory.Role{directory.RoleOperator, directory.RoleApprover}, Aliases: []string{"buchou@corp.example"}},
		{Address: "boss@corp.example", Department: "部署A", Roles: []directory.Role{directory.RoleApprover}},
	}, nil)
	for _, proposer := range []string{"opboss@corp.example", "buchou@corp.example"} {
		own, err := s.Propose(ctx, dir2, Change{Scope: scope, Action: ActionAdd, Term: "合併計画", Weight: 0.9, ProposedBy: proposer})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Approve(ctx, dir2, own, "opboss@corp.example", ""); !errors.Is(err, ErrOwnChange) || !errors.Is(err, ErrNotAllowed) {
			t.Fatalf("proposer %s approved his own change: %v", proposer, err)
		}
		if proposer == "opboss@corp.example" {
			if _, err := s.Reject(ctx, dir2, own, "opboss@corp.example", "withdrawn"); err != nil {
				t.Fatalf("withdrawing one's own proposal: %v", err)
			}
			continue
		}
		if _, err := s.Approve(ctx, dir2, own, "boss@corp.example", ""); err != nil {
			t.Fatalf("a second approver: %v", err)
		}
	}
}
