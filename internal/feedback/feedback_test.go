package feedback

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), pgtest.Path(t, t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A confirmation teaches the real model: the recipient is a known contact of
// the sender afterwards, and of nobody else; catches teach nothing.
func TestConfirmationTeachesModel(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	m.Learn(&mail.Message{MessageID: "h1", Date: base.Add(-time.Hour), From: mail.Address{Addr: "aoki@corp.example"},
		To: []mail.Address{{Addr: "tanaka@partner-a.example"}}})
	l, err := Open(ctx, db, m)
	if err != nil {
		t.Fatal(err)
	}
	if m.Contact("aoki@corp.example", "tanaka@partner-b.example", base).Known() {
		t.Fatal("recipient known before any feedback")
	}
	events := []Event{
		{At: base, Kind: Dropped, QueueID: "q1", Sender: "aoki@corp.example", Recipient: "tanaka@partner-c.example", By: "aoki@corp.example"},
		{At: base, Kind: Cancelled, QueueID: "q2", Sender: "aoki@corp.example", By: "aoki@corp.example"},
		{At: base, Kind: Confirmed, QueueID: "q3", Sender: "aoki@corp.example", Recipient: "tanaka@partner-b.example",
			By: "aoki@corp.example", Codes: []finding.Code{finding.SimilarContact, finding.NewDomain}},
	}
	for _, e := range events {
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if c := m.Contact("aoki@corp.example", "tanaka@partner-b.example", base.Add(time.Minute)); !c.Known() || c.Sent < 0.99 {
		t.Errorf("confirmed recipient after feedback: %+v, want known with one message sent", c)
	}
	if m.Contact("aoki@corp.example", "tanaka@partner-c.example", base.Add(time.Minute)).Known() {
		t.Error("a dropped recipient became known")
	}
	if m.Contact("ueda@corp.example", "tanaka@partner-b.example", base.Add(time.Minute)).Known() {
		t.Error("another sender learned the confirmed recipient")
	}
	var got []Event
	if err := l.Each(ctx, base, func(e Event) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range events {
		events[i].At = events[i].At.Local()
	}
	if d := cmp.Diff(events, got); d != "" {
		t.Errorf("stored events (-want +got):\n%s", d)
	}
}

func TestRecordRefusesBadEvents(t *testing.T) {
	ctx := context.Background()
	l, err := Open(ctx, openDB(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		e    Event
	}{
		{"unknown kind", Event{Kind: "liked", QueueID: "q", Sender: "a@x"}},
		{"no sender", Event{Kind: Cancelled, QueueID: "q"}},
		{"no message", Event{Kind: Cancelled, Sender: "a@x"}},
		{"confirm without recipient", Event{Kind: Confirmed, QueueID: "q", Sender: "a@x"}},
		{"drop without recipient", Event{Kind: Dropped, MessageID: "m", Sender: "a@x"}},
	} {
		if err := l.Record(ctx, tc.e); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, err)
		}
	}
	n := 0
	l.Each(ctx, time.Time{}, func(Event) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d refused events stored", n)
	}
}

func TestKindClasses(t *testing.T) {
	for _, k := range Kinds {
		if k.FalseAlarm() == k.Catch() {
			t.Errorf("%s: false alarm %v, catch %v: exactly one must hold", k, k.FalseAlarm(), k.Catch())
		}
	}
}
