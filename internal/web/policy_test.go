package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
)

var baseRE = regexp.MustCompile(`name="base" value="(\d+)"`)

// policyPost fills in a policy form as the page shows it (its CSRF token
// and the version it was made from) and posts it.
func (e *env) policyPost(cookie, path string, form url.Values, lang string) (int, string) {
	e.t.Helper()
	_, page, _ := e.do("GET", "/policy", cookie, nil, nil)
	m := baseRE.FindStringSubmatch(page)
	if m == nil {
		e.t.Fatalf("no policy form on the page:\n%.400s", page)
	}
	f := url.Values{"csrf": {csrfIn(page)}, "base": {m[1]}}
	for k, v := range form {
		f[k] = v
	}
	status, body, _ := e.do("POST", path, cookie, f, map[string]string{"Accept-Language": lang})
	return status, body
}

// TestPolicyChangeAppliesToNextMessage: what an administrator saves on
// the policy page decides the next message through the decision path,
// without a restart, and is in the audit log with before and after.
func TestPolicyChangeAppliesToNextMessage(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	// A real detector over a little learned history: sato mails
	// partner-a.example every week.
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Department: e.dir.DepartmentOf})
	start := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	for i := range 30 {
		m.Learn(&mail.Message{MessageID: fmt.Sprintf("<h%d@corp.example>", i), Date: start.Add(time.Duration(i) * 72 * time.Hour),
			From: mail.Address{Addr: "sato@corp.example"}, To: []mail.Address{{Addr: "tanaka@partner-a.example"}}, Subject: "定例"})
	}
	path := check.Path(&detect.Detector{Model: m}, e.pol, check.Fixed{Directory: e.dir})
	now := start.Add(100 * 24 * time.Hour)
	send := func(from string, to ...string) decide.Result {
		raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: ご案内\r\nMessage-ID: <%d@corp.example>\r\nDate: %s\r\n\r\nお世話になっております。\r\n",
			from, strings.Join(to, ", "), time.Now().UnixNano(), now.Format(time.RFC1123Z))
		return path.Decide(ctx, decide.Envelope{From: from, To: to, At: now}, []byte(raw))
	}
	has := func(r decide.Result, c finding.Code) bool {
		for _, f := range r.Findings {
			if f.Code == c {
				return true
			}
		}
		return false
	}
	root, _ := e.session("root@corp.example")
	post := func(path string, form url.Values) {
		t.Helper()
		if status, body := e.policyPost(root, path, form, "en"); status != http.StatusSeeOther {
			t.Fatalf("POST %s %v: %d\n%s", path, form, status, problemsIn(body))
		}
	}

	// Before: a new domain passes or warns by score alone.
	if r := send("sato@corp.example", "kimura@group-co.example"); !has(r, finding.NewDomain) || r.Decision.Verdict.Stricter(policy.Warn) {
		t.Fatalf("before any change: %+v %v", r.Decision, r.Findings)
	}
	// 営業部 gets its own policy: a new domain is held.
	post("/policy/rules", url.Values{"dept": {"営業部"}, "add": {"1"}})
	post("/policy/rules", url.Values{"dept": {"営業部"}, "code.NEW_DOMAIN": {"hold"}, "shadow": {"off"}})
	r := send("sato@corp.example", "kimura@group-co.example")
	if r.Decision.Verdict != policy.Hold || r.Decision.Rule != "code:NEW_DOMAIN" {
		t.Fatalf("after NEW_DOMAIN = hold: %+v", r.Decision)
	}
	// Another department is untouched.
	if r := send("ito@corp.example", "kimura@group-co.example"); r.Decision.Verdict == policy.Hold {
		t.Errorf("経理部 follows 営業部's rules: %+v", r.Decision)
	}
	// The group company is trusted: no longer held for its new domain;
	// a look-alike of it still is.
	post("/policy/lists", url.Values{"trusted_domains": {"group-co.example\n"}})
	if r := send("sato@corp.example", "kimura@group-co.example"); has(r, finding.NewDomain) || r.Decision.Verdict == policy.Hold {
		t.Errorf("trusted domain: %+v %v", r.Decision, r.Findings)
	}
	if r := send("sato@corp.example", "kimura@group-co.example.com"); !has(r, finding.NewDomain) || r.Decision.Verdict != policy.Hold {
		t.Errorf("a domain beside the trusted one: %+v", r.Decision)
	}
	if r := send("sato@corp.example", "kimura@gruop-co.example"); !has(r, finding.LookalikeDomain) {
		t.Errorf("look-alike of the trusted domain not caught: %v", r.Findings)
	}
	// Shadow mode for 営業部: decided and recorded, passed.
	post("/policy/rules", url.Values{"dept": {"営業部"}, "code.NEW_DOMAIN": {"hold"}, "shadow": {"on"}})
	if r := send("sato@corp.example", "kimura@other-co.example"); r.Decision.Verdict != policy.Pass || r.Decision.Decided != policy.Hold || !r.Decision.Shadow {
		t.Errorf("shadow mode: %+v", r.Decision)
	}
	// An exempt sender: the organisation's noreply@ passes, and says why.
	post("/policy/rules", url.Values{"code.NEW_DOMAIN": {"hold"}, "band.warn": {"0.5"}, "band.confirm": {"0.7"}, "band.hold": {"0.9"}, "shadow": {"off"}})
	if r := send("noreply@corp.example", "kimura@other-co.example"); r.Decision.Verdict != policy.Hold {
		t.Fatalf("noreply@ before the exemption: %+v", r.Decision)
	}
	post("/policy/lists", url.Values{"trusted_domains": {"group-co.example"}, "exempt_senders": {"noreply@"}})
	if r := send("noreply@corp.example", "kimura@other-co.example"); r.Decision.Verdict != policy.Pass || !r.Decision.Exempt ||
		r.Decision.Rule != policy.ExemptRule || r.Decision.Decided != policy.Hold {
		t.Errorf("exempt sender: %+v", r.Decision)
	}

	// Every change is in the audit log: who, what, before and after.
	es, err := e.audit.Query(ctx, audit.Filter{Action: audit.PolicyChange})
	if err != nil || len(es) != 6 {
		t.Fatalf("%d policy changes in the audit log (%v), want 6", len(es), err)
	}
	for i, want := range []string{
		"exempt_senders.noreply@: – → exempt",
		"default.codes.NEW_DOMAIN: – → hold",
		`department."営業部".shadow: false → true`,
		"trusted_domains.group-co.example: – → trusted",
		`department."営業部".codes.NEW_DOMAIN: – → hold`,
		`department."営業部": – → own rules`,
	} {
		if es[i].Actor != "root@corp.example" || es[i].Role != "admin" || !strings.Contains(es[i].Detail, want) {
			t.Errorf("audit entry %d: %+v, want %q", i, es[i], want)
		}
	}
	// The audit page shows it in Japanese.
	_, page, _ := e.do("GET", "/audit?action=policy-change", root, nil, map[string]string{"Accept-Language": "ja"})
	if !strings.Contains(page, "ポリシーの変更") || !strings.Contains(page, "trusted_domains.group-co.example") {
		t.Errorf("audit page lacks the change")
	}

	// The export reads back as a configuration file with the same policy.
	aud, _ := e.session("aud@corp.example")
	status, text, resp := e.do("GET", "/policy/export.toml", aud, nil, nil)
	if status != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "misend-policy-v6.toml") {
		t.Fatalf("export: %d %v", status, resp.Header)
	}
	cfg, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatalf("export does not read back: %v\n%s", err, text)
	}
	if got := cfg.Policy; got == nil || len(got.TrustedDomains) != 1 || got.ExemptSenders[0] != "noreply@" ||
		got.Departments["営業部"].Codes[finding.NewDomain] != policy.Hold {
		t.Errorf("exported policy: %+v\n%s", cfg.Policy, text)
	}
}

