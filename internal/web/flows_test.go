package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/auth/oidctest"
	"github.com/misend/misend/internal/clientip"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/reports"
	"github.com/misend/misend/internal/terms"
)

func cookieOf(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestPasswordSignIn(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newEnv(t, func(o *Options) { o.SecureCookies = secure })
		ctx := context.Background()
		if err := e.auth.AddAccount(ctx, "sato@corp.example", testPassword, nil); err != nil {
			t.Fatal(err)
		}
		status, page, resp := e.do("GET", "/login?next=/held", "", nil, nil)
		lc := cookieOf(resp, loginCookie)
		tok := csrfIn(page)
		if status != http.StatusOK || lc == nil || tok == "" || lc.Value != tok || !lc.HttpOnly {
			t.Fatalf("login page: %d cookie %+v token %q", status, lc, tok)
		}
		post := func(form url.Values, withCookie bool) (int, string, *http.Response) {
			r, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if withCookie {
				r.AddCookie(&http.Cookie{Name: loginCookie, Value: lc.Value})
			}
			resp, err := client.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			return resp.StatusCode, b.String(), resp
		}
		good := url.Values{"csrf": {tok}, "address": {"Sato@corp.example"}, "password": {testPassword}, "next": {"/held"}}
		// Login CSRF: a form posted from elsewhere has no matching cookie.
		if s, _, _ := post(good, false); s != http.StatusForbidden {
			t.Errorf("sign-in without the form's cookie: %d", s)
		}
		wrong := url.Values{"csrf": {tok}, "address": {"sato@corp.example"}, "password": {"not the password"}}
		s, body, _ := post(wrong, true)
		if s != http.StatusUnauthorized || !strings.Contains(body, tr("en", "login.failed")) {
			t.Errorf("wrong password: %d", s)
		}
		// An unknown address reads exactly like a wrong password.
		s2, body2, _ := post(url.Values{"csrf": {tok}, "address": {"nobody@corp.example"}, "password": {"not the password"}}, true)
		if s2 != s || !strings.Contains(body2, tr("en", "login.failed")) {
			t.Errorf("unknown address: %d", s2)
		}
		s, _, resp = post(good, true)
		sc := cookieOf(resp, sessionCookie)
		if s != http.StatusSeeOther || resp.Header.Get("Location") != "/held" || sc == nil {
			t.Fatalf("sign-in: %d %q %+v", s, resp.Header.Get("Location"), sc)
		}
		if !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure != secure || sc.Path != "/" {
			t.Errorf("session cookie flags: %+v", sc)
		}
		if s, _, _ := e.do("GET", "/held", sc.Value, nil, nil); s != http.StatusOK {
			t.Errorf("after sign-in /held: %d", s)
		}
		// A next pointing off-site lands on the start page.
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
			f := url.Values{"csrf": {tok}, "address": {"sato@corp.example"}, "password": {testPassword}, "next": {next}}
			if _, _, resp := post(f, true); resp.Header.Get("Location") != "/" {
				t.Errorf("next %q redirected to %q", next, resp.Header.Get("Location"))
			}
		}
		// Back-off, not lockout: after five free failures the next try
		// waits a second, and is told so.
		for range 6 {
			post(wrong, true)
		}
		if s, body, resp := post(good, true); s != http.StatusTooManyRequests || !strings.Contains(body, tr("en", "login.wait")) || resp.Header.Get("Retry-After") != "2" {
			t.Errorf("sign-in during the back-off: %d %q", s, resp.Header.Get("Retry-After"))
		}
		fails, _ := e.audit.Query(ctx, audit.Filter{Action: audit.SignInFailed})
		ins, _ := e.audit.Query(ctx, audit.Filter{Action: audit.SignIn})
		if len(fails) != 9 || len(ins) != 4 {
			t.Errorf("audit: %d failed and %d sign-ins, want 9 and 4", len(fails), len(ins))
		}
		// Sign-out ends the session on the server, not just in the browser.
		_, page, _ = e.do("GET", "/held", sc.Value, nil, nil)
		if s, _, _ := e.do("POST", "/logout", sc.Value, url.Values{"csrf": {csrfIn(page)}}, nil); s != http.StatusSeeOther {
			t.Errorf("logout: %d", s)
		}
		if s, _, _ := e.do("GET", "/held", sc.Value, nil, nil); s != http.StatusSeeOther {
			t.Errorf("session still valid after sign-out: %d", s)
		}
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, nil)
	cookie, csrf := e.session("sato@corp.example")
	_, other := e.session("sato@corp.example")
	tests := []struct {
		name string
		form url.Values
		hdr  map[string]string
		want int
	}{
		{"no token", url.Values{}, nil, http.StatusForbidden},
		{"wrong token", url.Values{"csrf": {"x" + csrf}}, nil, http.StatusForbidden},
		{"another session's token", url.Values{"csrf": {other}}, nil, http.StatusForbidden},
		{"cross-site browser request", url.Values{"csrf": {csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign origin", url.Values{"csrf": {csrf}}, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"header token", url.Values{}, map[string]string{"X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"form token", url.Values{"csrf": {csrf}}, nil, http.StatusSeeOther},
	}
	for _, tt := range tests {
		id := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "s", state: queue.Held, to: []string{"a@b.example"}})
		if s, _, _ := e.do("POST", "/held/"+id+"/cancel", cookie, tt.form, tt.hdr); s != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, s, tt.want)
		}
		it, _ := e.q.Get(queue.ID(id))
		if (it.State == queue.Cancelled) != (tt.want == http.StatusSeeOther) {
			t.Errorf("%s: message is %s", tt.name, it.State)
		}
	}
}

