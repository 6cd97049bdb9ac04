package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/misend/misend/internal/queue"
)

// Every route × every kind of caller gets exactly the allowed answer,
// against the real handler, tokens, spool and SQLite.
func TestAuthorisationMatrix(t *testing.T) {
	e := newEnv(t)
	const (
		anon  = ""
		bad   = "msd_not-a-token"
		sato  = "sato@corp.example"  // sender of the held mail, 営業部
		ueda  = "ueda@corp.example"  // another sender of 営業部
		boss  = "boss@corp.example"  // approver of 営業部
		kacho = "kacho@corp.example" // approver of 開発部
		ope   = "ope@corp.example"
		aud   = "aud@corp.example"
		adm   = "adm@corp.example" // approves the organisation: no approver is named for it
	)
	callers := []string{anon, bad, sato, ueda, boss, kacho, ope, aud, adm}
	// want lists the status for each caller, in the order above.
	type row struct {
		method, path string
		state        queue.State // a fresh message in this state for {id}
		body         any
		want         [9]int
	}
	const (
		ok = http.StatusOK
		cr = http.StatusCreated
		un = http.StatusUnauthorized
		fb = http.StatusForbidden
		nf = http.StatusNotFound
	)
	draft := func(from string) map[string]any {
		return map[string]any{"to": []string{"tanaka@partner-a.example"}, "subject": "s", "body": "b"}
	}
	rows := []row{
		{"GET", "/api/v1/openapi.json", "", nil, [9]int{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/api/v1/me", "", nil, [9]int{un, un, ok, ok, ok, ok, ok, ok, ok}},
		{"POST", "/api/v1/check", "", draft(""), [9]int{un, un, ok, ok, ok, ok, ok, ok, ok}},
		{"POST", "/api/v1/check?view=operator", "", draft(""), [9]int{un, un, fb, fb, fb, fb, ok, fb, fb}},
		{"GET", "/api/v1/held", "", nil, [9]int{un, un, ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/api/v1/held?scope=department", "", nil, [9]int{un, un, fb, fb, ok, ok, fb, fb, ok}},
		{"GET", "/api/v1/held?scope=department&department=営業部", "", nil, [9]int{un, un, fb, fb, ok, fb, fb, fb, ok}},
		{"GET", "/api/v1/held?scope=all", "", nil, [9]int{un, un, fb, fb, fb, fb, ok, ok, ok}},
		{"GET", "/api/v1/held/{id}", queue.Held, nil, [9]int{un, un, ok, nf, ok, nf, ok, ok, ok}},
		{"GET", "/api/v1/held/{id}/body", queue.Held, nil, [9]int{un, un, ok, nf, ok, nf, fb, fb, ok}},
		{"POST", "/api/v1/held/{id}/confirm", queue.Confirming, map[string]any{"recipient": "tanaka@partner-b.example"}, [9]int{un, un, ok, nf, fb, nf, fb, fb, fb}},
		{"POST", "/api/v1/held/{id}/drop", queue.Confirming, map[string]any{"recipient": "tanaka@partner-b.example"}, [9]int{un, un, ok, nf, fb, nf, fb, fb, fb}},
		{"POST", "/api/v1/held/{id}/cancel", queue.Confirming, nil, [9]int{un, un, ok, nf, fb, nf, fb, fb, fb}},
		{"POST", "/api/v1/held/{id}/release", queue.Held, nil, [9]int{un, un, fb, nf, ok, nf, fb, fb, ok}},
		{"POST", "/api/v1/held/{id}/release", queue.Delayed, nil, [9]int{un, un, ok, nf, ok, nf, fb, fb, ok}},
		{"POST", "/api/v1/held/{id}/reject", queue.Held, map[string]any{"comment": "wrong company"}, [9]int{un, un, fb, fb, ok, nf, fb, fb, ok}},
		{"GET", "/api/v1/decisions", "", nil, [9]int{un, un, ok, ok, ok, ok, ok, ok, ok}},
		{"GET", "/api/v1/decisions?department=営業部", "", nil, [9]int{un, un, fb, fb, ok, fb, ok, ok, ok}},
		{"GET", "/api/v1/reports", "", nil, [9]int{un, un, fb, fb, ok, ok, ok, ok, ok}},
		{"GET", "/api/v1/reports?department=営業部", "", nil, [9]int{un, un, fb, fb, ok, fb, ok, ok, ok}},
		{"GET", "/api/v1/reports.csv", "", nil, [9]int{un, un, fb, fb, ok, ok, ok, ok, ok}},
		{"POST", "/api/v1/feedback", "", map[string]any{"message_id": "m1@corp.example", "kind": "reported"}, [9]int{un, un, cr, cr, cr, cr, cr, cr, cr}},
		{"POST", "/api/v1/confirmations", "", map[string]any{"draft_id": "d1@outlook.misend.invalid", "recipients": []string{"tanaka@partner-b.example"}}, [9]int{un, un, cr, cr, cr, cr, cr, cr, cr}},
	}
	covered := map[string]bool{}
	for _, rw := range rows {
		covered[rw.method+" "+strings.SplitN(rw.path, "?", 2)[0]] = true
		for i, who := range callers {
			path := rw.path
			if rw.state != "" {
				path = strings.Replace(path, "{id}", e.hold(rw.state, "tanaka@partner-b.example", "suzuki@partner-a.example"), 1)
			}
			path = strings.ReplaceAll(path, "営業部", "%E5%96%B6%E6%A5%AD%E9%83%A8")
			a := e.call(who, rw.method, path, rw.body)
			name := fmt.Sprintf("%s %s %s as %q", rw.method, rw.path, rw.state, who)
			if a.status != rw.want[i] {
				t.Errorf("%s: %d %s, want %d", name, a.status, a.body, rw.want[i])
				continue
			}
			if a.status >= 400 {
				errCode(t, a) // every refusal is an API error with a code
			}
			if a.status == un && a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", name)
			}
		}
	}
	// Four eyes: an approver cannot release their own held mail, another
	// approver of the department can.
	own := e.holdFrom(boss, queue.Held, "x@partner-z.example")
	if a := e.call(boss, "POST", "/api/v1/held/"+own+"/release", nil); a.status != fb {
		t.Errorf("approver releasing own held mail: %d %s", a.status, a.body)
	}
	if a := e.call(adm, "POST", "/api/v1/held/"+own+"/release", nil); a.status != ok {
		t.Errorf("another approver releasing it: %d %s", a.status, a.body)
	}
	for _, rt := range routes {
		if !covered[rt.method+" "+rt.path] {
			t.Errorf("route %s %s is not in the authorisation table", rt.method, rt.path)
		}
	}
}
