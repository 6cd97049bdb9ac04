package retention

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/policy"
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
	if FromConfig(config.Retention{AuditDays: 1}).Keeps() {
		t.Error("audit_days ignored")
	}
}
