package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/reports"
	"github.com/misend/misend/internal/terms"
)

// TestPagesInBothLanguages renders every page in English and Japanese and
// fails on any text key without a translation and on pages missing the
// landmarks keyboard and screen-reader users rely on.
func TestPagesInBothLanguages(t *testing.T) {
	var mu sync.Mutex
	missing := map[string]bool{}
	missingKey = func(k string) { mu.Lock(); missing[k] = true; mu.Unlock() }
	defer func() { missingKey = nil }()
	for k, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("message %q lacks a language", k)
		}
	}

	e := newEnv(t, nil)
	ctx := context.Background()
	dl, err := decisions.Open(ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	dl.Close()
	e.web.o.Decisions = reports.DecisionsTable{DB: e.db}
	if err := e.terms.Add(ctx, "department:営業部", "極秘", 0.9, "op@corp.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.terms.Propose(ctx, e.dir, terms.Change{Scope: "department:営業部", Action: terms.ActionRemove, Term: "極秘", ProposedBy: "op@corp.example"}); err != nil {
		t.Fatal(err)
	}
	var codes []finding.Finding
	for _, c := range []finding.Code{finding.NewRecipient, finding.NewDomain, finding.SimilarContact, finding.LookalikeDomain, finding.UnusualCombination,
		finding.ExternalInInternalThread, finding.CrossCompany, finding.BccRecommended, finding.GreetingMismatch, finding.FreemailRecipient,
		finding.UnusualVolume, finding.UnusualTime, finding.ConfidentialTerms, finding.PersonalData, finding.ParseProblem} {
		codes = append(codes, finding.Finding{Code: c, Severity: finding.Low, Recipient: "a@x.example", Message: "m"})
	}
	for _, st := range []queue.State{queue.Confirming, queue.Held, queue.Delayed} {
		e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "件名", state: st, to: []string{"a@x.example", "b@y.example"}, flagged: []string{"a@x.example"}, findings: codes})
	}
	hid := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "件名", state: queue.Held, to: []string{"a@x.example"}})
	pages := map[string][]string{
		"sato@corp.example": {"/held", "/held/" + hid + "/body", "/reports"},
		"boss@corp.example": {"/approvals", "/approvals/" + hid + "/body", "/terms", "/reports"},
		"op@corp.example":   {"/terms", "/terms?scope=department:営業部", "/terms/recommend", "/terms/recommend?scope=department:営業部", "/directory", "/directory?q=sato", "/policy", "/reports?bucket=week"},
		"root@corp.example": {"/audit", "/audit?action=view-body", "/directory", "/policy", "/approvals", "/reports?bucket=month"},
	}
	landmarks := regexp.MustCompile(`(?s)<html lang="(en|ja)">.*<a class="skip" href="#main">.*<nav aria-label=.*<main id="main".*<h1>.+</h1>`)
	for _, lang := range []string{"en", "ja"} {
		for who, paths := range pages {
			c, _ := e.session(who)
			for _, p := range paths {
				s, body, _ := e.do("GET", p, c, nil, map[string]string{"Accept-Language": lang + ";q=0.9"})
				if s != http.StatusOK {
					t.Errorf("%s %s as %s: %d", lang, p, who, s)
					continue
				}
				if !landmarks.MatchString(body) || !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Errorf("%s %s: page lacks language or landmarks", lang, p)
				}
				if strings.Contains(body, "//cdn") || strings.Contains(body, "https://") {
					t.Errorf("%s %s: page refers to another site", lang, p)
				}
			}
		}
	}
	for _, p := range []string{"/login", "/nowhere"} {
		for _, lang := range []string{"en", "ja"} {
			e.do("GET", p, "", nil, map[string]string{"Accept-Language": lang})
		}
	}
	for k := range missing {
		t.Errorf("no text for key %q", k)
	}
}

func TestAcceptLanguage(t *testing.T) {
	for h, want := range map[string]string{
		"":                                "en",
		"ja":                              "ja",
		"ja-JP,ja;q=0.9,en-US;q=0.8":      "ja",
		"en-US,en;q=0.9,ja;q=0.8":         "en",
		"fr, ja;q=0.5":                    "ja",
		"de":                              "en",
		"ja;q=0, en;q=0.1":                "en",
		"ja;q=bogus, en;q=0.2":            "en",
		strings.Repeat("x,", 1000) + "ja": "en",
	} {
		if got := fromAcceptLanguage(h); got != want {
			t.Errorf("%q: %s, want %s", h, got, want)
		}
	}
}

func TestNiceMax(t *testing.T) {
	for m, want := range map[int]int{0: 4, 3: 4, 5: 8, 8: 8, 9: 20, 24: 40, 41: 80, 100: 200, 401: 800, 1999: 2000} {
		if got := niceMax(m); got != want || got%4 != 0 || got < m {
			t.Errorf("niceMax(%d) = %d, want %d", m, got, want)
		}
	}
}

func TestAuditPaging(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for i := range 150 {
		if err := e.audit.Record(ctx, audit.Entry{Actor: "boss@corp.example", Action: audit.Release, Target: fmt.Sprintf("q%03d", i), Department: "営業部"}); err != nil {
			t.Fatal(err)
		}
	}
	e.audit.Record(ctx, audit.Entry{Actor: "kei@corp.example", Action: audit.Reject, Target: "other", Department: "経理部"})
	c, _ := e.session("aud@corp.example")
	_, page, _ := e.do("GET", "/audit?actor=boss@corp.example", c, nil, nil)
	if !strings.Contains(page, ">q149<") || strings.Contains(page, ">q049<") || strings.Contains(page, ">other<") {
		t.Fatal("first page wrong")
	}
	m := regexp.MustCompile(`<a href="(/audit\?[^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no link to older entries")
	}
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	s, page, _ := e.do("GET", next, c, nil, nil)
	if s != http.StatusOK || !strings.Contains(page, ">q049<") || !strings.Contains(page, ">q000<") || strings.Contains(page, ">q050<") || strings.Contains(page, ">other<") {
		t.Fatalf("older page %s: %d", next, s)
	}
}