// TestPolicyFormRefusals: a bad value is refused with the reason in the
// reader's language and nothing changes; only administrators may change
// the policy.
func TestPolicyFormRefusals(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	root, _ := e.session("root@corp.example")
	tests := []struct {
		name, path string
		form       url.Values
		lang       string
		status     int
		want       string
	}{
		{"bands out of order, English", "/policy/rules", url.Values{"band.confirm": {"0.7"}, "band.hold": {"0.3"}}, "en",
			http.StatusBadRequest, "hold starts at 0.3, not above confirm at 0.7"},
		{"bands out of order, Japanese", "/policy/rules", url.Values{"band.confirm": {"0.7"}, "band.hold": {"0.3"}}, "ja",
			http.StatusBadRequest, "厳しい判定ほど高いスコアから始めてください"},
		{"score no number", "/policy/rules", url.Values{"band.hold": {"０．９x"}}, "ja", http.StatusBadRequest, "数値ではありません"},
		{"score above 1", "/policy/rules", url.Values{"band.hold": {"1.5"}}, "en", http.StatusBadRequest, "at most 1"},
		{"no band at all", "/policy/rules", url.Values{}, "en", http.StatusBadRequest, "at least one band"},
		{"unknown verdict", "/policy/rules", url.Values{"band.hold": {"0.9"}, "code.NEW_DOMAIN": {"block"}}, "en", http.StatusBadRequest, `"block" is no verdict`},
		{"unknown code", "/policy/rules", url.Values{"band.hold": {"0.9"}, "code.new_domain": {"hold"}}, "ja", http.StatusBadRequest, `検知種別 "new_domain" は存在しません`},
		{"delay too long", "/policy/rules", url.Values{"band.hold": {"0.9"}, "delay": {"5000"}}, "ja", http.StatusBadRequest, "送信遅延"},
		{"department without a name", "/policy/rules", url.Values{"dept": {" "}, "add": {"1"}}, "ja", http.StatusBadRequest, "<li>部署名を入力してください</li>"},
		{"department with no rules", "/policy/remove", url.Values{"dept": {"経理部"}}, "en", http.StatusBadRequest, "has no policy of its own"},
		{"public suffix trusted", "/policy/lists", url.Values{"trusted_domains": {"co.jp"}}, "ja", http.StatusBadRequest, "公開サフィックス"},
		{"freemail trusted", "/policy/lists", url.Values{"trusted_domains": {"gmail.com"}}, "ja", http.StatusBadRequest, "フリーメール"},
		{"exempt wildcard", "/policy/lists", url.Values{"exempt_senders": {"*@corp.example"}}, "en", http.StatusBadRequest, "neither an address nor a local part"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.policyPost(root, tt.path, tt.form, tt.lang)
			body = html.UnescapeString(body)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%d, want %d with %q:\n%s", status, tt.status, tt.want, problemsIn(body))
			}
			if n := e.policies.Current().Number; n != 0 {
				t.Errorf("version %d after a refused change", n)
			}
		})
	}
	// Two administrators: the second, editing the page as it was, is told
	// and overwrites nothing.
	_, page, _ := e.do("GET", "/policy", root, nil, nil)
	stale := url.Values{"csrf": {csrfIn(page)}, "base": {"0"}, "trusted_domains": {"b.example"}}
	if status, body := e.policyPost(root, "/policy/lists", url.Values{"trusted_domains": {"a.example"}}, "en"); status != http.StatusSeeOther {
		t.Fatalf("first change: %d %s", status, problemsIn(body))
	}
	if status, body, _ := e.do("POST", "/policy/lists", root, stale, nil); status != http.StatusConflict || !strings.Contains(body, "Someone else changed the policy") {
		t.Errorf("stale change: %d %s", status, problemsIn(body))
	}
	if got := e.pol.Current().TrustedDomains; len(got) != 1 || got[0] != "a.example" {
		t.Errorf("trusted %v after a stale change", got)
	}
	// Not an administrator: refused, and the forms are not shown.
	for _, who := range []string{"op@corp.example", "boss@corp.example", "aud@corp.example"} {
		c, csrf := e.session(who)
		status, _, _ := e.do("POST", "/policy/lists", c, url.Values{"csrf": {csrf}, "base": {"1"}, "trusted_domains": {"evil.example"}}, nil)
		if status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", who, status)
		}
		_, page, _ := e.do("GET", "/policy", c, nil, nil)
		if strings.Contains(page, `action="/policy/`) || !strings.Contains(page, "a.example") {
			t.Errorf("%s sees forms, or not the policy", who)
		}
	}
	// Without the session's token nothing changes either.
	if status, _, _ := e.do("POST", "/policy/lists", root, url.Values{"base": {"1"}, "trusted_domains": {"evil.example"}}, nil); status != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", status)
	}
	if got := e.pol.Current().TrustedDomains; len(got) != 1 {
		t.Errorf("trusted %v after refused changes", got)
	}
	if es, _ := e.audit.Query(ctx, audit.Filter{Action: audit.PolicyChange}); len(es) != 1 {
		t.Errorf("%d policy changes audited, want 1", len(es))
	}
}

