package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/reports"
)

// Decision is one recorded decision as the API shows it.
type Decision struct {
	At         time.Time         `json:"at"`
	Via        string            `json:"via"`
	MessageID  string            `json:"message_id"`
	QueueID    string            `json:"queue_id,omitempty"`
	Sender     string            `json:"sender"`
	Department string            `json:"department"`
	Verdict    policy.Verdict    `json:"verdict"`
	Decided    policy.Verdict    `json:"decided"`
	Shadow     bool              `json:"shadow,omitempty"`
	Rule       string            `json:"rule,omitempty"`
	Score      float64           `json:"score"`
	Findings   []finding.Finding `json:"findings"`
}

const (
	defaultDecisions = 100
	maxDecisions     = 1000
	// scanDecisions bounds how many recent decisions are read to find a
	// caller's own: a sender's page may come out short on a busy server.
	scanDecisions = 20000
)

// decisionList returns recent decisions the caller may see, newest first:
// their own as a sender, their departments' as an approver, all for
// operators, auditors and admins. Matched confidential terms are shown only
// to those who may see them.
func (a *API) decisionList(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if a.o.Decisions == nil {
		return errUnavailable("the decisions log")
	}
	q := r.URL.Query()
	limit := defaultDecisions
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxDecisions {
			return errBadRequest("limit must be 1 to " + strconv.Itoa(maxDecisions))
		}
		limit = n
	}
	since := a.o.Now().AddDate(0, 0, -30)
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil || !sane(t) {
			return errBadRequest("since must be an RFC 3339 time between 1970 and 9999")
		}
		since = t
	}
	dept, hasDept := q.Get("department"), q.Has("department")
	if hasDept && !oversees(p) && !p.ApprovesDepartment(dept) {
		return errForbidden("you do not see decisions of that department")
	}
	n := limit
	if !oversees(p) || hasDept {
		n = scanDecisions
	}
	lang, err := langOf(r)
	if err != nil {
		return err
	}
	recs, err := a.o.Decisions.Recent(r.Context(), since, n)
	if err != nil {
		return err
	}
	out := []Decision{}
	for _, rec := range recs {
		if len(out) == limit {
			break
		}
		mine := strings.EqualFold(rec.Sender, p.Address)
		approves := p.ApprovesDepartment(rec.Department)
		if hasDept && rec.Department != dept || !mine && !approves && !oversees(p) {
			continue
		}
		fs := rec.Findings
		if !approves && !oversees(p) {
			fs = finding.SenderView(fs)
		}
		if fs == nil {
			fs = []finding.Finding{}
		}
		fs = localized(fs, lang)
		out = append(out, Decision{At: rec.At.UTC(), Via: rec.Via, MessageID: rec.MessageID, QueueID: rec.QueueID,
			Sender: rec.Sender, Department: rec.Department, Verdict: rec.Decision.Verdict, Decided: rec.Decision.Decided,
			Shadow: rec.Decision.Shadow, Rule: rec.Decision.Rule, Score: rec.Score, Findings: fs})
	}
	return writeJSON(w, http.StatusOK, struct {
		Decisions []Decision `json:"decisions"`
	}{out})
}

var _ DecisionLog = (*decisions.Log)(nil)

// reportQuery reads ?since=&until= (RFC 3339; default the last 30 days),
// ?bucket= (hour, day, week, month), ?tz= (an IANA zone) and ?department=
// (repeatable), limited to the departments the caller may see.
func (a *API) reportQuery(r *http.Request, p *auth.Principal) (reports.Query, error) {
	q := r.URL.Query()
	loc := a.o.Location
	if tz := q.Get("tz"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil || len(tz) > 64 {
			return reports.Query{}, errBadRequest("tz must be a time zone name such as Asia/Tokyo")
		}
		loc = l
	}
	until := a.o.Now()
	if s := q.Get("until"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return reports.Query{}, errBadRequest("until must be an RFC 3339 time")
		}
		until = t
	}
	since := until.AddDate(0, 0, -30)
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return reports.Query{}, errBadRequest("since must be an RFC 3339 time")
		}
		since = t
	}
	if !sane(since) || !sane(until) {
		return reports.Query{}, errBadRequest("since and until must lie between 1970 and 9999")
	}
	rq := reports.Query{Since: since, Until: until, Bucket: reports.Bucket(q.Get("bucket")), Location: loc}
	asked := q["department"]
	for _, d := range asked {
		if !oversees(p) && !p.ApprovesDepartment(d) {
			return reports.Query{}, errForbidden("you do not see reports of department " + strconv.Quote(d))
		}
	}
	switch {
	case len(asked) > 0:
		rq.Departments = asked
	case oversees(p) || p.ApprovesOrganization:
		// every department
	default:
		rq.Departments = slices.Clone(p.Departments)
		if rq.Departments == nil {
			rq.Departments = []string{}
		}
	}
	return rq, nil
}

func (a *API) buildReport(r *http.Request, p *auth.Principal) (*reports.Report, error) {
	if a.o.Reports == nil {
		return nil, errUnavailable("reporting")
	}
	rq, err := a.reportQuery(r, p)
	if err != nil {
		return nil, err
	}
	if f, ok := a.o.Decisions.(interface{ Flush() }); ok {
		f.Flush()
	}
	var fb reports.Feedback
	if a.o.Feedback != nil {
		fb = a.o.Feedback
	}
	rep, err := reports.Build(r.Context(), a.o.Reports, fb, rq)
	if err != nil {
		if errors.Is(err, reports.ErrQuery) {
			return nil, errBadRequest(err.Error())
		}
		return nil, err
	}
	return rep, nil
}

func (a *API) report(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rep, err := a.buildReport(r, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

func (a *API) reportCSV(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rep, err := a.buildReport(r, p)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="misend-report.csv"`)
	return reports.WriteCSV(w, rep)
}

// sane bounds times people may ask about: JSON cannot carry years past
// 9999, and nothing was decided before 1970.
func sane(t time.Time) bool { return t.Year() >= 1970 && t.Year() <= 9999 }
