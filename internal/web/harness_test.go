package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/policystore"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
	"github.com/misend/misend/internal/terms"
)

// env is a running web interface over a real SQLite store, a real spool
// and held.Service: nothing stands in for the parts under test.
type env struct {
	t     testing.TB
	db    *store.DB
	auth  *auth.Service
	audit *audit.Log
	q     *queue.Queue
	held  *held.Service
	terms *terms.Store
	// pol is the policy in force, which policies (on the database) sets
	// and a decision path reads.
	pol      *policy.Policy
	policies *policystore.Store
	dir      *directory.Directory
	web      *Web
	srv      *httptest.Server
}

const testPassword = "correct horse battery staple"

var people = []directory.Person{
	{Address: "sato@corp.example", Name: "佐藤 一郎", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
	{Address: "ito@corp.example", Name: "伊藤 花子", Department: "経理部", Roles: []directory.Role{directory.RoleSender}},
	{Address: "boss@corp.example", Name: "Boss Eigyo", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}, Aliases: []string{"eigyo-bucho@corp.example"}},
	{Address: "kei@corp.example", Name: "Kei Keiri", Department: "経理部", Roles: []directory.Role{directory.RoleApprover}},
	{Address: "op@corp.example", Name: "Operator", Department: "情報システム部", Roles: []directory.Role{directory.RoleOperator}},
	{Address: "aud@corp.example", Name: "Auditor", Department: "監査室", Roles: []directory.Role{directory.RoleAuditor}},
	{Address: "root@corp.example", Name: "Root", Department: "情報システム部", Roles: []directory.Role{directory.RoleAdmin}},
}

func newEnv(t testing.TB, mod func(*Options)) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, pgtest.Path(t, dir, "misend.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := directory.Import(ctx, db, people, []string{"corp.example"}); err != nil {
		t.Fatal(err)
	}
	d, err := directory.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, dir: d}
	if e.auth, err = auth.Open(ctx, db, d); err != nil {
		t.Fatal(err)
	}
	if e.audit, err = audit.Open(ctx, db); err != nil {
		t.Fatal(err)
	}
	if e.terms, err = terms.Open(ctx, db); err != nil {
		t.Fatal(err)
	}
	if e.q, err = queue.Open(filepath.Join(dir, "spool")); err != nil {
		t.Fatal(err)
	}
	e.held = &held.Service{Queue: e.q, People: e.auth, Audit: e.audit.BodyReads(), Record: e.audit.HeldActions()}
	o := Options{Auth: e.auth, Audit: e.audit, Held: e.held, Directory: d, DB: db, Terms: e.terms,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if mod != nil {
		mod(&o)
	}
	file := policy.DefaultConfig()
	if o.Policy != nil {
		file = *o.Policy
	}
	e.pol = &policy.Policy{}
	if e.policies, err = policystore.Open(ctx, db, policystore.Options{Policy: e.pol, File: file, Audit: e.audit, Log: o.Log}); err != nil {
		t.Fatal(err)
	}
	o.Policies = e.policies
	if e.web, err = New(o); err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.web)
	t.Cleanup(e.srv.Close)
	return e
}

// session signs addr in (a real session row) and returns its cookie and
// CSRF token.
func (e *env) session(addr string) (cookie, csrf string) {
	e.t.Helper()
	c, s, err := e.auth.StartSession(context.Background(), addr, "password")
	if err != nil {
		e.t.Fatal(err)
	}
	return c, s.CSRF
}

type fixture struct {
	sender, dept, subject string
	state                 queue.State
	to                    []string
	flagged               []string
	findings              []finding.Finding
}

const rawMsg = "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d@corp.example>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0900\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nお世話になっております。見積書の件です。本文マーカー-%d\r\n"

var msgSeq int

// add spools a waiting message as the gateway would.
func (e *env) add(f fixture) string {
	e.t.Helper()
	msgSeq++
	if f.findings == nil {
		f.findings = []finding.Finding{}
	}
	raw := []byte(fmt.Sprintf(rawMsg, f.sender, strings.Join(f.to, ", "), f.subject, msgSeq, msgSeq))
	id, err := e.q.Add(context.Background(), queue.Item{
		Envelope:   queue.Envelope{From: f.sender, To: f.to},
		Outcome:    queue.Outcome{MessageID: "x", Sender: f.sender, Verdict: verdictOf(f.state), Score: 0.8, Findings: f.findings},
		State:      f.state,
		Department: f.dept,
		Subject:    f.subject,
		Flagged:    f.flagged,
	}, raw)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(id)
}

func verdictOf(s queue.State) policy.Verdict {
	switch s {
	case queue.Confirming:
		return policy.Confirm
	case queue.Delayed:
		return policy.Delay
	}
	return policy.Hold
}

// client never follows redirects, so tests see the answer itself.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request with an optional session cookie and returns status
// and body.
func (e *env) do(method, path, cookie string, form url.Values, hdr map[string]string) (int, string, *http.Response) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	resp, err := client.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfIn(html string) string {
	m := csrfRE.FindStringSubmatch(html)
	if m == nil {
		return ""
	}
	return m[1]
}

var _ = time.Second
