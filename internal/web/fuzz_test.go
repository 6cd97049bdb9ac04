package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

func FuzzAcceptLanguage(f *testing.F) {
	for _, s := range []string{"ja-JP,ja;q=0.9,en;q=0.8", "en;q=NaN", "*;q=1", ";;;,,,", "ja;q=1e999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if l := fromAcceptLanguage(h); !contains(langs, l) {
			t.Fatalf("%q gave %q", h, l)
		}
	})
}

// FuzzSafeNext: whatever a sign-in link carries, the redirect stays on
// this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/held", "//evil.example", "/\\evil", "https://evil.example", "/ok?x=1\r\nSet-Cookie: x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") || strings.ContainsAny(got, "\r\n") {
			t.Fatalf("%q redirected to %q", next, got)
		}
	})
}

// FuzzRequests sends arbitrary methods, paths, bodies and headers, as an
// anonymous visitor and as a signed-in sender with a valid CSRF token:
// misend never panics, never answers 5xx, and nobody's held mail changes
// state unless its sender sent a valid request for it.
func FuzzRequests(f *testing.F) {
	e := newEnv(f, nil)
	other := e.add(fixture{sender: "ito@corp.example", dept: "経理部", subject: "s", state: queue.Held, to: []string{"a@b.example"}})
	cookie, csrf := e.session("sato@corp.example")
	f.Add("GET", "/held", "", "", false)
	f.Add("POST", "/held/"+other+"/cancel", "csrf="+csrf, "application/x-www-form-urlencoded", true)
	f.Add("POST", "/approvals/"+other+"/release", "comment=x", "application/x-www-form-urlencoded", true)
	f.Add("POST", "/directory/import", "--x\r\nContent-Disposition: form-data; name=\"csv\"; filename=\"a\"\r\n\r\n\xff\xfe\r\n--x--", "multipart/form-data; boundary=x", true)
	f.Add("GET", "/reports?since=9999-99-99&bucket=%00", "", "", true)
	f.Add("GET", "/terms?scope=department:%ff", "", "", true)
	f.Add("POST", "/login", "address=a&password=b&csrf=", "application/x-www-form-urlencoded", false)
	f.Add("GET", "/audit?before=-1&since=2026-01-01", "", "", true)
	f.Fuzz(func(t *testing.T, method, path, body, ctype string, signedIn bool) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") || len(path) > 2000 {
			return
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return // no client can send it
		}
		switch method {
		case "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS":
		default:
			return
		}
		r := httptest.NewRequest(method, "http://misend.test"+path, strings.NewReader(body))
		if ctype != "" && !strings.ContainsAny(ctype, "\r\n") {
			r.Header.Set("Content-Type", ctype)
		}
		if signedIn {
			r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
			r.Header.Set("X-CSRF-Token", csrf)
		}
		w := httptest.NewRecorder()
		e.web.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s: %d\n%s", method, path, w.Code, w.Body.String())
		}
		if it, _ := e.q.Get(queue.ID(other)); it.State != queue.Held {
			t.Fatalf("%s %s changed another sender's held mail to %s", method, path, it.State)
		}
	})
}

// FuzzPolicyForm: whatever a policy form carries, reading it never
// panics, and what reads and validates is a policy the decision path can
// use (and export).
func FuzzPolicyForm(f *testing.F) {
	for _, s := range []string{
		"band.warn=0.5&band.hold=0.9&code.NEW_DOMAIN=hold&delay=5&shadow=on&fail_safe=hold",
		"own_bands=1&band.hold=NaN&code.x%00=hold&delay=-1&shadow=maybe",
		"band.hold=1e999&code.=pass&delay=99999999999999999999",
		"trusted_domains=group-co.co.jp%0Aco.jp%0A%E7%9B%A3%E6%9F%BB.jp&exempt_senders=noreply%40%2C*%40x",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, body string, isDefault bool) {
		r := httptest.NewRequest("POST", "/policy/rules", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r.ParseForm() != nil {
			return
		}
		rules, errs := readRules(r, "policy.default", isDefault)
		cfg := policy.DefaultConfig()
		if isDefault {
			cfg.Default = rules
		} else {
			cfg.Departments = map[string]policy.Rules{"営業部": rules}
		}
		cfg.TrustedDomains = listLines(r.PostFormValue("trusted_domains"))
		cfg.ExemptSenders = listLines(r.PostFormValue("exempt_senders"))
		if len(errs) > 0 {
			return
		}
		p, err := policy.New(cfg)
		if err != nil {
			for _, s := range problemTexts("ja", err) {
				if s == "" {
					t.Fatal("an empty reason")
				}
			}
			return
		}
		p.Evaluate("営業部", 0.95, nil)
		if _, err := p.Current().TOML(); err != nil {
			t.Fatal(err)
		}
	})
}
