package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/reports"
	"github.com/misend/misend/internal/stamp"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
	"github.com/misend/misend/internal/terms"
)

// env is a whole API over real parts: SQLite, the learned model, the
// detector with a confidential list, policy, the spool, held mail, the
// audit, decisions and feedback logs, and tokens from internal/auth.
type env struct {
	t      testing.TB
	srv    *httptest.Server
	db     *store.DB
	svc    *decide.Path
	model  *model.Model
	queue  *queue.Queue
	held   *held.Service
	audit  *audit.Log
	dec    *decisions.Log
	fb     *feedback.Log
	tokens map[string]string // person → bearer token
	now    time.Time
	seq    int
	opts   Options // what the API was made with
}

const secretTerm = "極秘計画"

var people = []directory.Person{
	{Address: "sato@corp.example", Name: "佐藤", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
	{Address: "ueda@corp.example", Name: "上田", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
	{Address: "boss@corp.example", Name: "部長", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}, Aliases: []string{"eigyo-bucho@corp.example"}},
	{Address: "kacho@corp.example", Name: "課長", Department: "開発部", Roles: []directory.Role{directory.RoleApprover}},
	{Address: "ope@corp.example", Name: "Ope", Department: "情報システム部", Roles: []directory.Role{directory.RoleOperator}},
	{Address: "aud@corp.example", Name: "Aud", Department: "監査室", Roles: []directory.Role{directory.RoleAuditor}},
	{Address: "adm@corp.example", Name: "Adm", Department: "情報システム部", Roles: []directory.Role{directory.RoleAdmin}},
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dir := directory.New(people, []string{"corp.example"})
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Department: dir.DepartmentOf})
	// Two months of 佐藤's habits: 田中 and 鈴木 at partner A, together.
	for i := range 60 {
		m.Learn(&mail.Message{MessageID: "h" + string(rune('a'+i%26)) + time.Duration(i).String(), Date: now.AddDate(0, 0, -60+i),
			From:    mail.Address{Addr: "sato@corp.example"},
			To:      []mail.Address{{Name: "田中", Addr: "tanaka@partner-a.example"}, {Name: "鈴木", Addr: "suzuki@partner-a.example"}},
			Subject: "お見積もり", Text: "いつもお世話になっております。"})
	}
	content := terms.NewCheckerFrom(dir, []terms.Term{{Scope: "department:営業部", Text: secretTerm, Weight: 0.9}},
		map[terms.Scope]terms.Rule{"department:営業部": {Scope: "department:営業部", Any: true}}, nil)
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	svc := check.Path(&detect.Detector{Model: m, Content: []detect.ContentChecker{content}}, pol, check.Fixed{Directory: dir})
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	al, err := audit.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := decisions.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dl.Close() })
	fl, err := feedback.Open(ctx, db, m)
	if err != nil {
		t.Fatal(err)
	}
	as, err := auth.Open(ctx, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	hs := &held.Service{Queue: q, People: as, Audit: al.BodyReads(), Record: al.HeldActions(), Changed: fl.HeldChanged, Now: func() time.Time { return now }}
	e := &env{t: t, db: db, svc: svc, model: m, queue: q, held: hs, audit: al, dec: dl, fb: fl, tokens: map[string]string{}, now: now}
	for _, p := range people {
		secret, _, err := as.CreateToken(ctx, p.Address, "test", nil, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[p.Address] = secret
	}
	keys, err := stamp.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	svc.Stamps = keys
	e.opts = Options{Tokens: as, Check: svc, Held: hs, Decisions: dl, Reports: reports.DecisionsTable{DB: db},
		Feedback: fl, Audit: al, Now: func() time.Time { return now }, MaxBody: 64 << 10,
		People: as, Stamps: keys, Origins: []string{"https://misend.corp.example", "https://Outlook.Office.com/"}}
	a := New(e.opts)
	e.srv = httptest.NewServer(a)
	t.Cleanup(e.srv.Close)
	return e
}

// hold puts a message from 佐藤 into the spool as the gateway would.
func (e *env) hold(state queue.State, to ...string) string {
	e.t.Helper()
	return e.holdFrom("sato@corp.example", state, to...)
}

func (e *env) holdFrom(sender string, state queue.State, to ...string) string {
	e.t.Helper()
	e.seq++
	fs := []finding.Finding{
		{Code: finding.SimilarContact, Severity: finding.High, Recipient: to[0], Message: "never mailed before; you often mail tanaka@partner-a.example", Suggestion: "tanaka@partner-a.example"},
		{Code: finding.ConfidentialTerms, Severity: finding.High, Message: "confidential terms of 営業部 leave it", Scope: "department:営業部", Terms: []string{secretTerm}},
	}
	v := policy.Confirm
	if state == queue.Held {
		v = policy.Hold
	}
	id, err := e.queue.Add(context.Background(), queue.Item{
		Envelope:   queue.Envelope{From: sender, To: to},
		Outcome:    queue.Outcome{MessageID: fmt.Sprintf("held-%d@corp.example", e.seq), Sender: sender, Verdict: v, Score: 0.8, Findings: fs},
		State:      state,
		NotBefore:  e.now.Add(5 * time.Minute),
		Department: "営業部",
		Subject:    "お見積もり",
		Flagged:    held.FlaggedRecipients(to, fs),
	}, []byte("From: sato@corp.example\r\nSubject: x\r\n\r\n"+secretTerm+" body\r\n"))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(id)
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("answer %d %q: %v", a.status, a.body, err)
	}
}

// call makes a request as who ("" for no token).
func (e *env) call(who, method, path string, body any) answer {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		tok, ok := e.tokens[who]
		if !ok {
			tok = who // a raw token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func errCode(t *testing.T, a answer) string {
	t.Helper()
	var v struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(a.body, &v); err != nil || v.Error.Code == "" {
		t.Fatalf("error answer %d is not an API error: %q", a.status, a.body)
	}
	return v.Error.Code
}

func decisionFor(it queue.Item, at time.Time) decisions.Record {
	return decisions.Record{At: at, Via: "smtp", MessageID: it.Outcome.MessageID, QueueID: string(it.ID), Sender: it.Outcome.Sender,
		Department: it.Department, Decision: policy.Decision{Verdict: it.Outcome.Verdict, Decided: it.Outcome.Verdict},
		Score: it.Outcome.Score, Findings: it.Outcome.Findings}
}
