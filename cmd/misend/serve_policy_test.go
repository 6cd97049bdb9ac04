package main

import (
	"context"
	"fmt"
	"io"
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
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/store/pgtest"
)

// TestServePolicyEditedLive: two `misend serve` replicas on one database.
// An administrator changes the policy on one replica's web page; the next
// message through that replica's SMTP gateway is decided by the new
// policy, so is the next one through the other replica once it has looked
// (within seconds), and neither restarted. The change is in the audit log
// with before and after, and `misend check` and a replica started
// afterwards use it.
func TestServePolicyEditedLive(t *testing.T) {
	defer func(d time.Duration) { policyFollowEvery = d }(policyFollowEvery)
	policyFollowEvery = 100 * time.Millisecond
	ctx := context.Background()
	dbPath := pgtest.Path(t, t.TempDir(), "m.db")
	if !strings.Contains(dbPath, "://") {
		dbPath = filepath.Join(t.TempDir(), "shared.db")
	}
	people := []directory.Person{
		{Address: "sato@corp.example", Name: "Sato", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
		{Address: "root@corp.example", Name: "Root", Department: "情報システム部", Roles: []directory.Role{directory.RoleAdmin}},
	}
	a := startServedOn(t, dbPath, people, "127.0.0.1:0")
	b := startServedOn(t, dbPath, people, "")
	dir, err := directory.Load(ctx, a.db)
	if err != nil {
		t.Fatal(err)
	}
	as, err := auth.Open(ctx, a.db, dir)
	if err != nil {
		t.Fatal(err)
	}
	const pw = "a long enough password"
	if err := as.AddAccount(ctx, "root@corp.example", pw, nil); err != nil {
		t.Fatal(err)
	}
	n := 0
	send := func(via *served, to string) {
		t.Helper()
		n++
		msg := fmt.Sprintf("From: sato@corp.example\r\nTo: %s\r\nSubject: ご挨拶 %d\r\nMessage-ID: <p%d@corp.example>\r\n\r\nはじめまして。\r\n", to, n, n)
		if err := smtp.SendMail(via.SMTP.String(), nil, "sato@corp.example", []string{to}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	heldCount := func(s *served) int { return len(s.Queue.List(queue.Held)) }

	send(a, "kimura@newco.example")
	send(b, "kimura@newco.example")
	if heldCount(a)+heldCount(b) != 0 {
		t.Fatal("held before any change")
	}

	// The administrator signs in on replica a and holds 営業部's mail to
	// new domains.
	base := "http://" + a.HTTP.String()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	csrfRE := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	baseRE := regexp.MustCompile(`name="base" value="(\d+)"`)
	page := func(path string) string {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	login := page("/login")
	if resp, err := c.PostForm(base+"/login", url.Values{"csrf": {csrfRE.FindStringSubmatch(login)[1]}, "address": {"root@corp.example"}, "password": {pw}, "next": {"/policy"}}); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	post := func(path string, form url.Values) {
		t.Helper()
		p := page("/policy")
		if csrfRE.FindStringSubmatch(p) == nil || baseRE.FindStringSubmatch(p) == nil {
			t.Fatalf("no policy form:\n%.500s", p)
		}
		form.Set("csrf", csrfRE.FindStringSubmatch(p)[1])
		form.Set("base", baseRE.FindStringSubmatch(p)[1])
		resp, err := c.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Saved.") {
			t.Fatalf("POST %s: %d\n%.800s", path, resp.StatusCode, body)
		}
	}
	start := time.Now()
	post("/policy/rules", url.Values{"dept": {"営業部"}, "add": {"1"}})
	post("/policy/rules", url.Values{"dept": {"営業部"}, "code.NEW_DOMAIN": {"hold"}, "shadow": {"off"}})

	// The next message through replica a is held: no restart.
	send(a, "suzuki@another.example")
	if heldCount(a) != 1 {
		t.Fatalf("replica a: %d held after the change, want 1", heldCount(a))
	}
	// Replica b follows within seconds.
	probe := []byte("From: sato@corp.example\r\nTo: x@third.example\r\nSubject: probe\r\nMessage-ID: <probe@corp.example>\r\n\r\nx\r\n")
	for b.decide.Decide(ctx, decide.Envelope{From: "sato@corp.example", To: []string{"x@third.example"}}, probe).Decision.Verdict != policy.Hold {
		if time.Since(start) > 10*time.Second {
			t.Fatal("replica b never used the new policy")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("replica b decided with the new policy %v after the change", time.Since(start).Round(time.Millisecond))
	send(b, "tanaka@fourth.example")
	if heldCount(b) != 1 {
		t.Fatalf("replica b: %d held, want 1", heldCount(b))
	}

	// Audited with who, before and after.
	alog, _ := audit.Open(ctx, a.db)
	es, err := alog.Query(ctx, audit.Filter{Action: audit.PolicyChange})
	if err != nil || len(es) != 2 || es[0].Actor != "root@corp.example" || !strings.Contains(es[0].Detail, `department."営業部".codes.NEW_DOMAIN: – → hold`) {
		t.Fatalf("audit: %+v %v", es, err)
	}
	// The export names the version.
	if p := page("/policy/export.toml"); !strings.Contains(p, "version 2, saved by root@corp.example") || !strings.Contains(p, "NEW_DOMAIN = 'hold'") {
		t.Errorf("export:\n%s", p)
	}
	// `misend check` decides with it too.
	cp, err := checkService(ctx, &Globals{DB: dbPath, OrgDomain: []string{"corp.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cp.Decide(ctx, decide.Envelope{From: "sato@corp.example", To: []string{"x@third.example"}}, probe).Decision; d.Verdict != policy.Hold {
		t.Errorf("misend check after the change: %+v", d)
	}
	// A replica started now, from the same file configuration, uses it.
	c3 := startServedOn(t, dbPath, people, "")
	if d := c3.decide.Decide(ctx, decide.Envelope{From: "sato@corp.example", To: []string{"x@third.example"}}, probe).Decision; d.Verdict != policy.Hold {
		t.Errorf("a replica started after the change: %+v", d)
	}
}
