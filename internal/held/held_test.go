package held

import (
	"context"
	"errors"
	"testing"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

var findings = []finding.Finding{
	{Code: "SIMILAR_CONTACT", Severity: "high", Recipient: "tanaka@partner-b.example", Message: "never mailed before", Suggestion: "tanaka@partner-a.example"},
	{Code: finding.ConfidentialTerms, Severity: "high", Message: "confidential terms", Scope: "department:営業部", Terms: []string{"極秘計画"}},
}

func newService(t *testing.T) (*Service, *queue.Queue) {
	t.Helper()
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &Service{Queue: q}, q
}

func add(t *testing.T, q *queue.Queue, state queue.State, dept string, to ...string) string {
	t.Helper()
	it := queue.Item{
		Envelope:   queue.Envelope{From: "sato@corp.example", To: to},
		Outcome:    queue.Outcome{Sender: "sato@corp.example", Verdict: policy.Confirm, Findings: findings},
		State:      state,
		Department: dept,
		Subject:    "見積もり",
		Flagged:    FlaggedRecipients(to, findings),
	}
	id, err := q.Add(context.Background(), it, []byte("Subject: x\r\n\r\nsecret body\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	return string(id)
}

func TestListsAndViews(t *testing.T) {
	s, q := newService(t)
	ctx := context.Background()
	a := add(t, q, queue.Confirming, "営業部", "tanaka@partner-b.example", "suzuki@partner-a.example")
	add(t, q, queue.Held, "総務部", "x@partner.example")
	if _, err := q.Add(ctx, queue.Item{Envelope: queue.Envelope{From: "sato@corp.example", To: []string{"y@z"}}, State: queue.Queued, System: true}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	mine, _ := s.ForSender(ctx, "SATO@corp.example", SenderView)
	if len(mine) != 2 {
		t.Fatalf("sender sees %d messages, want 2 (notices and queued mail excluded)", len(mine))
	}
	for _, f := range mine[0].Findings {
		if len(f.Terms) > 0 {
			t.Errorf("sender view shows confidential terms: %v", f.Terms)
		}
	}
	dept, _ := s.ForDepartments(ctx, []string{"営業部"}, OperatorView)
	if len(dept) != 1 || dept[0].ID != a {
		t.Fatalf("department list: %+v", dept)
	}
	if len(dept[0].Findings[1].Terms) != 1 {
		t.Errorf("operator view lost terms: %+v", dept[0].Findings)
	}
	want := []Recipient{{Addr: "tanaka@partner-b.example", Flagged: true}, {Addr: "suzuki@partner-a.example"}}
	for i, r := range dept[0].Recipients {
		if r != want[i] {
			t.Errorf("recipient %d: %+v, want %+v", i, r, want[i])
		}
	}
	if got, _ := s.ForDepartments(ctx, nil, OperatorView); len(got) != 0 {
		t.Errorf("no departments lists %d", len(got))
	}
}

func TestBodyNeedsAudit(t *testing.T) {
	s, q := newService(t)
	ctx := context.Background()
	id := add(t, q, queue.Held, "営業部", "x@partner.example")
	if _, err := s.Body(ctx, id, Reader{Addr: "boss@corp.example"}); !errors.Is(err, ErrNoAudit) {
		t.Fatalf("body without audit hook: %v", err)
	}
	var reads []BodyRead
	s.Audit = func(_ context.Context, r BodyRead) error { reads = append(reads, r); return nil }
	b, err := s.Body(ctx, id, Reader{Addr: "boss@corp.example", Role: "approver"})
	if err != nil || string(b) != "Subject: x\r\n\r\nsecret body\r\n" {
		t.Fatalf("body: %q, %v", b, err)
	}
	if len(reads) != 1 || reads[0].Reader.Addr != "boss@corp.example" || reads[0].Department != "営業部" {
		t.Errorf("audit: %+v", reads)
	}
	s.Audit = func(context.Context, BodyRead) error { return errors.New("audit db down") }
	if _, err := s.Body(ctx, id, Reader{Addr: "boss@corp.example"}); err == nil {
		t.Error("body returned although the audit failed")
	}
}

func TestActions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		state queue.State
		to    []string
		do    func(s *Service, id string) (Item, error)
		want  queue.State
		err   error
	}{
		{"confirm the flagged recipient releases", queue.Confirming, []string{"tanaka@partner-b.example", "b@corp.example"},
			func(s *Service, id string) (Item, error) {
				return s.ConfirmRecipient(ctx, id, "Tanaka@partner-b.example", "sato@corp.example")
			}, queue.Queued, nil},
		{"confirming an unflagged recipient is refused", queue.Confirming, []string{"tanaka@partner-b.example", "b@corp.example"},
			func(s *Service, id string) (Item, error) {
				return s.ConfirmRecipient(ctx, id, "b@corp.example", "sato")
			},
			"", ErrNotFlagged},
		{"confirming a stranger is refused", queue.Confirming, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.ConfirmRecipient(ctx, id, "z@z.example", "sato") },
			"", ErrNotRecipient},
		{"a sender cannot confirm a hold", queue.Held, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) {
				return s.ConfirmRecipient(ctx, id, "tanaka@partner-b.example", "sato")
			},
			"", ErrState},
		{"dropping the flagged recipient waits for confirmation", queue.Confirming, []string{"tanaka@partner-b.example", "b@corp.example"},
			func(s *Service, id string) (Item, error) {
				return s.DropRecipient(ctx, id, "tanaka@partner-b.example", "sato")
			},
			queue.Confirming, nil},
		{"dropping the last recipient cancels", queue.Held, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) {
				return s.DropRecipient(ctx, id, "tanaka@partner-b.example", "sato")
			},
			queue.Cancelled, nil},
		{"confirm all", queue.Confirming, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.Confirm(ctx, id, "sato") }, queue.Queued, nil},
		{"release", queue.Held, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.Release(ctx, id, "boss") }, queue.Queued, nil},
		{"reject with comment", queue.Held, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.Reject(ctx, id, "boss", "wrong customer") }, queue.Rejected, nil},
		{"cancel", queue.Delayed, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.Cancel(ctx, id, "sato") }, queue.Cancelled, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, q := newService(t)
			var changes []Change
			s.Changed = func(_ context.Context, c Change) { changes = append(changes, c) }
			id := add(t, q, tc.state, "営業部", tc.to...)
			it, err := tc.do(s, id)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				if cur, _ := q.Get(queue.ID(id)); cur.State != tc.state {
					t.Errorf("refused action changed state to %s", cur.State)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cur, _ := q.Get(queue.ID(id))
			if it.State != tc.want || cur.State != tc.want {
				t.Fatalf("state %s (stored %s), want %s", it.State, cur.State, tc.want)
			}
			if len(changes) == 0 {
				t.Error("Changed not called")
			}
			_, berr := q.Body(queue.ID(id))
			if tc.want.Final() != errors.Is(berr, queue.ErrNotFound) {
				t.Errorf("state %s, body read: %v", tc.want, berr)
			}
			if tc.want == queue.Rejected && cur.Comment != "wrong customer" {
				t.Errorf("comment %q", cur.Comment)
			}
		})
	}
}