func TestSenderConfirmsEachRecipient(t *testing.T) {
	e := newEnv(t, nil)
	w := 0.5
	fs := []finding.Finding{
		{Code: finding.SimilarContact, Severity: finding.High, Recipient: "tanaka@partner-b.example", Message: "never mailed before; you often mail tanaka@partner-a.example", Suggestion: "tanaka@partner-a.example"},
		{Code: finding.NewDomain, Severity: finding.Medium, Recipient: "kato@newco.example", Message: "you have never mailed this domain; your team neither"},
		{Code: finding.ConfidentialTerms, Severity: finding.High, Message: "confidential terms of your department", Scope: "department:営業部", Weight: &w, Terms: []string{"極秘プロジェクトZ"}},
	}
	id := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "ご提案", state: queue.Confirming,
		to: []string{"tanaka@partner-b.example", "kato@newco.example", "suzuki@partner-a.example"}, flagged: []string{"tanaka@partner-b.example", "kato@newco.example"}, findings: fs})
	cookie, csrf := e.session("sato@corp.example")
	_, page, _ := e.do("GET", "/held", cookie, nil, nil)
	for _, want := range []string{"tanaka@partner-b.example", "tanaka@partner-a.example", "never mailed before", "your team neither", `value="kato@newco.example"`, "confidential terms of your department"} {
		if !strings.Contains(page, want) {
			t.Errorf("held page lacks %q", want)
		}
	}
	// The sender never sees list terms, and there is no tick-all control.
	if strings.Contains(page, "極秘プロジェクトZ") {
		t.Error("a confidential-list term is shown to the sender")
	}
	if n := strings.Count(page, `type="checkbox"`); n != 2 {
		t.Errorf("%d checkboxes, want one per flagged recipient (2)", n)
	}
	confirm := func(rcpts ...string) int {
		s, _, _ := e.do("POST", "/held/"+id+"/confirm", cookie, url.Values{"csrf": {csrf}, "rcpt": rcpts}, nil)
		return s
	}
	if s := confirm("tanaka@partner-b.example"); s != http.StatusSeeOther {
		t.Fatalf("confirm: %d", s)
	}
	if it, _ := e.q.Get(queue.ID(id)); it.State != queue.Confirming {
		t.Fatalf("released with a flagged recipient unconfirmed: %s", it.State)
	}
	if s := confirm("kato@newco.example"); s != http.StatusSeeOther {
		t.Fatalf("confirm: %d", s)
	}
	if it, _ := e.q.Get(queue.ID(id)); it.State != queue.Queued {
		t.Fatalf("every flagged recipient confirmed, yet %s", it.State)
	}
	entries, _ := e.audit.Query(context.Background(), audit.Filter{Action: audit.Confirm, Target: id})
	if len(entries) != 2 {
		t.Errorf("%d confirmations audited, want 2", len(entries))
	}

	// Dropping the one wrong recipient and confirming the other releases too.
	id2 := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "ご提案2", state: queue.Confirming,
		to: []string{"tanaka@partner-b.example", "kato@newco.example"}, flagged: []string{"tanaka@partner-b.example", "kato@newco.example"}, findings: fs})
	if s, _, _ := e.do("POST", "/held/"+id2+"/drop", cookie, url.Values{"csrf": {csrf}, "rcpt": {"tanaka@partner-b.example"}}, nil); s != http.StatusSeeOther {
		t.Fatalf("drop: %d", s)
	}
	id = id2
	if s := confirm("kato@newco.example"); s != http.StatusSeeOther {
		t.Fatalf("confirm after drop: %d", s)
	}
	it, _ := e.q.Get(queue.ID(id2))
	if it.State != queue.Queued || len(it.Envelope.To) != 1 || it.Envelope.To[0] != "kato@newco.example" {
		t.Fatalf("after drop and confirm: %s %v", it.State, it.Envelope.To)
	}

	// The approver of the department sees the matched terms.
	hid := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "極秘", state: queue.Held, to: []string{"x@partner-c.example"}, findings: fs[2:]})
	bc, bcsrf := e.session("boss@corp.example")
	_, page, _ = e.do("GET", "/approvals", bc, nil, nil)
	if !strings.Contains(page, "極秘プロジェクトZ") || !strings.Contains(page, "/approvals/"+hid+"/release") || !strings.Contains(page, "0.500") {
		t.Error("approver page lacks the held message, its terms or weight")
	}
	// A terms finding naming its recipient shows the terms in that
	// recipient's row too, and a suggested action is no "did you mean".
	per := fs[2]
	per.Recipient, per.Terms, per.Suggestion = "y@partner-d.example", []string{"極秘プロジェクトY"}, "remove the confidential content"
	e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "極秘2", state: queue.Held, to: []string{"y@partner-d.example"}, findings: []finding.Finding{per}})
	_, page, _ = e.do("GET", "/approvals", bc, nil, nil)
	if !strings.Contains(page, "極秘プロジェクトY") {
		t.Error("approver page lacks the terms of a per-recipient finding")
	}
	if strings.Contains(page, "Did you mean remove") {
		t.Error("a suggested action is shown as an address")
	}
	if s, _, _ := e.do("POST", "/approvals/"+hid+"/release", bc, url.Values{"csrf": {bcsrf}, "comment": {"顧客に確認済み"}}, nil); s != http.StatusSeeOther {
		t.Fatalf("release: %d", s)
	}
	if it, _ := e.q.Get(queue.ID(hid)); it.State != queue.Queued || it.By != "boss@corp.example" {
		t.Fatalf("after release: %s by %s", it.State, it.By)
	}
	rel, _ := e.audit.Query(context.Background(), audit.Filter{Action: audit.Release, Target: hid})
	if len(rel) != 1 || rel[0].Detail != "顧客に確認済み" || rel[0].Actor != "boss@corp.example" {
		t.Errorf("release audit: %+v", rel)
	}
}

