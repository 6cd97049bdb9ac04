package approval

import (
	"context"
	"testing"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// people answers held.People from a directory: everyone is who they are
// now, with the roles the directory gives.
type people struct{ d *directory.Directory }

func (p people) PersonOf(a string) string {
	if person, ok := p.d.Person(a); ok {
		return person.Address
	}
	return a
}

func (p people) Current(_ context.Context, a string) (auth.Principal, error) {
	person, ok := p.d.Person(a)
	if !ok {
		return auth.Principal{}, auth.ErrUnknownPerson
	}
	return auth.Principal{Address: person.Address, Department: person.Department}, nil
}

// TestEngineBusinessHours: a message held on Friday at 17:00 in Tokyo
// with timers of two and six business hours escalates on Monday at 10:00,
// goes to the next level at 12:00 and is returned at 14:00 — not during
// the night or the weekend — and each step happens once.
func TestEngineBusinessHours(t *testing.T) {
	loc := tokyo(t)
	dir := directory.New([]directory.Person{
		{Address: "sato@corp.example", Department: "営業部"},
		{Address: "bucho@corp.example", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}, Deputy: "jicho@corp.example"},
		{Address: "jicho@corp.example", Department: "営業部"},
		{Address: "shacho@corp.example", Department: "役員室", ApproverOf: []string{"organization"}},
	}, []string{"corp.example"})
	cfg := &Config{Rules: Rules{EscalateAfter: Duration(2 * time.Hour), FinalAfter: Duration(6 * time.Hour)}, BusinessHours: "09:00-18:00"}
	cal, err := cfg.Calendar(loc)
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var now time.Time
	var audited []held.ActionRecord
	hs := &held.Service{Queue: q, People: people{dir}, Now: func() time.Time { return now },
		Record: func(_ context.Context, r held.ActionRecord) error { audited = append(audited, r); return nil }}
	e := &Engine{Config: cfg, Calendar: cal, People: NewDirectoryPeople(directory.NewCurrent(dir), cfg), Held: hs, Queue: q,
		Now: func() time.Time { return now }}
	hs.Lifecycle = e
	ctx := context.Background()
	id, err := q.Add(ctx, queue.Item{Envelope: queue.Envelope{From: "sato@corp.example", To: []string{"x@partner.example"}},
		Outcome: queue.Outcome{Sender: "sato@corp.example", Verdict: policy.Hold}, State: queue.Held, Department: "営業部", Subject: "見積"}, []byte("Subject: 見積\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 12, 4, 17, 0, 0, 0, loc)
	// The spool stamps its own time; the test puts the hold on Friday.
	if _, err := q.Modify(ctx, id, "test", func(it *queue.Item) error { it.Created = friday; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		at    string
		want  Report
		stage int
	}{
		{"2026-12-04 20:00", Report{}, 0},
		{"2026-12-05 12:00", Report{}, 0},
		{"2026-12-07 09:59", Report{}, 0},
		{"2026-12-07 10:00", Report{Escalated: 1}, 1},
		{"2026-12-07 10:30", Report{}, 1},
		{"2026-12-07 12:00", Report{Escalated: 1}, 2},
		{"2026-12-07 13:59", Report{}, 2},
		{"2026-12-07 14:00", Report{Returned: 1}, 2},
		{"2026-12-07 15:00", Report{}, 2},
	} {
		now, _ = time.ParseInLocation("2006-01-02 15:04", step.at, loc)
		got, err := e.Tick(ctx)
		if err != nil || got != step.want {
			t.Fatalf("%s: %+v, %v; want %+v", step.at, got, err, step.want)
		}
		if it, _ := q.Get(id); it.Stage != step.stage {
			t.Errorf("%s: stage %d, want %d", step.at, it.Stage, step.stage)
		}
	}
	if d, a := e.Deadline("営業部", friday); !d.Equal(time.Date(2026, 12, 7, 14, 0, 0, 0, loc)) || a != Return {
		t.Errorf("deadline %s %s", d, a)
	}
	if len(audited) != 3 || audited[0].Action != held.Escalated || audited[2].Action != held.Returned || audited[2].By != held.System {
		t.Errorf("audit %+v", audited)
	}
	it, _ := q.Get(id)
	if it.State != queue.Queued || !it.System || len(it.Envelope.To) != 1 || it.Envelope.To[0] != "sato@corp.example" {
		t.Errorf("returned message %+v", it)
	}
	// Who may decide followed the stages: the deputy, then the next level.
	p, _ := people{dir}.Current(ctx, "jicho@corp.example")
	if !hs.MayDecide(held.Item{ID: string(id), State: queue.Held, Department: "営業部", Sender: "sato@corp.example", Stage: 1}, &p) {
		t.Error("the deputy may not decide at stage 1")
	}
	if hs.MayDecide(held.Item{ID: string(id), State: queue.Held, Department: "営業部", Sender: "sato@corp.example", Stage: 0}, &p) {
		t.Error("the deputy may decide before the request was passed on")
	}
}
