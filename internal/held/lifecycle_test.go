package held

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/queue"
)

// fakeLifecycle passes held mail of 営業部 to jicho at stage 1 and lets
// senders of 総務部 release their own held mail from selfAt.
type fakeLifecycle struct{ selfAt time.Time }

func (f fakeLifecycle) Deciders(it queue.Item) []string {
	if it.Department == "営業部" && it.Stage >= 1 {
		return []string{"jicho@corp.example"}
	}
	return nil
}

func (f fakeLifecycle) SelfReleaseAt(it queue.Item) (time.Time, bool) {
	return f.selfAt, it.Department == "総務部"
}

var jicho = Actor{Principal: auth.Principal{Address: "jicho@corp.example", Roles: []auth.Role{auth.RoleSender}}}

// TestLifecycleWhoMayAct: a deputy decides only once the request was
// passed to them; a sender releases their own held mail only in a
// department without approvers and only after the delay; misend's own
// steps are audited first and refused on a message no longer held.
func TestLifecycleWhoMayAct(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		dept    string
		stage   int // escalations before the action
		selfAt  time.Time
		by      Actor
		wantErr error
	}{
		{"deputy before escalation", "営業部", 0, time.Time{}, jicho, ErrNotAllowed},
		{"deputy after escalation", "営業部", 1, time.Time{}, jicho, nil},
		{"sender in an approving department", "営業部", 1, time.Time{}, sato, ErrNotAllowed},
		{"approving sender of their own", "営業部", 1, time.Time{}, satoBoss, ErrOwnMessage},
		{"sender before the delay", "総務部", 0, now.Add(time.Minute), sato, ErrTooEarly},
		{"sender after the delay", "総務部", 0, now.Add(-time.Minute), sato, nil},
		{"deputy of another department", "総務部", 1, now.Add(-time.Minute), jicho, ErrNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, q := newService(t)
			var recs []ActionRecord
			s.Record = func(_ context.Context, r ActionRecord) error { recs = append(recs, r); return nil }
			s.Lifecycle = fakeLifecycle{selfAt: tc.selfAt}
			s.Now = func() time.Time { return now }
			ctx := context.Background()
			id := add(t, q, queue.Held, tc.dept, "x@partner.example")
			for st := 1; st <= tc.stage; st++ {
				if _, err := s.Escalate(ctx, id, st, now, "passed to jicho@corp.example"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Escalate(ctx, id, tc.stage, now, "again"); tc.stage > 0 && !errors.Is(err, ErrState) {
				t.Errorf("the same stage passed on twice: %v", err)
			}
			it, err := s.Release(ctx, id, tc.by, "")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("release by %s: %v, want %v", tc.by.Address, err, tc.wantErr)
			}
			if tc.wantErr == nil && it.State != queue.Queued {
				t.Errorf("after release: %s", it.State)
			}
			if len(recs) != tc.stage+map[bool]int{true: 1}[tc.wantErr == nil] {
				t.Errorf("audit records %+v", recs)
			}
			for _, r := range recs[:tc.stage] {
				if r.By != System || r.Action != Escalated || r.Subject != "見積もり" || r.Sender != "sato@corp.example" {
					t.Errorf("escalation record %+v", r)
				}
			}
		})
	}
}

// TestReturnAndExpire: the final actions take held mail only; a return
// goes to the sender alone as misend's own mail, keeping the recipients
// as dropped; an audit hook that fails stops both.
func TestReturnAndExpire(t *testing.T) {
	ctx := context.Background()
	s, q := newService(t)
	id := add(t, q, queue.Held, "営業部", "x@partner.example", "y@partner.example")
	it, err := s.Return(ctx, id, "SATO@corp.example", "no decision")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := q.Get(queue.ID(id))
	if it.State != queue.Queued || !got.System || len(got.Envelope.To) != 1 || got.Envelope.To[0] != "sato@corp.example" || len(got.Dropped) != 2 {
		t.Errorf("returned: %+v", got)
	}
	if _, err := s.Expire(ctx, id, "late"); !errors.Is(err, ErrState) && !errors.Is(err, ErrNotFound) {
		t.Errorf("expire after return: %v", err)
	}
	if _, err := s.Return(ctx, add(t, q, queue.Held, "営業部", "x@partner.example"), "", "x"); err == nil {
		t.Error("returned to nobody")
	}

	c := add(t, q, queue.Confirming, "営業部", "x@partner.example")
	if _, err := s.Expire(ctx, c, "late"); !errors.Is(err, ErrState) {
		t.Errorf("expired mail waiting for its sender: %v", err)
	}
	s.Record = func(context.Context, ActionRecord) error { return errors.New("database down") }
	h := add(t, q, queue.Held, "営業部", "x@partner.example")
	if _, err := s.Expire(ctx, h, "late"); err == nil {
		t.Error("expired without an audit entry")
	}
	if got, _ := q.Get(queue.ID(h)); got.State != queue.Held {
		t.Errorf("unaudited expiry took effect: %s", got.State)
	}
}

// TestStageSurvivesRestart: how far a request was passed on is kept with
// the message in the spool, so a restart neither forgets who may decide
// nor passes it on again.
func TestStageSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	q, err := queue.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Queue: q}
	id := add(t, q, queue.Held, "営業部", "x@partner.example")
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	if _, err := s.Escalate(context.Background(), id, 1, at, "passed on"); err != nil {
		t.Fatal(err)
	}
	q2, err := queue.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := q2.Get(queue.ID(id)); it.Stage != 1 || !it.StageAt.Equal(at) || it.State != queue.Held {
		t.Errorf("after a restart: stage %d at %s, %s", it.Stage, it.StageAt, it.State)
	}
}
