package held

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

var findings = []finding.Finding{
	{Code: "SIMILAR_CONTACT", Severity: "high", Recipient: "tanaka@partner-b.example", Message: "never mailed before", Suggestion: "tanaka@partner-a.example"},
	{Code: finding.ConfidentialTerms, Severity: "high", Message: "confidential terms", Scope: "department:営業部", Terms: []string{"極秘計画"}},
}

// fakePeople is a directory in miniature: an alias names its owner, and
// Current answers for whoever is listed now.
type fakePeople struct {
	aliases map[string]string
	now     map[string]auth.Principal
}

func (p fakePeople) PersonOf(addr string) string {
	if a, ok := p.aliases[strings.ToLower(addr)]; ok {
		return a
	}
	return strings.ToLower(addr)
}

func (p fakePeople) Current(_ context.Context, addr string) (auth.Principal, error) {
	if pr, ok := p.now[p.PersonOf(addr)]; ok {
		return pr, nil
	}
	return auth.Principal{}, auth.ErrUnknownPerson
}

var (
	sato = Actor{Principal: auth.Principal{Address: "sato@corp.example", Roles: []auth.Role{auth.RoleSender}}}
	// boss approves 営業部 and sends from the alias eigyo-bucho@.
	boss = Actor{Principal: auth.Principal{Address: "boss@corp.example", Roles: []auth.Role{auth.RoleApprover, auth.RoleSender}, Departments: []string{"営業部"}}}
	// satoBoss is sato when he is also his department's approver.
	satoBoss = Actor{Principal: auth.Principal{Address: "sato@corp.example", Roles: []auth.Role{auth.RoleApprover, auth.RoleSender}, Departments: []string{"営業部"}}}
)

func newService(t *testing.T) (*Service, *queue.Queue) {
	t.Helper()
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p := fakePeople{
		aliases: map[string]string{"eigyo-bucho@corp.example": "boss@corp.example", "s.sato@corp.example": "sato@corp.example"},
		now:     map[string]auth.Principal{"sato@corp.example": sato.Principal, "boss@corp.example": boss.Principal},
	}
	return &Service{Queue: q, People: p}, q
}

func add(t *testing.T, q *queue.Queue, state queue.State, dept string, to ...string) string {
	t.Helper()
	return addAs(t, q, state, dept, "sato@corp.example", to...)
}

// addFrom adds a message of 営業部 sent from address from.
func addFrom(t *testing.T, q *queue.Queue, state queue.State, from string, to ...string) string {
	t.Helper()
	return addAs(t, q, state, "営業部", from, to...)
}