func TestOIDCSignIn(t *testing.T) {
	p := oidctest.Start("misend", "s3cret")
	defer p.Close()
	e := newEnv(t, func(o *Options) {
		oc, err := auth.NewOIDC(auth.OIDCConfig{Issuer: p.Issuer(), ClientID: "misend", ClientSecret: "s3cret", RedirectURL: "http://misend.invalid/auth/oidc/callback"})
		if err != nil {
			t.Fatal(err)
		}
		o.OIDC = oc
	})
	signIn := func(email string) (*http.Response, *cookiejar.Jar) {
		p.Claims = map[string]any{"preferred_username": email}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(e.srv.URL + "/auth/oidc?next=/approvals")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("begin: %d", resp.StatusCode)
		}
		resp, err = c.Get(resp.Header.Get("Location")) // the provider signs the person in
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cb, _ := url.Parse(resp.Header.Get("Location"))
		// The provider redirects to the configured public URL; the browser
		// here reaches misend on the test server's address.
		resp, err = c.Get(e.srv.URL + cb.RequestURI())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp, jar
	}
	resp, _ := signIn("Boss@corp.example")
	sc := cookieOf(resp, sessionCookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/approvals" || sc == nil {
		t.Fatalf("callback: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if s, _, _ := e.do("GET", "/approvals", sc.Value, nil, nil); s != http.StatusOK {
		t.Errorf("approver signed in with OIDC: /approvals %d", s)
	}
	// A person the provider knows but the directory does not gets nothing.
	resp, _ = signIn("stranger@corp.example")
	if resp.StatusCode != http.StatusForbidden || cookieOf(resp, sessionCookie) != nil {
		t.Errorf("unknown person: %d", resp.StatusCode)
	}
	// A callback without the browser's state cookie is refused.
	if s, _, _ := e.do("GET", "/auth/oidc/callback?state=x&code=y", "", nil, nil); s != http.StatusUnauthorized {
		t.Errorf("callback without state cookie: %d", s)
	}
	if s, _, _ := e.do("GET", "/auth/oidc/callback?error=access_denied", "", nil, nil); s != http.StatusUnauthorized {
		t.Errorf("provider error: %d", s)
	}
}