var problemsRE = regexp.MustCompile(`(?s)<ul class="error" id="policy-problems">.*?</ul>`)

func problemsIn(body string) string {
	if m := problemsRE.FindString(body); m != "" {
		return m
	}
	if len(body) > 300 {
		return body[:300]
	}
	return body
}

// TestPolicyPageShowsBuiltInCodes: on the organisation's row, a code left
// blank means its built-in verdict (configured codes merge over them), and
// the form says which, in the reader's language.
func TestPolicyPageShowsBuiltInCodes(t *testing.T) {
	e := newEnv(t, nil)
	root, _ := e.session("root@corp.example")
	for lang, want := range map[string]string{"en": "built-in: hold", "ja": "標準（保留）"} {
		_, page, _ := e.do("GET", "/policy", root, nil, map[string]string{"Accept-Language": lang})
		i := strings.Index(page, `name="code.CONFIDENTIAL_TERMS"`)
		if i < 0 {
			t.Fatalf("%s: no CONFIDENTIAL_TERMS choice on the page", lang)
		}
		if blank := page[i:min(len(page), i+200)]; !strings.Contains(blank, `<option value="">`+html.EscapeString(want)+`</option>`) {
			t.Errorf("%s: the blank choice for confidential terms does not say %q:\n%s", lang, want, blank)
		}
	}
}
