package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/reports"
)

// benchPage measures one signed-in page view through the whole handler:
// session lookup in SQLite, authorisation, data and template.
func benchPage(b *testing.B, e *env, who, path string) {
	cookie, _ := e.session(who)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		w := httptest.NewRecorder()
		e.web.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, w.Code)
		}
		b.SetBytes(int64(w.Body.Len()))
	}
}

func heldFixtures(e *env, n int) {
	fs := []finding.Finding{{Code: finding.SimilarContact, Severity: finding.High, Recipient: "tanaka@partner-b.example", Message: "never mailed before; you often mail tanaka@partner-a.example", Suggestion: "tanaka@partner-a.example"}}
	for i := range n {
		st := queue.Confirming
		if i%2 == 1 {
			st = queue.Held
		}
		e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: fmt.Sprintf("件名 %d", i), state: st,
			to: []string{"tanaka@partner-b.example", "suzuki@partner-a.example"}, flagged: []string{"tanaka@partner-b.example"}, findings: fs})
	}
}

// BenchmarkHeldPage: a sender with 20 waiting messages.
func BenchmarkHeldPage(b *testing.B) {
	e := newEnv(b, nil)
	heldFixtures(e, 20)
	benchPage(b, e, "sato@corp.example", "/held")
}

// BenchmarkApprovalsPage: an approver's queue of 10 held messages.
func BenchmarkApprovalsPage(b *testing.B) {
	e := newEnv(b, nil)
	heldFixtures(e, 20)
	benchPage(b, e, "boss@corp.example", "/approvals")
}

// BenchmarkReportsPage: 30 days, 10,000 decisions, three charts.
func BenchmarkReportsPage(b *testing.B) {
	e := newEnv(b, nil)
	ctx := context.Background()
	dl, err := decisions.Open(ctx, e.db)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	vs := []policy.Verdict{policy.Pass, policy.Pass, policy.Pass, policy.Pass, policy.Warn, policy.Confirm, policy.Hold}
	for i := range 10000 {
		v := vs[i%len(vs)]
		r := decisions.Record{At: now.Add(-time.Duration(i) * 4 * time.Minute), Via: "smtp", MessageID: "m", Sender: "x@corp.example",
			Department: []string{"営業部", "経理部", "総務部"}[i%3], Decision: policy.Decision{Verdict: v, Decided: v}}
		if v != policy.Pass {
			r.Findings = []finding.Finding{{Code: finding.NewDomain, Severity: finding.Medium, Message: "m"}}
		}
		dl.Append(ctx, r)
	}
	dl.Close()
	e.web.o.Decisions = reports.DecisionsTable{DB: e.db}
	benchPage(b, e, "op@corp.example", "/reports")
}

// BenchmarkStatic: the cost of the per-request session-free path.
func BenchmarkStatic(b *testing.B) {
	e := newEnv(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		e.web.ServeHTTP(w, httptest.NewRequest("GET", "/static/app.css", nil))
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
