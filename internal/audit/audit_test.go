package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

func openLog(t *testing.T) *Log {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRecordAndQuery(t *testing.T) {
	l := openLog(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	now := t0
	l.SetClock(func() time.Time { return now })
	entries := []Entry{
		{Actor: "sato@corp.example", Role: "sender", Action: Confirm, Target: "q1", Department: "営業部", Detail: "tanaka@partner.example"},
		{Actor: "boss@corp.example", Role: "approver", Action: ViewBody, Target: "q2", Department: "営業部"},
		{Actor: "boss@corp.example", Role: "approver", Action: Release, Target: "q2", Department: "営業部", Detail: "checked with the customer"},
		{Actor: "kei@corp.example", Role: "approver", Action: Reject, Target: "q3", Department: "経理部", Detail: strings.Repeat("長", 3000)},
	}
	for _, e := range entries {
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
	}
	if err := l.Record(ctx, Entry{Action: Release}); err == nil {
		t.Fatal("entry without actor accepted")
	}
	tests := []struct {
		name string
		f    Filter
		want []string // targets+actions, newest first
	}{
		{"all", Filter{}, []string{"q3 reject", "q2 release", "q2 view-body", "q1 confirm-recipient"}},
		{"actor", Filter{Actor: "Boss@corp.example"}, []string{"q2 release", "q2 view-body"}},
		{"action", Filter{Action: ViewBody}, []string{"q2 view-body"}},
		{"department", Filter{Department: "経理部"}, []string{"q3 reject"}},
		{"target", Filter{Target: "q2"}, []string{"q2 release", "q2 view-body"}},
		{"since", Filter{Since: t0.Add(time.Hour)}, []string{"q3 reject", "q2 release", "q2 view-body"}},
		{"until", Filter{Until: t0.Add(time.Hour)}, []string{"q1 confirm-recipient"}},
		{"limit", Filter{Limit: 2}, []string{"q3 reject", "q2 release"}},
		{"page", Filter{Before: 3, Limit: 1}, []string{"q2 view-body"}},
		{"none", Filter{Actor: "nobody@corp.example"}, nil},
	}
	for _, tt := range tests {
		got, err := l.Query(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var ss []string
		for _, e := range got {
			ss = append(ss, e.Target+" "+e.Action)
		}
		if strings.Join(ss, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: got %v, want %v", tt.name, ss, tt.want)
		}
	}
	got, _ := l.Query(ctx, Filter{Action: Reject})
	if len(got[0].Detail) > 2010 || !strings.HasSuffix(got[0].Detail, "…") {
		t.Errorf("long detail not clipped: %d bytes", len(got[0].Detail))
	}
}

func TestBodyReads(t *testing.T) {
	l := openLog(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	hook := l.BodyReads()
	if err := hook(ctx, held.BodyRead{ID: "q9", Sender: "sato@corp.example", Department: "営業部", Reader: held.Reader{Addr: "boss@corp.example", Role: "approver", Reason: "approval"}, At: at}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Query(ctx, Filter{Action: ViewBody})
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	e := got[0]
	if e.Actor != "boss@corp.example" || e.Target != "q9" || e.Department != "営業部" || !e.At.Equal(at) || !strings.Contains(e.Detail, "sato@corp.example") {
		t.Errorf("entry %+v", e)
	}
	if err := hook(ctx, held.BodyRead{ID: "q9"}); err == nil {
		t.Error("read without a reader recorded")
	}
}

// Actions on held mail keep what the message was (subject and sender):
// the spool forgets them once it is sent.
func TestHeldActionsKeepWhatTheMessageWas(t *testing.T) {
	l := openLog(t)
	ctx := context.Background()
	if err := l.HeldActions()(ctx, held.ActionRecord{ID: "q1", Action: held.Released, By: "boss@corp.example", Role: "approver",
		Sender: "sato@corp.example", Subject: "見積書\r\nの件", Department: "営業部"}); err != nil {
		t.Fatal(err)
	}
	es, err := l.Query(ctx, Filter{Target: "q1"})
	if err != nil || len(es) != 1 {
		t.Fatalf("%v %v", es, err)
	}
	if subj, sender, ok := SplitAbout(es[0].About); !ok || subj != "見積書 の件" || sender != "sato@corp.example" {
		t.Errorf("about %q", es[0].About)
	}
}
