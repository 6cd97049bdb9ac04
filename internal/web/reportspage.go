package web

import (
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/reports"
)

// reportScope is the departments p may see counts of: all for operators,
// auditors and admins; the approved and own department for approvers; the
// own department for everyone else.
func reportScope(p *auth.Principal) []string {
	if p.Any(auth.RoleOperator, auth.RoleAuditor, auth.RoleAdmin) || p.ApprovesOrganization {
		return nil
	}
	out := []string{}
	if p.Department != "" {
		out = append(out, p.Department)
	}
	for _, d := range p.Departments {
		if !contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

type reportsData struct {
	Since, Until string // YYYY-MM-DD, Until inclusive
	Bucket       reports.Bucket
	Report       *reports.Report
	Scope        []string // nil: all departments
	All          bool
	VerdictChart template.HTML
	FeedChart    template.HTML
	CodeChart    template.HTML
	NoData       bool
}

// reportQuery reads since/until/bucket, defaulting to the last 30 days.
func (w *Web) reportQuery(r *http.Request, p *auth.Principal) (reports.Query, reportsData, bool) {
	loc := w.o.Location
	today := w.o.Now().In(loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	d := reportsData{Bucket: reports.Bucket(r.URL.Query().Get("bucket")), Scope: reportScope(p)}
	d.All = d.Scope == nil
	if d.Bucket == "" {
		d.Bucket = reports.Day
	}
	since, until := today.AddDate(0, 0, -29), today
	ok := true
	if s := r.URL.Query().Get("since"); s != "" {
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		since, ok = t, ok && err == nil
	}
	if s := r.URL.Query().Get("until"); s != "" {
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		until, ok = t, ok && err == nil
	}
	d.Since, d.Until = since.Format("2006-01-02"), until.Format("2006-01-02")
	q := reports.Query{Since: since, Until: until.AddDate(0, 0, 1), Bucket: d.Bucket, Location: loc, Departments: d.Scope}
	return q, d, ok
}

func (w *Web) reportsPage(rw http.ResponseWriter, r *http.Request, q *req) {
	rq, d, ok := w.reportQuery(r, q.p)
	if !ok {
		w.render(rw, r, q, http.StatusBadRequest, "reports", page{Title: "title.reports", Error: "err.dates", Data: d})
		return
	}
	if w.o.Decisions == nil {
		d.NoData = true
		w.render(rw, r, q, http.StatusOK, "reports", page{Title: "title.reports", Data: d})
		return
	}
	rep, err := reports.Build(r.Context(), w.o.Decisions, w.o.Feedback, rq)
	if errors.Is(err, reports.ErrQuery) {
		w.render(rw, r, q, http.StatusBadRequest, "reports", page{Title: "title.reports", Error: "err.dates", Data: d})
		return
	}
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	d.Report = rep
	label := func(s string) string { return tr(q.lang, "series."+s) }
	d.VerdictChart = template.HTML(stackedBars(tr(q.lang, "chart.verdicts"), rep.Periods, rep.Bucket, rep.Verdicts, label))
	d.FeedChart = template.HTML(lines(tr(q.lang, "chart.feedback"), rep.Periods, rep.Bucket, rep.Feedback, label))
	var labels []string
	var values []int
	for _, c := range rep.ByCode {
		labels = append(labels, trValue(q.lang, "code.", string(c.Code)))
		values = append(values, c.Decisions)
	}
	if len(labels) > 0 {
		d.CodeChart = template.HTML(hbars(tr(q.lang, "chart.codes"), labels, values))
	}
	w.render(rw, r, q, http.StatusOK, "reports", page{Title: "title.reports", Data: d})
}

func (w *Web) reportsCSV(rw http.ResponseWriter, r *http.Request, q *req) {
	rq, _, ok := w.reportQuery(r, q.p)
	if !ok || w.o.Decisions == nil {
		w.fail(rw, r, q, http.StatusBadRequest, "err.dates")
		return
	}
	rep, err := reports.Build(r.Context(), w.o.Decisions, w.o.Feedback, rq)
	if errors.Is(err, reports.ErrQuery) {
		w.fail(rw, r, q, http.StatusBadRequest, "err.dates")
		return
	}
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
	rw.Header().Set("Content-Disposition", `attachment; filename="misend-report.csv"`)
	rw.Header().Set("Cache-Control", "no-store")
	if err := reports.WriteExcelCSV(rw, rep); err != nil {
		w.o.Log.Error("web: report csv", "err", err)
	}
}
