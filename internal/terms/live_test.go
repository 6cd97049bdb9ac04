package terms

import (
	"context"
	"testing"

	"github.com/misend/misend/internal/mail"
)

func TestLiveFollowsChanges(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l, err := NewLive(ctx, s, testDirectory(), 0)
	if err != nil {
		t.Fatal(err)
	}
	msg := &mail.Message{From: mail.Address{Addr: "miura@corp.example"}, To: []mail.Address{{Addr: "x@partner.example"}}, Text: "ファルコン計画の件"}
	if fs := l.CheckContent(msg); len(fs) != 0 {
		t.Fatalf("flagged before any list: %+v", fs)
	}
	l.Settle()
	g0, _ := s.Generation(ctx)
	if err := s.Add(ctx, Scope(Organization), "ファルコン計画", 0.9, "op"); err != nil {
		t.Fatal(err)
	}
	if g1, _ := s.Generation(ctx); g1 == g0 {
		t.Fatal("generation did not move on add")
	}
	// The message that finds the lists changed is checked against the
	// lists in force; the new ones are built in the background (held
	// back here until that message was checked).
	l.lookStarts = make(chan struct{}, 1)
	if fs := l.CheckContent(msg); len(fs) != 0 {
		t.Fatalf("rebuilt inline, on the message that found the change: %+v", fs)
	}
	l.lookStarts <- struct{}{}
	l.Settle()
	l.lookStarts = nil
	if fs := l.CheckContent(msg); len(fs) != 1 {
		t.Fatalf("added term not picked up: %+v", fs)
	}
	l.Settle()
	if err := s.SetRule(ctx, Rule{Scope: Scope(Organization), MeanAtLeast: 0.95}); err != nil {
		t.Fatal(err)
	}
	l.CheckContent(msg)
	l.Settle()
	if fs := l.CheckContent(msg); len(fs) != 0 {
		t.Fatalf("rule change not picked up: %+v", fs)
	}
	// With a long interval, changes wait for it.
	slow, err := NewLive(ctx, s, testDirectory(), 1<<62)
	if err != nil {
		t.Fatal(err)
	}
	s.SetRule(ctx, Rule{Scope: Scope(Organization), Any: true})
	slow.CheckContent(msg)
	slow.Settle()
	if fs := slow.CheckContent(msg); len(fs) != 0 {
		t.Fatalf("reloaded before its interval: %+v", fs)
	}
}
