package retention

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/journal"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
	"github.com/misend/misend/internal/terms"
)

// With a controlled clock: what is older than the retention is gone after
// the sweep, the rest untouched, and the sweep is in the audit log.
func TestSweepDeletesOnlyWhatIsOld(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour

	dl, err := decisions.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for i, age := range []time.Duration{500 * day, 401 * day, 399 * day, day} {
		v := policy.Pass
		dl.Append(ctx, decisions.Record{At: now.Add(-age), Via: "smtp", MessageID: string(rune('a'+i)) + "@corp.example",
			Sender: "sato@corp.example", Decision: policy.Decision{Verdict: v, Decided: v}})
	}
	dl.Close()

	al, err := audit.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, age := range []time.Duration{1100 * day, 1000 * day} {
		if err := al.Record(ctx, audit.Entry{At: now.Add(-age), Actor: "boss@corp.example", Action: audit.Release, Target: "q1"}); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := terms.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range []string{"2025-11-30", "2025-12-01", "2026-11-30"} {
		if _, err := db.ExecContext(ctx, `INSERT INTO terms_index_docs (msg_key, sender, day, words) VALUES (?, ?, ?, ?)`, i+1, "sato@corp.example", d, []byte{}); err != nil {
			t.Fatal(err)
		}
	}

	s := &Sweeper{DB: db, Audit: al, Terms: ts, Now: func() time.Time { return now }}
	p := FromConfig(config.Retention{DecisionsDays: 400, AuditDays: 1095, TermIndexDays: 365})
	got, err := s.Sweep(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Swept{Decisions: 2, Audit: 1, TermIndex: 1}); got != want {
		t.Errorf("swept %+v, want %+v", got, want)
	}
	count := func(q string) int {
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM decisions`); n != 2 {
		t.Errorf("%d decisions left, want 2", n)
	}
	if n := count(`SELECT count(*) FROM terms_index_docs`); n != 2 {
		t.Errorf("%d indexed messages left, want 2", n)
	}
	entries, err := al.Query(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Action != audit.Prune || entries[0].Actor != "misend" ||
		!strings.Contains(entries[0].Detail, "decisions: 2 before 2025-10-27T12:00:00Z") || entries[1].Action != audit.Release {
		t.Fatalf("audit log after the sweep: %+v", entries)
	}

	// Nothing more to delete: no new entry from the daily sweep…
	if got, err := s.Sweep(ctx, p); err != nil || got.Total() != 0 {
		t.Fatalf("second sweep: %+v %v", got, err)
	}
	if e, _ := al.Query(ctx, audit.Filter{}); len(e) != 2 {
		t.Errorf("an empty sweep was recorded: %+v", e[0])
	}
	// …but an administrator's prune is always recorded.
	s.RecordEmpty, s.Actor = true, "cli:root"
	if _, err := s.Sweep(ctx, p); err != nil {
		t.Fatal(err)
	}
	if e, _ := al.Query(ctx, audit.Filter{Action: audit.Prune}); len(e) != 2 || e[0].Actor != "cli:root" {
		t.Errorf("explicit prune not recorded: %+v", e)
	}
}

func TestPolicyKeepsByDefault(t *testing.T) {
	if !FromConfig(config.Retention{}).Keeps() {
		t.Error("an empty [retention] deletes something")
	}
	for _, r := range []config.Retention{{AuditDays: 1}, {HeldDays: 1}, {JournalDays: 1}} {
		if FromConfig(r).Keeps() {
			t.Errorf("%+v ignored", r)
		}
	}
}

// Held bodies and the model journal, each after its own age, with a
// controlled clock: held and confirming mail older than held_days is ended
// unsent through package held (audited per message, body gone, sender
// told), younger and delayed mail untouched; journal entries older than
// journal_days go whether or not a snapshot covers them; the sweep is in
// the audit log.
func TestSweepHeldAndJournal(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	al, err := audit.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var changes []held.Change
	hs := &held.Service{Queue: q, Record: al.HeldActions(), Changed: func(_ context.Context, c held.Change) { changes = append(changes, c) }}
	addMsg := func(state queue.State, subject string) queue.ID {
		t.Helper()
		id, err := q.Add(ctx, queue.Item{Envelope: queue.Envelope{From: "sato@corp.example", To: []string{"tanaka@partner.example"}},
			Outcome: queue.Outcome{Sender: "sato@corp.example", Verdict: policy.Hold}, State: state, Subject: subject, Department: "営業部",
			NotBefore: time.Now().Add(time.Hour)}, []byte("Subject: "+subject+"\r\n\r\n見積書を添付します。\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	oldHeld := addMsg(queue.Held, "古い保留")
	oldConfirming := addMsg(queue.Confirming, "古い確認待ち")
	oldDelayed := addMsg(queue.Delayed, "遅延")
	time.Sleep(20 * time.Millisecond)
	mid := time.Now()
	time.Sleep(20 * time.Millisecond)
	newHeld := addMsg(queue.Held, "新しい保留")

	j, err := journal.Open(ctx, db, "replica-a")
	if err != nil {
		t.Fatal(err)
	}
	obs := []model.Observation{{Key: 1, From: mail.Address{Addr: "sato@corp.example"}, To: []mail.Address{{Addr: "tanaka@partner.example"}}}}
	for _, at := range []time.Time{mid.AddDate(0, 0, -10), mid.AddDate(0, 0, -8), mid.AddDate(0, 0, -6), mid} {
		if err := j.Append(ctx, obs); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE model_journal SET at = ? WHERE seq = (SELECT max(seq) FROM model_journal)`, at.Unix()); err != nil {
			t.Fatal(err)
		}
	}

	// Fourteen days after mid: the three messages before it are older than
	// held_days, the one after is not.
	now := mid.AddDate(0, 0, 14)
	s := &Sweeper{DB: db, Audit: al, Held: hs, Now: func() time.Time { return now }}
	p := FromConfig(config.Retention{HeldDays: 14, JournalDays: 7})
	got, err := s.Sweep(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	// Journal entries at mid-10d and mid-8d are older than 7 days at now
	// (mid+14d); so are mid-6d and mid itself.
	if want := (Swept{Held: 2, Journal: 4}); got != want {
		t.Errorf("swept %+v, want %+v", got, want)
	}
	for _, tc := range []struct {
		id    queue.ID
		state queue.State
		body  bool
	}{{oldHeld, queue.Cancelled, false}, {oldConfirming, queue.Cancelled, false}, {oldDelayed, queue.Delayed, true}, {newHeld, queue.Held, true}} {
		it, err := q.Get(tc.id)
		if err != nil || it.State != tc.state {
			t.Errorf("%s: %s (%v), want %s", it.Subject, it.State, err, tc.state)
		}
		if _, err := q.Body(tc.id); (err == nil) != tc.body {
			t.Errorf("%s: body kept %v, want %v", tc.id, err == nil, tc.body)
		}
	}
	if len(changes) != 2 || changes[0].Action != held.Purged || changes[0].BySender || changes[0].Item.Subject == "" {
		t.Errorf("changes told: %+v", changes)
	}
	entries, err := al.Query(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range entries {
		seen = append(seen, e.Action+":"+e.Actor+":"+e.Role)
	}
	if got := strings.Join(seen, ","); got != "retention-prune:misend:retention,purge:misend:retention,purge:misend:retention" {
		t.Errorf("audit log: %s", got)
	}
	if d := entries[0].Detail; !strings.Contains(d, "held mail: 2 waiting since before") || !strings.Contains(d, "model journal: 4 before") {
		t.Errorf("sweep entry: %q", d)
	}
	if d := entries[1].Detail; !strings.Contains(d, "no answer within 14 days") {
		t.Errorf("expiry entry: %q", d)
	}
	var left int
	db.QueryRowContext(ctx, `SELECT count(*) FROM model_journal`).Scan(&left)
	if left != 0 {
		t.Errorf("%d journal entries left", left)
	}

	// A day later with a week's journal: only what is older goes.
	for range 2 {
		if err := j.Append(ctx, obs); err != nil {
			t.Fatal(err)
		}
	}
	db.ExecContext(ctx, `UPDATE model_journal SET at = ? WHERE seq = (SELECT min(seq) FROM model_journal)`, now.AddDate(0, 0, -8).Unix())
	db.ExecContext(ctx, `UPDATE model_journal SET at = ? WHERE seq = (SELECT max(seq) FROM model_journal)`, now.AddDate(0, 0, -6).Unix())
	got, err = s.Sweep(ctx, p)
	if err != nil || got != (Swept{Journal: 1}) {
		t.Errorf("second sweep: %+v %v", got, err)
	}
	if it, _ := q.Get(newHeld); it.State != queue.Held {
		t.Errorf("young held mail: %s", it.State)
	}
	// misend prune has no spool: held mail is left alone.
	s.Held = nil
	now = now.AddDate(0, 0, 30)
	if got, err := s.Sweep(ctx, p); err != nil || got.Held != 0 {
		t.Errorf("sweep without a spool: %+v %v", got, err)
	}
	if it, _ := q.Get(newHeld); it.State != queue.Held {
		t.Errorf("held mail ended without the spool's owner: %s", it.State)
	}
}
