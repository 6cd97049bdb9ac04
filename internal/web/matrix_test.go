package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/terms"
)

// who are the principals of the matrix, by directory address; "" is
// anonymous.
var who = []struct{ name, addr string }{
	{"anon", ""},
	{"sato", "sato@corp.example"}, // sender, 営業部
	{"ito", "ito@corp.example"},   // sender, 経理部
	{"boss", "boss@corp.example"}, // approver of 営業部
	{"kei", "kei@corp.example"},   // approver of 経理部
	{"op", "op@corp.example"},     // operator
	{"aud", "aud@corp.example"},   // auditor
	{"root", "root@corp.example"}, // admin (the organisation's approver: none is named)
}

// codes lists expected statuses in the order of who.
type codes [8]int

const (
	ok   = http.StatusOK
	see  = http.StatusSeeOther
	bad  = http.StatusBadRequest
	unau = http.StatusUnauthorized
	forb = http.StatusForbidden
	nf   = http.StatusNotFound
)

// TestAuthorisationMatrix sends every route as every role and checks the
// exact answer. Each cell gets fresh objects (messages, proposals) and a
// fresh session, so no cell depends on another.
func TestAuthorisationMatrix(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	flag := finding.Finding{Code: finding.NewDomain, Severity: finding.Medium, Recipient: "tanaka@partner-b.example", Message: "you have never mailed this domain"}
	fixtures := map[string]func() string{
		// sato's message waiting for his confirmation.
		"confirming": func() string {
			return e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "見積", state: queue.Confirming,
				to: []string{"tanaka@partner-b.example", "suzuki@partner-a.example"}, flagged: []string{"tanaka@partner-b.example"}, findings: []finding.Finding{flag}})
		},
		// sato's message held for 営業部's approver.
		"held-eigyo": func() string {
			return e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "契約", state: queue.Held, to: []string{"x@partner-c.example"}})
		},
		// ito's message held for 経理部's approver.
		"held-keiri": func() string {
			return e.add(fixture{sender: "ito@corp.example", dept: "経理部", subject: "請求", state: queue.Held, to: []string{"y@partner-d.example"}})
		},
		// a pending proposal for 営業部's list.
		"change": func() string {
			id, err := e.terms.Propose(ctx, e.dir, terms.Change{Scope: "department:営業部", Action: terms.ActionAdd, Term: fmt.Sprintf("案件%d", msgSeq), Weight: 0.5, ProposedBy: "op@corp.example"})
			msgSeq++
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(id)
		},
	}
	badCSV := func() (string, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("csv", "people.csv")
		fw.Write([]byte("address,name,department,groups,roles\nnot-an-address,X,営業部,,sender\n"))
		return b.String(), mw.FormDataContentType()
	}
	rows := []struct {
		method, path string
		fixture      string // replaces {id}
		form         url.Values
		multipart    bool
		want         codes
	}{
		//                                                                      anon  sato  ito   boss  kei   op    aud   root
		{method: "GET", path: "/login", want: codes{ok, see, see, see, see, see, see, see}},
		{method: "GET", path: "/", want: codes{see, see, see, see, see, see, see, see}},
		{method: "GET", path: "/static/app.css", want: codes{ok, ok, ok, ok, ok, ok, ok, ok}},
		{method: "GET", path: "/static/htmx.min.js", want: codes{ok, ok, ok, ok, ok, ok, ok, ok}},
		{method: "GET", path: "/nowhere", want: codes{nf, nf, nf, nf, nf, nf, nf, nf}},
		{method: "GET", path: "/auth/oidc", want: codes{nf, nf, nf, nf, nf, nf, nf, nf}},
		{method: "GET", path: "/lang?lang=ja&next=/held", want: codes{see, see, see, see, see, see, see, see}},
		{method: "POST", path: "/lang", form: url.Values{"lang": {"ja"}}, want: codes{unau, see, see, see, see, see, see, see}},
		{method: "POST", path: "/logout", want: codes{unau, see, see, see, see, see, see, see}},

		{method: "GET", path: "/held", want: codes{see, ok, ok, ok, ok, ok, ok, ok}},
		{method: "GET", path: "/held/{id}/body", fixture: "confirming", want: codes{see, ok, nf, nf, nf, nf, nf, nf}},
		{method: "GET", path: "/held/{id}/body", fixture: "held-eigyo", want: codes{see, ok, nf, nf, nf, nf, nf, nf}},
		{method: "GET", path: "/held/{id}/body", fixture: "held-keiri", want: codes{see, nf, ok, nf, nf, nf, nf, nf}},
		{method: "POST", path: "/held/{id}/confirm", fixture: "confirming", form: url.Values{"rcpt": {"tanaka@partner-b.example"}}, want: codes{unau, see, nf, nf, nf, nf, nf, nf}},
		{method: "POST", path: "/held/{id}/confirm", fixture: "confirming", form: url.Values{"rcpt": {"suzuki@partner-a.example"}}, want: codes{unau, bad, nf, nf, nf, nf, nf, nf}},
		{method: "POST", path: "/held/{id}/confirm", fixture: "confirming", form: url.Values{}, want: codes{unau, bad, nf, nf, nf, nf, nf, nf}},
		{method: "POST", path: "/held/{id}/confirm", fixture: "held-eigyo", form: url.Values{"rcpt": {"x@partner-c.example"}}, want: codes{unau, http.StatusConflict, nf, nf, nf, nf, nf, nf}},
		{method: "POST", path: "/held/{id}/drop", fixture: "confirming", form: url.Values{"rcpt": {"tanaka@partner-b.example"}}, want: codes{unau, see, nf, nf, nf, nf, nf, nf}},
		{method: "POST", path: "/held/{id}/drop", fixture: "confirming", form: url.Values{"rcpt": {"nobody@else.example"}}, want: codes{unau, bad, nf, nf, nf, nf, nf, nf}},
		{method: "POST", path: "/held/{id}/cancel", fixture: "held-eigyo", want: codes{unau, see, nf, nf, nf, nf, nf, nf}},
		{method: "POST", path: "/held/{id}/cancel", fixture: "held-keiri", want: codes{unau, nf, see, nf, nf, nf, nf, nf}},

		{method: "GET", path: "/approvals", want: codes{see, forb, forb, ok, ok, forb, forb, ok}},
		{method: "GET", path: "/approvals/{id}/body", fixture: "held-eigyo", want: codes{see, forb, forb, ok, nf, forb, forb, ok}},
		{method: "GET", path: "/approvals/{id}/body", fixture: "held-keiri", want: codes{see, forb, forb, nf, ok, forb, forb, ok}},
		{method: "GET", path: "/approvals/{id}/body", fixture: "confirming", want: codes{see, forb, forb, nf, nf, forb, forb, nf}},
		{method: "POST", path: "/approvals/{id}/release", fixture: "held-eigyo", want: codes{unau, forb, forb, see, nf, forb, forb, see}},
		{method: "POST", path: "/approvals/{id}/release", fixture: "held-keiri", want: codes{unau, forb, forb, nf, see, forb, forb, see}},
		{method: "POST", path: "/approvals/{id}/release", fixture: "confirming", want: codes{unau, forb, forb, nf, nf, forb, forb, nf}},
		{method: "POST", path: "/approvals/{id}/reject", fixture: "held-eigyo", form: url.Values{"comment": {"宛先が違います"}}, want: codes{unau, forb, forb, see, nf, forb, forb, see}},
		{method: "POST", path: "/approvals/{id}/reject", fixture: "held-eigyo", form: url.Values{"comment": {""}}, want: codes{unau, forb, forb, bad, nf, forb, forb, bad}},

		{method: "GET", path: "/terms", want: codes{see, forb, forb, ok, ok, ok, forb, ok}},
		{method: "GET", path: "/terms?scope=department:営業部", want: codes{see, forb, forb, ok, nf, ok, forb, ok}},
		{method: "GET", path: "/terms/recommend", want: codes{see, forb, forb, forb, forb, ok, forb, ok}},
		{method: "GET", path: "/terms/recommend?scope=department:営業部", want: codes{see, forb, forb, forb, forb, ok, forb, ok}},
		{method: "POST", path: "/terms/propose", form: url.Values{"scope": {"department:営業部"}, "action": {"add"}, "term": {"新製品X"}, "weight": {"0.6"}}, want: codes{unau, forb, forb, forb, forb, see, forb, see}},
		{method: "POST", path: "/terms/propose", form: url.Values{"scope": {"department:営業部"}, "action": {"add"}, "term": {"新製品X"}, "weight": {"1.5"}}, want: codes{unau, forb, forb, forb, forb, bad, forb, bad}},
		{method: "POST", path: "/terms/changes/{id}/approve", fixture: "change", form: url.Values{"note": {"ok"}}, want: codes{unau, forb, forb, see, nf, forb, forb, nf}},
		{method: "POST", path: "/terms/changes/{id}/reject", fixture: "change", want: codes{unau, forb, forb, see, nf, forb, forb, nf}},
		{method: "POST", path: "/terms/changes/999999/approve", want: codes{unau, forb, forb, nf, nf, forb, forb, nf}},

		{method: "GET", path: "/directory", want: codes{see, forb, forb, forb, forb, ok, forb, ok}},
		{method: "POST", path: "/directory/import", multipart: true, want: codes{unau, forb, forb, forb, forb, forb, forb, bad}},
		{method: "GET", path: "/policy", want: codes{see, forb, forb, ok, ok, ok, ok, ok}},
		{method: "GET", path: "/policy/export.toml", want: codes{see, forb, forb, ok, ok, ok, ok, ok}},
		// No change in the matrix succeeds, so the version stays 0.
		{method: "POST", path: "/policy/rules", form: url.Values{"base": {"0"}, "band.hold": {"2"}}, want: codes{unau, forb, forb, forb, forb, forb, forb, bad}},
		{method: "POST", path: "/policy/rules", form: url.Values{"base": {"7"}, "band.hold": {"0.8"}}, want: codes{unau, forb, forb, forb, forb, forb, forb, http.StatusConflict}},
		{method: "POST", path: "/policy/lists", form: url.Values{"base": {"0"}, "trusted_domains": {"gmail.com"}}, want: codes{unau, forb, forb, forb, forb, forb, forb, bad}},
		{method: "POST", path: "/policy/remove", form: url.Values{"base": {"0"}, "dept": {"営業部"}}, want: codes{unau, forb, forb, forb, forb, forb, forb, bad}},
		{method: "POST", path: "/policy/reset", form: url.Values{"base": {"0"}}, want: codes{unau, forb, forb, forb, forb, forb, forb, see}},
		{method: "GET", path: "/reports", want: codes{see, ok, ok, ok, ok, ok, ok, ok}},
		{method: "GET", path: "/reports.csv", want: codes{see, bad, bad, bad, bad, bad, bad, bad}}, // no decisions source configured
		{method: "GET", path: "/audit", want: codes{see, forb, forb, forb, forb, forb, ok, ok}},
		{method: "GET", path: "/audit?since=yesterday", want: codes{see, forb, forb, forb, forb, forb, bad, bad}},
	}
	bodyViews := 0
	for _, row := range rows {
		for i, p := range who {
			name := fmt.Sprintf("%s %s as %s", row.method, row.path, p.name)
			path := row.path
			if row.fixture != "" {
				path = strings.ReplaceAll(path, "{id}", fixtures[row.fixture]())
			}
			cookie, csrf := "", ""
			if p.addr != "" {
				cookie, csrf = e.session(p.addr)
			}
			var status int
			var body string
			switch {
			case row.multipart:
				b, ct := badCSV()
				status, body = e.post(path, cookie, csrf, b, ct)
			case row.method == "POST":
				f := url.Values{}
				for k, v := range row.form {
					f[k] = v
				}
				if csrf != "" {
					f.Set("csrf", csrf)
				}
				status, body, _ = e.do("POST", path, cookie, f, nil)
			default:
				status, body, _ = e.do(row.method, path, cookie, nil, nil)
			}
			if status != row.want[i] {
				t.Errorf("%s: %d, want %d\n%.300s", name, status, row.want[i], body)
			}
			if status == ok && strings.Contains(path, "/body") {
				bodyViews++
				if !strings.Contains(body, "本文マーカー-") {
					t.Errorf("%s: body not shown", name)
				}
			}
			if status != ok && strings.Contains(body, "本文マーカー-") {
				t.Errorf("%s: refused, yet the body leaked", name)
			}
		}
	}
	// Every body shown was written to the audit log first.
	views, err := e.audit.Query(ctx, audit.Filter{Action: audit.ViewBody, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != bodyViews || bodyViews == 0 {
		t.Errorf("%d body views shown, %d in the audit log", bodyViews, len(views))
	}
}

// post sends a raw body with a content type (multipart uploads).
func (e *env) post(path, cookie, csrf, body, ct string) (int, string) {
	e.t.Helper()
	r, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		r.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := client.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}