func addAs(t *testing.T, q *queue.Queue, state queue.State, dept, from string, to ...string) string {
	t.Helper()
	it := queue.Item{
		Envelope:   queue.Envelope{From: from, To: to},
		Outcome:    queue.Outcome{Sender: from, Verdict: policy.Confirm, Findings: findings},
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
	if _, err := s.Body(ctx, id, boss, "approval"); !errors.Is(err, ErrNoAudit) {
		t.Fatalf("body without audit hook: %v", err)
	}
	var reads []BodyRead
	s.Audit = func(_ context.Context, r BodyRead) error { reads = append(reads, r); return nil }
	b, err := s.Body(ctx, id, boss, "approval")
	if err != nil || string(b) != "Subject: x\r\n\r\nsecret body\r\n" {
		t.Fatalf("body: %q, %v", b, err)
	}
	if len(reads) != 1 || reads[0].Reader.Addr != "boss@corp.example" || reads[0].Reader.Role != "approver" || reads[0].Department != "営業部" {
		t.Errorf("audit: %+v", reads)
	}
	s.Audit = func(context.Context, BodyRead) error { return errors.New("audit db down") }
	if _, err := s.Body(ctx, id, boss, ""); err == nil {
		t.Error("body returned although the audit failed")
	}
	s.Audit = func(_ context.Context, r BodyRead) error { reads = append(reads, r); return nil }
	stranger := Actor{Principal: auth.Principal{Address: "suzuki@corp.example"}}
	if _, err := s.Body(ctx, id, stranger, ""); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("a stranger read the body: %v", err)
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
				return s.ConfirmRecipient(ctx, id, "Tanaka@partner-b.example", sato)
			}, queue.Queued, nil},
		{"confirming an unflagged recipient is refused", queue.Confirming, []string{"tanaka@partner-b.example", "b@corp.example"},
			func(s *Service, id string) (Item, error) {
				return s.ConfirmRecipient(ctx, id, "b@corp.example", sato)
			},
			"", ErrNotFlagged},
		{"confirming a stranger is refused", queue.Confirming, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.ConfirmRecipient(ctx, id, "z@z.example", sato) },
			"", ErrNotRecipient},
		{"a sender cannot confirm a hold", queue.Held, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) {
				return s.ConfirmRecipient(ctx, id, "tanaka@partner-b.example", sato)
			},
			"", ErrState},
		{"dropping the flagged recipient waits for confirmation", queue.Confirming, []string{"tanaka@partner-b.example", "b@corp.example"},
			func(s *Service, id string) (Item, error) {
				return s.DropRecipient(ctx, id, "tanaka@partner-b.example", sato)
			},
			queue.Confirming, nil},
		{"dropping the last recipient cancels", queue.Held, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) {
				return s.DropRecipient(ctx, id, "tanaka@partner-b.example", sato)
			},
			queue.Cancelled, nil},
		{"confirm all", queue.Confirming, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.Confirm(ctx, id, sato) }, queue.Queued, nil},
		{"release", queue.Held, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.Release(ctx, id, boss, "") }, queue.Queued, nil},
		{"reject with comment", queue.Held, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.Reject(ctx, id, boss, "wrong customer") }, queue.Rejected, nil},
		{"cancel", queue.Delayed, []string{"tanaka@partner-b.example"},
			func(s *Service, id string) (Item, error) { return s.Cancel(ctx, id, sato) }, queue.Cancelled, nil},
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
// their department, can neither release nor reject it — through any of
// their addresses; a delayed one the sender may release.
func TestSecondPerson(t *testing.T) {
	ctx := context.Background()
	for _, from := range []string{"sato@corp.example", "s.sato@corp.example", "S.Sato@corp.example"} {
		t.Run(from, func(t *testing.T) {
			s, q := newService(t)
			heldID := addFrom(t, q, queue.Held, from, "x@partner.example")
			for _, act := range []func() (Item, error){
				func() (Item, error) { return s.Release(ctx, heldID, satoBoss, "") },
				func() (Item, error) { return s.Reject(ctx, heldID, satoBoss, "fine") },
			} {
				if _, err := act(); !errors.Is(err, ErrOwnMessage) {
					t.Errorf("sender acting on own held mail: err = %v, want ErrOwnMessage", err)
				}
			}
			if it, _ := q.Get(queue.ID(heldID)); it.State != queue.Held {
				t.Fatalf("state %s after refused actions, want held", it.State)
			}
			it, _ := s.Get(ctx, heldID, OperatorView)
			if s.MayDecide(it, &satoBoss.Principal) || !s.MayDecide(it, &boss.Principal) {
				t.Error("MayDecide compares addresses, not people")
			}
			if _, err := s.Release(ctx, heldID, boss, ""); err != nil {
				t.Errorf("another approver: %v", err)
			}
			delayed := addFrom(t, q, queue.Delayed, from, "x@partner.example")
			if _, err := s.Release(ctx, delayed, sato, ""); err != nil {
				t.Errorf("sender releasing own delayed mail: %v", err)
			}
		})
	}
}

// Each action is for one kind of person: the sender's for its sender (any
// of their addresses), the approver's for an approver of the department.
func TestWhoMayAct(t *testing.T) {
	ctx := context.Background()
	other := Actor{Principal: auth.Principal{Address: "kato@corp.example", Roles: []auth.Role{auth.RoleApprover}, Departments: []string{"総務部"}}}
	satoAlias := Actor{Principal: auth.Principal{Address: "s.sato@corp.example"}}
	tests := []struct {
		name  string
		state queue.State
		do    func(s *Service, id string) (Item, error)
		err   error
	}{
		{"another sender cannot cancel", queue.Confirming, func(s *Service, id string) (Item, error) { return s.Cancel(ctx, id, boss) }, ErrNotAllowed},
		{"the sender through an alias cancels", queue.Confirming, func(s *Service, id string) (Item, error) { return s.Cancel(ctx, id, satoAlias) }, nil},
		{"another sender cannot confirm", queue.Confirming, func(s *Service, id string) (Item, error) { return s.Confirm(ctx, id, boss) }, ErrNotAllowed},
		{"another sender cannot drop", queue.Confirming, func(s *Service, id string) (Item, error) {
			return s.DropRecipient(ctx, id, "tanaka@partner-b.example", boss)
		}, ErrNotAllowed},
		{"a sender cannot release a hold", queue.Held, func(s *Service, id string) (Item, error) { return s.Release(ctx, id, sato, "") }, ErrNotAllowed},
		{"an approver of another department cannot release", queue.Held, func(s *Service, id string) (Item, error) { return s.Release(ctx, id, other, "") }, ErrNotAllowed},
		{"an approver of another department cannot reject", queue.Held, func(s *Service, id string) (Item, error) { return s.Reject(ctx, id, other, "no") }, ErrNotAllowed},
		{"nobody named", queue.Held, func(s *Service, id string) (Item, error) { return s.Release(ctx, id, Actor{}, "") }, ErrNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, q := newService(t)
			var recs []ActionRecord
			s.Record = func(_ context.Context, r ActionRecord) error { recs = append(recs, r); return nil }
			id := add(t, q, tc.state, "営業部", "tanaka@partner-b.example")
			_, err := tc.do(s, id)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if tc.err != nil && len(recs) != 0 {
				t.Errorf("refused action audited as done: %+v", recs)
			}
			if tc.err == nil && len(recs) != 1 {
				t.Errorf("action not audited: %+v", recs)
			}
		})
	}
}