// A held message needs a second person: its sender, even an approver of
// their department, can neither release nor reject it; a delayed one the
// sender may release.
func TestSecondPerson(t *testing.T) {
	s, q := newService(t)
	ctx := context.Background()
	heldID := add(t, q, queue.Held, "営業部", "x@partner.example")
	for _, act := range []func() (Item, error){
		func() (Item, error) { return s.Release(ctx, heldID, "SATO@corp.example") },
		func() (Item, error) { return s.Reject(ctx, heldID, "sato@corp.example", "fine") },
	} {
		if _, err := act(); !errors.Is(err, ErrOwnMessage) {
			t.Errorf("sender acting on own held mail: err = %v, want ErrOwnMessage", err)
		}
	}
	if it, _ := q.Get(queue.ID(heldID)); it.State != queue.Held {
		t.Fatalf("state %s after refused actions, want held", it.State)
	}
	if _, err := s.Release(ctx, heldID, "boss@corp.example"); err != nil {
		t.Errorf("another approver: %v", err)
	}
	delayed := add(t, q, queue.Delayed, "営業部", "x@partner.example")
	if _, err := s.Release(ctx, delayed, "sato@corp.example"); err != nil {
		t.Errorf("sender releasing own delayed mail: %v", err)
	}
}

// The envelope sender owns a message with the sender, unless the decision
// found it sent in another's name: then only the sender it settled on does.
func TestSentBy(t *testing.T) {
	it := Item{Sender: "sato@corp.example", EnvelopeFrom: "forwarder@corp.example"}
	for addr, want := range map[string]bool{"Sato@corp.example": true, "forwarder@corp.example": true, "other@corp.example": false, "": false} {
		if got := it.SentBy(addr); got != want {
			t.Errorf("SentBy(%q) = %v, want %v", addr, got, want)
		}
	}
	it.Findings = []finding.Finding{{Code: finding.SentAs}}
	if it.SentBy("forwarder@corp.example") || !it.SentBy("sato@corp.example") {
		t.Error("with SENT_AS, the envelope sender still owns the message")
	}
}
