package reports

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

// BenchmarkBuild sums a month of decisions for a 1000-person organisation
// (about 100,000 messages, one in twenty flagged) by day.
func BenchmarkBuild(b *testing.B) {
	ctx := context.Background()
	l := openLogs(b)
	base := time.Date(2026, 10, 1, 0, 0, 0, 0, jst)
	const n = 100_000
	depts := []string{"営業部", "開発部", "総務部", "経理部", "法務部"}
	for i := range n {
		v := policy.Pass
		var codes []finding.Code
		if i%20 == 0 {
			v, codes = policy.Confirm, []finding.Code{finding.SimilarContact, finding.NewDomain}
		}
		r := rec(base.Add(time.Duration(i)*26*time.Second), strconv.Itoa(i), "q"+strconv.Itoa(i), depts[i%len(depts)], v, v, codes...)
		if err := l.dec.Append(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	l.dec.Flush()
	q := Query{Since: base, Until: base.AddDate(0, 1, 0), Location: jst}
	b.ResetTimer()
	for b.Loop() {
		r, err := Build(ctx, DecisionsTable{l.db}, l.fb, q)
		if err != nil {
			b.Fatal(err)
		}
		if r.Total.Decisions != n {
			b.Fatalf("%d decisions, want %d", r.Total.Decisions, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}
