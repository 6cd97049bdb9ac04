package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/smtp"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/server"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

// holdAll holds every message for 営業部's approver.
type holdAll struct{}

func (holdAll) Decide(ctx context.Context, env decide.Envelope, raw []byte) decide.Result {
	return decide.Result{Sender: env.From, Department: "営業部",
		Decision: policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "test"}, Score: 0.95,
		Findings: []finding.Finding{{Code: finding.LookalikeDomain, Severity: finding.High, Recipient: env.To[0], Message: "looks like partner-a.example"}}}
}

// TestServeWebUI runs the gateway with the web UI and API wired as misend
// serve wires them: mail held over SMTP shows up for the department's
// approver, who reads it (audited) and releases it, on the one HTTP
// listener that also serves /metrics and the API.
func TestServeWebUI(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	db, err := store.Open(ctx, pgtest.Path(t, tmp, "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	people := []directory.Person{
		{Address: "sato@corp.example", Name: "Sato", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
		{Address: "boss@corp.example", Name: "Boss", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}},
	}
	if err := directory.Import(ctx, db, people, []string{"corp.example"}); err != nil {
		t.Fatal(err)
	}
	dir, _ := directory.Load(ctx, db)
	a, _ := auth.Open(ctx, db, dir)
	const pw = "a long enough password"
	if err := a.AddAccount(ctx, "boss@corp.example", pw, nil); err != nil {
		t.Fatal(err)
	}
	dlog, _ := decisions.Open(ctx, db)
	defer dlog.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := server.Options{SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", SpoolDir: filepath.Join(tmp, "spool"),
		Upstream: relay.Client{Addr: "127.0.0.1:1"}, Decide: holdAll{}, Decisions: dlog, Log: log}
	pcfg := policy.DefaultConfig()
	var wf webFlags
	if err := wf.webOptions(ctx, &o, db, nil, &pcfg, dlog, dir, "", log); err != nil {
		t.Fatal(err)
	}
	s, err := server.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(ctx)
	msg := "From: sato@corp.example\r\nTo: tanaka@partner-a.example.com\r\nSubject: quotation\r\nMessage-ID: <q1@corp.example>\r\n\r\nthe quotation, body-marker\r\n"
	if err := smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", []string{"tanaka@partner-a.example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	held := s.Queue.List(queue.Held)
	if len(held) != 1 {
		t.Fatalf("%d held", len(held))
	}
	id := string(held[0].ID)

	base := "http://" + s.HTTP.String()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(path string) (int, string) {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	_, page := get("/login?next=/approvals")
	resp, err := c.PostForm(base+"/login", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "address": {"boss@corp.example"}, "password": {pw}, "next": {"/approvals"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page = string(b)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "quotation") || !strings.Contains(page, "looks like partner-a.example") {
		t.Fatalf("approvals after sign-in: %d\n%.500s", resp.StatusCode, page)
	}
	if s, body := get("/approvals/" + id + "/body"); s != http.StatusOK || !strings.Contains(body, "body-marker") {
		t.Fatalf("body: %d", s)
	}
	alog, _ := audit.Open(ctx, db)
	if v, _ := alog.Query(ctx, audit.Filter{Action: audit.ViewBody, Target: id}); len(v) != 1 || v[0].Actor != "boss@corp.example" {
		t.Fatalf("body view audit: %+v", v)
	}
	resp, err = c.PostForm(base+"/approvals/"+id+"/release", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "comment": {"checked"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if it, _ := s.Queue.Get(queue.ID(id)); it.State == queue.Held || it.By != "boss@corp.example" {
		t.Fatalf("after release: %s by %q", it.State, it.By)
	}
	for _, p := range []string{"/metrics", "/api/v1/openapi.json", "/static/htmx.min.js", "/addin/outlook/launchevent.js", "/addin/outlook/commands.html"} {
		if s, _ := get(p); s != http.StatusOK {
			t.Errorf("%s: %d", p, s)
		}
	}
	if s, _ := get("/api/v1/me"); s != http.StatusUnauthorized {
		t.Errorf("/api/v1/me without a token: %d", s)
	}
}
