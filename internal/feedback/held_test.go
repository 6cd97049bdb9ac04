package feedback

import (
	"context"
	"testing"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// Actions taken through held.Service (as the web UI and API take them)
// become answers: the sender's confirmation teaches the model, drops,
// cancels and rejections are catches, an approver's release a false alarm.
func TestHeldChanged(t *testing.T) {
	ctx := context.Background()
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	l, err := Open(ctx, openDB(t), m)
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hs := &held.Service{Queue: q, Changed: l.HeldChanged}
	sato := held.Actor{Principal: auth.Principal{Address: "sato@corp.example"}}
	boss := held.Actor{Principal: auth.Principal{Address: "boss@corp.example", Roles: []auth.Role{auth.RoleApprover}, Departments: []string{"営業部"}}}
	fs := []finding.Finding{
		{Code: finding.SimilarContact, Severity: finding.High, Recipient: "tanaka@partner-b.example", Message: "m"},
		{Code: finding.NewDomain, Severity: finding.Medium, Recipient: "kato@partner-c.example", Message: "m"},
	}
	add := func(state queue.State, to ...string) string {
		id, err := q.Add(ctx, queue.Item{
			Envelope: queue.Envelope{From: "sato@corp.example", To: to},
			Outcome:  queue.Outcome{MessageID: "m@corp.example", Sender: "sato@corp.example", Verdict: policy.Confirm, Findings: fs},
			State:    state, Department: "営業部", Flagged: held.FlaggedRecipients(to, fs),
		}, []byte("Subject: x\r\n\r\nbody\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		return string(id)
	}
	a := add(queue.Confirming, "tanaka@partner-b.example", "kato@partner-c.example", "suzuki@partner-a.example")
	if _, err := hs.ConfirmRecipient(ctx, a, "tanaka@partner-b.example", sato); err != nil {
		t.Fatal(err)
	}
	it, err := hs.DropRecipient(ctx, a, "kato@partner-c.example", sato)
	if err != nil {
		t.Fatal(err)
	}
	if it.State != queue.Queued {
		t.Fatalf("after confirming one and dropping the other flagged recipient: %s, want queued", it.State)
	}
	b := add(queue.Held, "tanaka@partner-b.example")
	if _, err := hs.Release(ctx, b, boss, ""); err != nil {
		t.Fatal(err)
	}
	c := add(queue.Held, "kato@partner-c.example")
	if _, err := hs.Reject(ctx, c, boss, "wrong company"); err != nil {
		t.Fatal(err)
	}
	d := add(queue.Confirming, "kato@partner-c.example")
	if _, err := hs.Cancel(ctx, d, sato); err != nil {
		t.Fatal(err)
	}
	type ev struct {
		q    string
		kind Kind
		rcpt string
	}
	var got []ev
	if err := l.Each(ctx, time.Time{}, func(e Event) error {
		if e.Department != "営業部" || e.Sender != "sato@corp.example" || len(e.Codes) != 2 {
			t.Errorf("event %+v lacks sender, department or codes", e)
		}
		got = append(got, ev{e.QueueID, e.Kind, e.Recipient})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []ev{
		{a, Confirmed, "tanaka@partner-b.example"},
		{a, Dropped, "kato@partner-c.example"},
		{b, Released, ""},
		{c, Rejected, ""},
		{d, Cancelled, ""},
	}
	// DropRecipient re-reports the confirmed recipient in the item; the
	// unique index keeps it one answer.
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %v, want %v", i, got[i], want[i])
		}
	}
	now := time.Now().Add(time.Minute)
	if !m.Contact("sato@corp.example", "tanaka@partner-b.example", now).Known() {
		t.Error("confirmed recipient not learned")
	}
	if m.Contact("sato@corp.example", "kato@partner-c.example", now).Known() {
		t.Error("dropped recipient learned")
	}
}
