package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/misend/misend/internal/csvfile"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

type logs struct {
	db  *store.DB
	dec *decisions.Log
	fb  *feedback.Log
}

func openLogs(t testing.TB) logs {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dl, err := decisions.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dl.Close() })
	fl, err := feedback.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return logs{db, dl, fl}
}

var jst = time.FixedZone("JST", 9*3600)

func rec(at time.Time, id, qid, dept string, v, decided policy.Verdict, codes ...finding.Code) decisions.Record {
	fs := make([]finding.Finding, len(codes))
	for i, c := range codes {
		fs[i] = finding.Finding{Code: c, Severity: finding.Medium, Message: "m", Terms: []string{"秘密"}}
	}
	return decisions.Record{At: at, Via: "smtp", MessageID: id, QueueID: qid, Sender: "s-" + dept + "@corp.example",
		Department: dept, Decision: policy.Decision{Verdict: v, Decided: decided, Shadow: v != decided}, Findings: fs}
}

// The report of a small, hand-checked history: two Tokyo days, two
// departments (one in shadow mode), and every kind of answer.
func TestBuild(t *testing.T) {
	ctx := context.Background()
	l := openLogs(t)
	d1 := time.Date(2026, 11, 2, 0, 30, 0, 0, jst) // 2 Nov in Tokyo, 1 Nov in UTC
	d2 := d1.Add(24 * time.Hour)
	sales, dev := "営業部", "開発部"
	P, W, C, H, R := policy.Pass, policy.Warn, policy.Confirm, policy.Hold, policy.Reject
	records := []decisions.Record{
		rec(d1, "m1", "", sales, P, P),
		rec(d1, "m2", "q2", sales, C, C, finding.SimilarContact, finding.NewDomain), // confirmed: false alarm
		rec(d1, "m3", "q3", sales, C, C, finding.SimilarContact),                    // dropped: catch
		rec(d1, "m4", "q4", sales, H, H, finding.ConfidentialTerms),                 // released: false alarm
		rec(d2, "m5", "q5", sales, H, H, finding.LookalikeDomain),                   // rejected: catch
		rec(d2, "m6", "", sales, W, W, finding.NewRecipient, finding.NewRecipient),  // nobody answered
		rec(d2, "m7", "q7", sales, C, C, finding.SimilarContact),                    // one confirmed, one dropped: catch
		rec(d2, "m8", "", dev, P, H, finding.LookalikeDomain),                       // shadow mode
		rec(d2, "m9", "", dev, W, W, finding.BccRecommended),                        // add-in reports a false alarm
		rec(d2, "m10", "q10", dev, R, R, finding.PersonalData),
		rec(d2.Add(48*time.Hour), "late", "", dev, W, W), // after until
	}
	for _, r := range records {
		if err := l.dec.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	l.dec.Flush()
	fbs := []feedback.Event{
		{Kind: feedback.Confirmed, QueueID: "q2", Sender: "s-営業部@corp.example", Recipient: "a@x"},
		{Kind: feedback.Dropped, QueueID: "q3", Sender: "s-営業部@corp.example", Recipient: "b@x"},
		{Kind: feedback.Released, QueueID: "q4", Sender: "s-営業部@corp.example"},
		{Kind: feedback.Rejected, QueueID: "q5", Sender: "s-営業部@corp.example"},
		{Kind: feedback.Dropped, QueueID: "q7", Sender: "s-営業部@corp.example", Recipient: "c@x"},
		{Kind: feedback.Confirmed, QueueID: "q7", Sender: "s-営業部@corp.example", Recipient: "d@x"},
		{Kind: feedback.Reported, MessageID: "m9", Sender: "s-開発部@corp.example"},
		// Same Message-ID from another sender: must not count for m9's sender.
		{Kind: feedback.Cancelled, MessageID: "m9", Sender: "other@corp.example"},
	}
	for _, e := range fbs {
		e.At = d2.Add(time.Hour)
		if err := l.fb.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	q := Query{Since: d1.Add(-30 * time.Minute), Until: d2.Add(24 * time.Hour), Location: jst}
	r, err := Build(ctx, DecisionsTable{l.db}, l.fb, q)
	if err != nil {
		t.Fatal(err)
	}
	day1 := time.Date(2026, 11, 2, 0, 0, 0, 0, jst)
	if d := cmp.Diff([]time.Time{day1, day1.AddDate(0, 0, 1), day1.AddDate(0, 0, 2)}, r.Periods); d != "" {
		t.Fatalf("periods (-want +got):\n%s", d)
	}
	wantVerdicts := []Series{
		{"pass", []int{1, 1, 0}}, {"warn", []int{0, 2, 0}}, {"delay", []int{0, 0, 0}},
		{"confirm", []int{2, 1, 0}}, {"hold", []int{1, 1, 0}}, {"reject", []int{0, 1, 0}},
	}
	if d := cmp.Diff(wantVerdicts, r.Verdicts); d != "" {
		t.Errorf("verdict series (-want +got):\n%s", d)
	}
	wantFeedback := []Series{
		{"flagged", []int{3, 5, 0}}, {"false_alarms", []int{2, 1, 0}}, {"catches", []int{1, 2, 0}}, {"shadowed", []int{0, 1, 0}},
	}
	if d := cmp.Diff(wantFeedback, r.Feedback); d != "" {
		t.Errorf("feedback series (-want +got):\n%s", d)
	}
	total := r.Total
	if total.Decisions != 10 || total.Flagged != 8 || total.FalseAlarms != 3 || total.Catches != 3 || total.Shadowed != 1 {
		t.Errorf("total = %+v", total)
	}
	if total.FalseAlarmRate != 3.0/8 || total.CatchRate != 3.0/8 {
		t.Errorf("rates = %v, %v, want 0.375 both", total.FalseAlarmRate, total.CatchRate)
	}
	byDept := map[string]Totals{}
	for _, d := range r.Departments {
		byDept[d.Department] = d
	}
	if s := byDept[sales]; s.Decisions != 7 || s.Flagged != 6 || s.FalseAlarms != 2 || s.Catches != 3 || s.CatchRate != 0.5 {
		t.Errorf("sales = %+v", s)
	}
	if d := byDept[dev]; d.Decisions != 3 || d.Flagged != 2 || d.FalseAlarms != 1 || d.Catches != 0 || d.Shadowed != 1 || d.FalseAlarmRate != 0.5 {
		t.Errorf("dev = %+v", d)
	}
	byCode := map[finding.Code]CodeRow{}
	for _, c := range r.ByCode {
		byCode[c.Code] = c
	}
	if r.ByCode[0].Code != finding.SimilarContact {
		t.Errorf("most frequent code = %s, want SIMILAR_CONTACT", r.ByCode[0].Code)
	}
	if s := byCode[finding.SimilarContact]; s.Decisions != 3 || s.FalseAlarms != 1 || s.Catches != 2 {
		t.Errorf("SIMILAR_CONTACT = %+v", s)
	}
	if n := byCode[finding.NewRecipient]; n.Decisions != 1 {
		t.Errorf("a code repeated in one message counted %d times", n.Decisions)
	}
	if l := byCode[finding.LookalikeDomain]; l.Decisions != 2 || l.Flagged != 1 || l.Shadowed != 1 || l.Catches != 1 {
		t.Errorf("LOOKALIKE_DOMAIN = %+v", l)
	}

	// An approver of the sales department sees only that department.
	q.Departments = []string{sales}
	rs, err := Build(ctx, DecisionsTable{l.db}, l.fb, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Departments) != 1 || rs.Total.Decisions != 7 {
		t.Errorf("sales-only report: departments %v, total %+v", rs.Departments, rs.Total)
	}
	for _, c := range rs.ByCode {
		if c.Code == finding.BccRecommended || c.Code == finding.PersonalData {
			t.Errorf("sales-only report shows %s from another department", c.Code)
		}
	}
	q.Departments = []string{}
	if rn, err := Build(ctx, DecisionsTable{l.db}, l.fb, q); err != nil || rn.Total.Decisions != 0 {
		t.Errorf("no-department report: %v, %+v", err, rn.Total)
	}
}

// The CSV holds every period × department cell, and its columns add up to
// the report's totals.
func TestWriteCSV(t *testing.T) {
	ctx := context.Background()
	l := openLogs(t)
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i := range 40 {
		dept := []string{"=HYPERLINK(\"x\")", "営業部", ""}[i%3]
		v := []policy.Verdict{policy.Pass, policy.Warn, policy.Hold, policy.Confirm}[i%4]
		var codes []finding.Code
		if v != policy.Pass {
			codes = []finding.Code{finding.NewDomain}
		}
		if err := l.dec.Append(ctx, rec(base.Add(time.Duration(i)*7*time.Hour), strconv.Itoa(i), "q"+strconv.Itoa(i), dept, v, v, codes...)); err != nil {
			t.Fatal(err)
		}
		if v == policy.Hold {
			l.fb.Record(ctx, feedback.Event{Kind: feedback.Rejected, QueueID: "q" + strconv.Itoa(i), Sender: "x"})
		}
	}
	l.dec.Flush()
	r, err := Build(ctx, DecisionsTable{l.db}, l.fb, Query{Since: base, Until: base.AddDate(0, 0, 14)})
	if err != nil {
		t.Fatal(err)
	}
	// The download for Excel starts with the UTF-8 byte order mark; the
	// API's CSV does not. Both read back to the same cells.
	for _, tc := range []struct {
		name  string
		write func(io.Writer, *Report) error
		bom   bool
	}{{"excel", WriteExcelCSV, true}, {"api", WriteCSV, false}} {
		t.Run(tc.name, func(t *testing.T) { checkCSV(t, r, tc.write, tc.bom) })
	}
}

func checkCSV(t *testing.T, r *Report, write func(io.Writer, *Report) error, bom bool) {
	var b bytes.Buffer
	if err := write(&b, r); err != nil {
		t.Fatal(err)
	}
	if got := bytes.HasPrefix(b.Bytes(), []byte("\xef\xbb\xbf")); got != bom {
		t.Fatalf("starts with a BOM: %v, want %v (%q)", got, bom, b.Bytes()[:min(b.Len(), 10)])
	}
	rows, err := csv.NewReader(csvfile.Decode(&b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "period" {
		t.Errorf("first header cell %q", rows[0][0])
	}
	depts := map[string]bool{}
	for _, row := range rows[1:] {
		depts[row[1]] = true
	}
	if !depts["営業部"] || !depts["'=HYPERLINK(\"x\")"] {
		t.Errorf("departments read back: %v", depts)
	}
	head := rows[0]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"period", "department", "decisions", "hold", "flagged", "catches", "catch_rate", "NEW_DOMAIN"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("no %s column in %v", c, head)
		}
	}
	sum := map[string]int{}
	for _, row := range rows[1:] {
		if row[col["department"]] != "" && row[col["department"]][0] == '=' {
			t.Errorf("department cell %q would run as a formula", row[col["department"]])
		}
		if _, err := time.Parse(time.RFC3339, row[col["period"]]); err != nil {
			t.Errorf("period %q: %v", row[col["period"]], err)
		}
		for _, c := range []string{"decisions", "hold", "flagged", "catches", "NEW_DOMAIN"} {
			n, err := strconv.Atoi(row[col[c]])
			if err != nil {
				t.Fatalf("%s = %q", c, row[col[c]])
			}
			sum[c] += n
		}
	}
	want := map[string]int{"decisions": 40, "hold": 10, "flagged": 30, "catches": 10, "NEW_DOMAIN": 30}
	if d := cmp.Diff(want, sum); d != "" {
		t.Errorf("CSV column sums (-want +got):\n%s", d)
	}
	if len(rows)-1 != len(r.Cells) {
		t.Errorf("%d CSV rows for %d cells", len(rows)-1, len(r.Cells))
	}
}

func TestPeriods(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	for _, tc := range []struct {
		name        string
		q           Query
		n           int
		first, last string
	}{
		{"days across a DST change", Query{Since: time.Date(2026, 10, 31, 12, 0, 0, 0, ny), Until: time.Date(2026, 11, 3, 0, 0, 0, 0, ny), Location: ny},
			3, "2026-10-31T00:00:00-04:00", "2026-11-02T00:00:00-05:00"},
		{"weeks start Monday", Query{Since: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Bucket: Week},
			3, "2026-11-02T00:00:00Z", "2026-11-16T00:00:00Z"},
		{"months", Query{Since: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Bucket: Month},
			3, "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"hours", Query{Since: time.Date(2026, 11, 5, 10, 30, 0, 0, time.UTC), Until: time.Date(2026, 11, 5, 13, 0, 0, 0, time.UTC), Bucket: Hour},
			3, "2026-11-05T10:00:00Z", "2026-11-05T12:00:00Z"},
	} {
		q, err := tc.q.normalise()
		if err != nil {
			t.Fatal(err)
		}
		ps, err := q.periods()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(ps) != tc.n || ps[0].Format(time.RFC3339) != tc.first || ps[len(ps)-1].Format(time.RFC3339) != tc.last {
			t.Errorf("%s: %d periods %v", tc.name, len(ps), ps)
		}
	}
}

func TestBadQueries(t *testing.T) {
	now := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	l := openLogs(t)
	for name, q := range map[string]Query{
		"no since":       {Until: now},
		"reversed":       {Since: now, Until: now.Add(-time.Hour)},
		"unknown bucket": {Since: now.Add(-time.Hour), Until: now, Bucket: "fortnight"},
		"too many hours": {Since: now.AddDate(-1, 0, 0), Until: now, Bucket: Hour},
	} {
		if _, err := Build(context.Background(), DecisionsTable{l.db}, l.fb, q); !errors.Is(err, ErrQuery) {
			t.Errorf("%s: err = %v, want ErrQuery", name, err)
		}
	}
}

// A message decided twice (the add-in's check of the draft, then the
// gateway) counts once, as last decided; the same Message-ID from another
// sender is another message.
func TestDecidedTwiceCountsOnce(t *testing.T) {
	ctx := context.Background()
	l := openLogs(t)
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	draft := rec(base, "m1", "", "営業部", policy.Warn, policy.Warn, finding.NewDomain)
	draft.Via = "api"
	sent := rec(base.Add(time.Minute), "m1", "q1", "営業部", policy.Confirm, policy.Confirm, finding.NewDomain, finding.SimilarContact)
	other := rec(base.Add(2*time.Minute), "m1", "", "営業部", policy.Pass, policy.Pass)
	other.Sender = "someone-else@corp.example"
	noID := rec(base.Add(3*time.Minute), "", "", "営業部", policy.Pass, policy.Pass)
	for _, r := range []decisions.Record{draft, sent, other, noID, noID} {
		if err := l.dec.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	l.dec.Flush()
	l.fb.Record(ctx, feedback.Event{Kind: feedback.Confirmed, QueueID: "q1", Sender: sent.Sender, Recipient: "x@y.example"})
	r, err := Build(ctx, DecisionsTable{l.db}, l.fb, Query{Since: base, Until: base.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	tot := r.Total
	if tot.Decisions != 4 || tot.Verdicts["warn"] != 0 || tot.Verdicts["confirm"] != 1 || tot.Flagged != 1 || tot.FalseAlarms != 1 {
		t.Errorf("totals %+v, want 4 messages, the twice-decided one as confirm with its confirmation", tot)
	}
	if len(r.ByCode) != 2 || r.ByCode[0].Decisions != 1 {
		t.Errorf("codes %+v", r.ByCode)
	}
}