func TestDirectoryImportFromPage(t *testing.T) {
	var changed *directory.Directory
	e := newEnv(t, func(o *Options) { o.DirectoryChanged = func(d *directory.Directory) { changed = d } })
	root, csrf := e.session("root@corp.example")
	const head = "address,name,department,groups,roles\n"
	s, page := uploadCSV(t, e, root, csrf, head+"new@corp.example,New,営業部,,sender\nbroken,X,,,\n")
	if s != http.StatusBadRequest || !strings.Contains(page, "line 3") {
		t.Errorf("bad CSV: %d\n%.400s", s, page)
	}
	if _, ok := e.web.Directory().Person("new@corp.example"); ok || changed != nil {
		t.Fatal("a half-valid CSV changed the directory")
	}
	var b strings.Builder
	b.WriteString(head)
	for _, p := range people {
		var roles []string
		for _, r := range p.Roles {
			roles = append(roles, string(r))
		}
		b.WriteString(p.Address + "," + p.Name + "," + p.Department + ",," + strings.Join(roles, ";") + "\n")
	}
	b.WriteString("new@corp.example,新井 髙志,経理部,,approver\n")
	// As Excel saves "CSV" on a Japanese Windows: Shift_JIS (CP932).
	sjis, err := japanese.ShiftJIS.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if s, page := uploadCSV(t, e, root, csrf, sjis); s != http.StatusSeeOther {
		t.Fatalf("import: %d\n%.400s", s, page)
	}
	if p, ok := e.web.Directory().Person("new@corp.example"); !ok || changed == nil || p.Name != "新井 髙志" || p.Department != "経理部" {
		t.Fatalf("imported person unknown to the web pages, not passed on or misread: %+v", p)
	}
	// The new approver can sign in and approve at once.
	c, _ := e.session("new@corp.example")
	if s, _, _ := e.do("GET", "/approvals", c, nil, nil); s != http.StatusOK {
		t.Errorf("new approver: /approvals %d", s)
	}
	if n, _ := e.audit.Query(context.Background(), audit.Filter{Action: audit.DirImport}); len(n) != 1 {
		t.Errorf("%d directory imports audited", len(n))
	}
}