// The audit entry is written before the action takes effect, and an
// action that cannot be recorded is not taken.
func TestAuditBeforeAction(t *testing.T) {
	ctx := context.Background()
	s, q := newService(t)
	id := add(t, q, queue.Held, "営業部", "x@partner.example")
	// The hook runs under the queue's lock, so it cannot look at the
	// queue; that a failing hook leaves the message held shows it ran
	// first.
	s.Record = func(context.Context, ActionRecord) error { return errors.New("audit db down") }
	if _, err := s.Release(ctx, id, boss, ""); err == nil {
		t.Fatal("release taken although it could not be audited")
	}
	if cur, _ := q.Get(queue.ID(id)); cur.State != queue.Held {
		t.Fatalf("state %s, want held", cur.State)
	}
	var recs []ActionRecord
	s.Record = func(_ context.Context, r ActionRecord) error { recs = append(recs, r); return nil }
	b := boss
	b.Via, b.Remote = "link", "192.0.2.7"
	if _, err := s.Release(ctx, id, b, ""); err != nil {
		t.Fatal(err)
	}
	want := ActionRecord{ID: id, Action: Released, By: "boss@corp.example", Role: "approver", Via: "link", Remote: "192.0.2.7",
		Sender: "sato@corp.example", Subject: "見積もり", Department: "営業部"}
	if len(recs) != 1 {
		t.Fatalf("records %+v", recs)
	}
	recs[0].At = time.Time{}
	if recs[0] != want {
		t.Errorf("record %+v, want %+v", recs[0], want)
	}
}

// A link's holder is resolved as they are now.
func TestActorFor(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	a, err := s.ActorFor(ctx, "eigyo-bucho@corp.example", "link", "192.0.2.1")
	if err != nil || a.Address != "boss@corp.example" || !a.ApprovesDepartment("営業部") {
		t.Fatalf("ActorFor alias: %+v, %v", a, err)
	}
	if _, err := s.ActorFor(ctx, "gone@corp.example", "link", ""); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("someone no longer known: %v", err)
	}
	s.People = nil
	if _, err := s.ActorFor(ctx, "boss@corp.example", "link", ""); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("without People: %v", err)
	}
}

// The envelope sender owns a message with the sender, unless the decision
// found it sent in another's name: then only the sender it settled on does.
func TestSent(t *testing.T) {
	s, _ := newService(t)
	it := Item{Sender: "sato@corp.example", EnvelopeFrom: "forwarder@corp.example"}
	for addr, want := range map[string]bool{"Sato@corp.example": true, "s.sato@corp.example": true, "forwarder@corp.example": true, "other@corp.example": false, "": false} {
		if got := s.Sent(it, &auth.Principal{Address: addr}); got != want {
			t.Errorf("Sent(%q) = %v, want %v", addr, got, want)
		}
	}
	it.Findings = []finding.Finding{{Code: finding.SentAs}}
	if s.Sent(it, &auth.Principal{Address: "forwarder@corp.example"}) || !s.Sent(it, &auth.Principal{Address: "sato@corp.example"}) {
		t.Error("with SENT_AS, the envelope sender still owns the message")
	}
}

