package decisions

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

func openLog(t testing.TB) (*Log, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, db
}

func TestAppendAndRead(t *testing.T) {
	ctx := context.Background()
	l, db := openLog(t)
	w := 0.41
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	recs := []Record{
		{At: base, Via: "milter", MessageID: "a@x", Sender: "s@corp.example", Department: "営業部",
			Decision: policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "code:CONFIDENTIAL_TERMS"},
			Score:    0.3, QueueID: "q1",
			Findings: []finding.Finding{{Code: finding.ConfidentialTerms, Severity: finding.High, Message: "m", Scope: "department:営業部", Weight: &w, Terms: []string{"秘密"}}}},
		{At: base.Add(time.Minute), Via: "smtp", MessageID: "b@x", Sender: "s@corp.example", Department: "営業部",
			Decision: policy.Decision{Verdict: policy.Pass, Decided: policy.Hold, Shadow: true, Rule: "score>=0.90"}, Score: 0.93},
		{At: base.Add(2 * time.Minute), Via: "smtp", MessageID: "c@x", Sender: "t@corp.example", Department: "",
			Decision: policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "fail-safe"}, Err: "detect: timeout"},
	}
	for _, r := range recs {
		if err := l.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	l.Flush()
	got, err := l.Recent(ctx, base.Add(30*time.Second), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].MessageID != "c@x" || got[1].MessageID != "b@x" {
		t.Fatalf("Recent since +30s = %+v, want c then b", got)
	}
	all, err := l.Recent(ctx, base, 10)
	if err != nil {
		t.Fatal(err)
	}
	first := all[len(all)-1]
	first.At = first.At.UTC()
	if diff := cmp.Diff(recs[0], first); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if all[0].Err != "detect: timeout" || !all[1].Decision.Shadow {
		t.Errorf("error or shadow flag lost: %+v", all[:2])
	}

	var codes string
	if err := db.QueryRow(`SELECT codes FROM decisions WHERE message_id = 'a@x'`).Scan(&codes); err != nil {
		t.Fatal(err)
	}
	if codes != "CONFIDENTIAL_TERMS" {
		t.Errorf("codes column = %q", codes)
	}

	counts, err := l.Counts(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	want := []Count{
		{Department: "", Decided: policy.Hold, N: 1},
		{Department: "営業部", Decided: policy.Hold, N: 1},
		{Department: "営業部", Decided: policy.Hold, Shadow: true, N: 1},
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
}

// A batch is written several records to a statement: each record keeps
// its own fields, whatever its place in the batch.
func TestBatchKeepsEachRecord(t *testing.T) {
	ctx := context.Background()
	l, _ := openLog(t)
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	var want []Record
	for i := range 2*rowsPerInsert + 5 {
		r := Record{At: base.Add(time.Duration(i) * time.Second), Via: "milter", MessageID: fmt.Sprintf("m%d@x", i),
			Sender: fmt.Sprintf("s%d@corp.example", i), Decision: policy.Decision{Verdict: policy.Pass, Decided: policy.Pass, Rule: "r"},
			Score: float64(i) / 100}
		if i%7 == 3 {
			r.Decision.Verdict, r.Findings = policy.Warn, []finding.Finding{{Code: finding.NewDomain, Message: fmt.Sprint(i)}}
		}
		want = append(want, r)
	}
	// queued before the writer takes any, so they share one transaction
	for _, r := range want {
		if err := l.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.Recent(ctx, base, len(want)+1)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(got)
	for i := range got {
		got[i].At = got[i].At.UTC()
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestSchemaHasNoBodyColumns(t *testing.T) {
	_, db := openLog(t)
	columns := `SELECT name FROM pragma_table_info('decisions')`
	if db.Dialect == store.Postgres {
		columns = `SELECT column_name FROM information_schema.columns WHERE table_name = 'decisions'`
	}
	rows, err := db.Query(columns)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var n string
		rows.Scan(&n)
		seen++
		if strings.Contains(n, "body") || strings.Contains(n, "subject") || strings.Contains(n, "text") {
			t.Errorf("decisions must not store message content, has column %q", n)
		}
	}
	if seen < 10 {
		t.Errorf("read %d columns of decisions: the schema query is wrong", seen)
	}
}

func TestReopenIsIdempotent(t *testing.T) {
	ctx := context.Background()
	l, db := openLog(t)
	if err := l.Append(ctx, Record{At: time.Now(), MessageID: "x"}); err != nil {
		t.Fatal(err)
	}
	l.Flush()
	l2, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	got, err := l2.Recent(ctx, time.Time{}, 5)
	if err != nil || len(got) != 1 {
		t.Fatalf("after reopen: %v, %d records", err, len(got))
	}
}

func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	l, _ := openLog(b)
	w := 0.5
	r := Record{At: time.Now(), Via: "milter", MessageID: "m@x", Sender: "s@corp.example", Department: "営業部",
		Decision: policy.Decision{Verdict: policy.Warn, Decided: policy.Warn, Rule: "score>=0.50"}, Score: 0.55,
		Findings: []finding.Finding{{Code: finding.NewDomain, Severity: finding.Medium, Recipient: "a@b.example", Message: "never mailed this domain"},
			{Code: finding.ConfidentialTerms, Weight: &w, Terms: []string{"x"}}}}
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Append(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	// The cost of writing is part of the cost of appending.
	l.Flush()
}

func TestCloseWritesQueuedRecords(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := range n {
		if err := l.Append(ctx, Record{At: time.Now(), MessageID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	var got int
	if err := db.QueryRow(`SELECT count(*) FROM decisions`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("%d records after Close, want %d", got, n)
	}
}