func TestReportsPage(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	log, err := decisions.Open(ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, d := range []struct {
		dept string
		v    policy.Verdict
		code finding.Code
	}{{"営業部", policy.Pass, ""}, {"営業部", policy.Hold, finding.LookalikeDomain}, {"経理部", policy.Confirm, finding.NewDomain}, {"経理部", policy.Pass, ""}} {
		r := decisions.Record{At: now.Add(-time.Duration(i) * time.Hour), Via: "smtp", MessageID: "m" + string(rune('a'+i)), Sender: "x@corp.example", Department: d.dept,
			Decision: policy.Decision{Verdict: d.v, Decided: d.v}}
		if d.code != "" {
			r.Findings = []finding.Finding{{Code: d.code, Severity: finding.High, Message: "m"}}
		}
		if err := log.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	log.Flush()
	e.web.o.Decisions = reports.DecisionsTable{DB: e.db}
	for _, tt := range []struct {
		who       string
		wantDepts []string
		wantNot   []string
	}{
		{"op@corp.example", []string{"営業部", "経理部"}, nil},
		{"sato@corp.example", []string{"営業部"}, []string{"経理部"}},
		{"kei@corp.example", []string{"経理部"}, []string{"営業部"}},
	} {
		c, _ := e.session(tt.who)
		s, page, _ := e.do("GET", "/reports", c, nil, nil)
		if s != http.StatusOK || !strings.Contains(page, "<svg") || !strings.Contains(page, `role="img"`) {
			t.Fatalf("%s: reports %d without charts", tt.who, s)
		}
		for _, d := range tt.wantDepts {
			if !strings.Contains(page, "<td>"+d+"</td>") {
				t.Errorf("%s: report lacks %s", tt.who, d)
			}
		}
		for _, d := range tt.wantNot {
			if strings.Contains(page, "<td>"+d+"</td>") {
				t.Errorf("%s: report shows %s", tt.who, d)
			}
		}
		s, csv, resp := e.do("GET", "/reports.csv", c, nil, nil)
		// The download opens in Excel: UTF-8 with its byte order mark.
		if s != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || strings.Count(csv, "\n") < 2 || !strings.HasPrefix(csv, "\uFEFFperiod,") {
			t.Errorf("%s: csv %d %q", tt.who, s, csv)
		}
	}
	c, _ := e.session("op@corp.example")
	for _, q := range []string{"?since=2026-13-01", "?since=2026-11-30&until=2026-11-01", "?bucket=year", "?since=2000-01-01&until=2026-01-01&bucket=hour"} {
		if s, _, _ := e.do("GET", "/reports"+q, c, nil, nil); s != http.StatusBadRequest {
			t.Errorf("reports%s: %d, want 400", q, s)
		}
	}
}

func uploadCSV(t *testing.T, e *env, cookie, csrf, csv string) (int, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("csv", "people.csv")
	fw.Write([]byte(csv))
	mw.Close()
	return e.post("/directory/import", cookie, csrf, b.String(), mw.FormDataContentType())
}

// signIn posts the sign-in form for addr with pw, through a client at
// xff behind the test's proxy ("" for a direct connection), and returns
// the status, the page and the Retry-After header.
func (e *env) signIn(addr, pw, xff string) (int, string, string) {
	e.t.Helper()
	_, page, resp := e.do("GET", "/login", "", nil, nil)
	lc, tok := cookieOf(resp, loginCookie), csrfIn(page)
	r, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(url.Values{"csrf": {tok}, "address": {addr}, "password": {pw}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(lc)
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := client.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String(), resp.Header.Get("Retry-After")
}

// Spraying guesses across many accounts from one client is slowed per
// client; X-Forwarded-For is believed only from a configured proxy.
func TestSignInThrottledPerClient(t *testing.T) {
	for _, proxied := range []bool{false, true} {
		e := newEnv(t, func(o *Options) {
			if proxied {
				o.TrustedProxies, _ = clientip.Parse([]string{"127.0.0.1"})
			}
		})
		if err := e.auth.AddAccount(context.Background(), "ito@corp.example", testPassword, nil); err != nil {
			t.Fatal(err)
		}
		for i := range 21 {
			if s, _, _ := e.signIn(fmt.Sprintf("user%d@corp.example", i), "guess guess guess", "198.51.100.1"); s != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i, s)
			}
		}
		if s, _, _ := e.signIn("ito@corp.example", testPassword, "198.51.100.1"); s != http.StatusTooManyRequests {
			t.Fatalf("after 21 failures: %d, want 429", s)
		}
		// Another client behind the proxy is another client; without a
		// trusted proxy the header is the guesser's own words.
		want := http.StatusTooManyRequests
		if proxied {
			want = http.StatusSeeOther
		}
		if s, _, _ := e.signIn("ito@corp.example", testPassword, "198.51.100.2"); s != want {
			t.Fatalf("proxied %v, a second client: %d, want %d", proxied, s, want)
		}
		later := time.Now().Add(11 * time.Minute)
		e.web.clients.Now = func() time.Time { return later }
		if s, _, _ := e.signIn("ito@corp.example", testPassword, "198.51.100.1"); s != http.StatusSeeOther {
			t.Fatalf("after the wait: %d", s)
		}
	}
}

// Wrong passwords typed for someone else's account do not lock its owner
// out (item 6 of issue 12): the owner waits at most a minute, however long
// the run; and an address without an account answers exactly as one with
// it, so the answers tell nobody who has one.
func TestLockoutIsNoWeapon(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.TrustedProxies, _ = clientip.Parse([]string{"127.0.0.1"}) })
	if err := e.auth.AddAccount(context.Background(), "sato@corp.example", testPassword, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e.web.accounts.Now = func() time.Time { return now }
	answers := func(addr string) []string {
		var out []string
		// Thirty wrong guesses from thirty machines: no client throttle
		// helps; the account's back-off does. A patient attacker waits
		// out each back-off to keep it as long as it can be.
		for i := range 30 {
			s, page, retry := e.signIn(addr, "wrong password!!", fmt.Sprintf("198.51.100.%d", i+1))
			for _, key := range []string{"login.failed", "login.wait"} {
				if strings.Contains(page, tr("en", key)) {
					out = append(out, fmt.Sprint(s, key, retry))
				}
			}
			if retry != "" {
				n, _ := strconv.Atoi(retry)
				if n > 61 {
					t.Fatalf("the owner of %s is kept out for %ds", addr, n)
				}
				now = now.Add(time.Duration(n) * time.Second)
			}
		}
		return out
	}
	real, none := answers("sato@corp.example"), answers("nobody@corp.example")
	if !slices.Equal(real, none) {
		t.Errorf("an account and no account answer differently:\n%v\n%v", real, none)
	}
	if !slices.ContainsFunc(real, func(a string) bool { return strings.Contains(a, "login.wait") }) {
		t.Errorf("thirty wrong guesses slowed nothing: %v", real)
	}
	// The owner, from their own machine, is in after at most a minute.
	s, _, retry := e.signIn("sato@corp.example", testPassword, "203.0.113.7")
	if s == http.StatusTooManyRequests {
		n, _ := strconv.Atoi(retry)
		if n > 61 {
			t.Fatalf("owner told to wait %ds", n)
		}
		now = now.Add(time.Duration(n) * time.Second)
		s, _, _ = e.signIn("sato@corp.example", testPassword, "203.0.113.7")
	}
	if s != http.StatusSeeOther {
		t.Fatalf("the owner's correct password after the run: %d", s)
	}
}

// An approver's own held message is not theirs to release — sent from
// their address or from one of their directory aliases (item 3 of issue
// 12): it is not listed for them, acting on it answers "not found", and
// another approver's release is audited before it takes effect.
func TestApproverCannotReleaseOwnMail(t *testing.T) {
	for _, from := range []string{"boss@corp.example", "eigyo-bucho@corp.example", "Eigyo-Bucho@corp.example"} {
		t.Run(from, func(t *testing.T) {
			e := newEnv(t, nil)
			fs := []finding.Finding{{Code: finding.NewDomain, Severity: finding.High, Recipient: "x@partner-c.example", Message: "never mailed"}}
			own := e.add(fixture{sender: from, dept: "営業部", subject: "自分の保留メール", state: queue.Held, to: []string{"x@partner-c.example"}, findings: fs})
			other := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "部下の保留メール", state: queue.Held, to: []string{"x@partner-c.example"}, findings: fs})
			bc, bcsrf := e.session("boss@corp.example")
			_, page, _ := e.do("GET", "/approvals", bc, nil, nil)
			if strings.Contains(page, own) || !strings.Contains(page, other) {
				t.Errorf("approvals page: own listed %v, other listed %v", strings.Contains(page, own), strings.Contains(page, other))
			}
			for _, act := range []string{"release", "reject"} {
				if s, _, _ := e.do("POST", "/approvals/"+own+"/"+act, bc, url.Values{"csrf": {bcsrf}, "comment": {"ok"}}, nil); s != http.StatusNotFound {
					t.Errorf("%s of own held mail: %d, want 404", act, s)
				}
			}
			if s, _, _ := e.do("GET", "/approvals/"+own+"/body", bc, nil, nil); s != http.StatusNotFound {
				t.Errorf("own held mail's body on the approvals page: %d, want 404", s)
			}
			if it, _ := e.q.Get(queue.ID(own)); it.State != queue.Held {
				t.Errorf("own message is %s", it.State)
			}
			// The sender sees it among their own, whichever address sent it.
			if _, page, _ := e.do("GET", "/held", bc, nil, nil); !strings.Contains(page, "自分の保留メール") {
				t.Error("own held mail is not on the sender's page")
			}
			if s, _, _ := e.do("POST", "/approvals/"+other+"/release", bc, url.Values{"csrf": {bcsrf}}, nil); s != http.StatusSeeOther {
				t.Fatalf("releasing another's held mail: %d", s)
			}
			es, err := e.audit.Query(context.Background(), audit.Filter{Target: other})
			if err != nil || len(es) != 1 || es[0].Action != audit.Release || es[0].Actor != "boss@corp.example" || es[0].Role != "approver" {
				t.Errorf("audit of the release: %+v, %v", es, err)
			}
		})
	}
}

// The proposer of a term-list change cannot approve it on the page, even
// as an approver of its scope (item 9 of issue 12): he is told another
// approver decides, and the list is unchanged.
func TestOwnTermChangeNeedsSecondPerson(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	id, err := e.terms.Propose(ctx, nil, terms.Change{Scope: "department:営業部", Action: terms.ActionAdd, Term: "合併計画", Weight: 0.8, ProposedBy: "eigyo-bucho@corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	bc, csrf := e.session("boss@corp.example")
	s, page, _ := e.do("POST", fmt.Sprintf("/terms/changes/%d/approve", id), bc, url.Values{"csrf": {csrf}, "note": {"ok"}}, map[string]string{"Accept-Language": "en"})
	if s != http.StatusForbidden || !strings.Contains(page, tr("en", "err.ownchange")) {
		t.Fatalf("approving his own proposal: %d", s)
	}
	if l, _ := e.terms.List(ctx, "department:営業部"); len(l) != 0 {
		t.Errorf("list changed: %+v", l)
	}
}