// An approver leaves a wrong recipient out and releases the rest; the
// sender may not; leaving everyone out is a refusal, not a release.
func TestReleaseExcept(t *testing.T) {
	ctx := context.Background()
	s, q := newService(t)
	var recs []ActionRecord
	s.Record = func(_ context.Context, r ActionRecord) error { recs = append(recs, r); return nil }
	id := add(t, q, queue.Held, "営業部", "tanaka@partner-b.example", "b@corp.example")
	if _, err := s.ReleaseExcept(ctx, id, sato, []string{"tanaka@partner-b.example"}, ""); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("sender leaving out a recipient: %v", err)
	}
	if _, err := s.ReleaseExcept(ctx, id, boss, []string{"tanaka@partner-b.example", "B@corp.example"}, ""); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("leaving out everyone: %v", err)
	}
	it, err := s.ReleaseExcept(ctx, id, boss, []string{"Tanaka@partner-b.example"}, "先方違い")
	if err != nil {
		t.Fatal(err)
	}
	if it.State != queue.Queued || len(it.Recipients) != 1 || it.Recipients[0].Addr != "b@corp.example" || !slices.Equal(it.Dropped, []string{"tanaka@partner-b.example"}) {
		t.Fatalf("after: %+v", it)
	}
	if last := recs[len(recs)-1]; last.Action != Released || last.Detail != "without tanaka@partner-b.example; 先方違い" || last.Role != "approver" {
		t.Errorf("audit record %+v", last)
	}
}

// Purge ends held and confirming mail older than the cutoff, unsent and
// recorded first; an expiry that cannot be recorded does not happen, and
// mail a person dealt with, delayed mail, younger mail and misend's own
// mail are left alone.
func TestPurge(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name      string
		state     queue.State
		system    bool
		young     bool
		auditDown bool
		finisher  bool // the approval lifecycle ends held mail at its own deadline
		want      queue.State
	}{
		{"held", queue.Held, false, false, false, false, queue.Cancelled},
		{"confirming", queue.Confirming, false, false, false, false, queue.Cancelled},
		{"delayed leaves by itself", queue.Delayed, false, false, false, false, queue.Delayed},
		{"younger than the cutoff", queue.Held, false, true, false, false, queue.Held},
		{"audit log down", queue.Held, false, false, true, false, queue.Held},
		{"misend's own mail", queue.Held, true, false, false, false, queue.Held},
		{"held mail the lifecycle ends", queue.Held, false, false, false, true, queue.Held},
		{"confirming mail the lifecycle leaves", queue.Confirming, false, false, false, true, queue.Cancelled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, q := newService(t)
			if tt.finisher {
				s.Lifecycle = finishing{}
			}
			var records []ActionRecord
			s.Record = func(_ context.Context, r ActionRecord) error {
				if tt.auditDown {
					return errors.New("audit database down")
				}
				records = append(records, r)
				return nil
			}
			var told []Change
			s.Changed = func(_ context.Context, c Change) { told = append(told, c) }
			var id string
			if tt.system {
				qid, err := q.Add(ctx, queue.Item{Envelope: queue.Envelope{To: []string{"sato@corp.example"}}, State: tt.state, System: true}, []byte("x"))
				if err != nil {
					t.Fatal(err)
				}
				id = string(qid)
			} else {
				id = add(t, q, tt.state, "営業部", "tanaka@partner-b.example")
			}
			cutoff := time.Now().Add(time.Hour)
			if tt.young {
				cutoff = time.Now().Add(-time.Hour)
			}
			ended, err := s.Purge(ctx, cutoff, "retention: no answer within 14 days; deleted, not sent")
			if (err != nil) != tt.auditDown {
				t.Fatalf("err %v", err)
			}
			it, _ := q.Get(queue.ID(id))
			if it.State != tt.want {
				t.Fatalf("state %s, want %s", it.State, tt.want)
			}
			if tt.want != queue.Cancelled {
				if len(ended) != 0 || len(records) != 0 || len(told) != 0 {
					t.Errorf("ended %v, recorded %v, told %v", ended, records, told)
				}
				return
			}
			if _, err := q.Body(queue.ID(id)); err == nil {
				t.Error("body kept")
			}
			if len(ended) != 1 || ended[0].Subject != "見積もり" || len(records) != 1 || records[0].By != "misend" ||
				records[0].Role != "retention" || records[0].Action != Purged || !strings.Contains(records[0].Detail, "14 days") {
				t.Errorf("ended %+v, recorded %+v", ended, records)
			}
			if len(told) != 1 || told[0].Action != Purged || told[0].BySender {
				t.Errorf("told %+v", told)
			}
		})
	}
}

// finishing is a Lifecycle that ends every held message at a deadline of
// its own (held.Finisher), as the approval lifecycle with final_after does.
type finishing struct{}

func (finishing) Deciders(queue.Item) []string               { return nil }
func (finishing) SelfReleaseAt(queue.Item) (time.Time, bool) { return time.Time{}, false }
func (finishing) Finishes(it queue.Item) bool                { return it.State == queue.Held }
