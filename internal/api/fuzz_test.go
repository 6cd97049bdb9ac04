package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
)

// FuzzCompose feeds arbitrary JSON drafts through decoding, composition and
// the mail parser: no panic, and an accepted draft comes back from the
// parser with the recipients it was given and no header smuggled in.
func FuzzCompose(f *testing.F) {
	for _, s := range []string{
		`{"to":["a@b.example"],"subject":"x","body":"y"}`,
		`{"to":["田中 <tanaka@partner-a.example>"],"cc":["c@d.example"],"bcc":["e@f.example"],"subject":"見積","body":"本文","attachments":["見積書.pdf"]}`,
		`{"to":["a@b.example"],"subject":"x\r\nBcc: evil@x.example","attachments":["a\"; filename=evil.exe"]}`,
		`{"to":["\"x\r\nBcc: y@z\" <a@b.example>"]}`,
		`{"to":["a@b.example"],"message_id":"<id@x>","in_reply_to":"p@x","references":["r1@x","r2@x"]}`,
		`{"to":["=?utf-8?q?=0D=0ABcc:_e@x?= <a@b.example>"]}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Draft
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if dec.Decode(&d) != nil {
			return
		}
		raw, _, err := compose(d, "sato@corp.example", now)
		if err != nil {
			if asError(err).Status != 400 {
				t.Fatalf("compose error is not a bad request: %v", err)
			}
			return
		}
		msg, err := mail.Parse(bytes.NewReader(raw), mail.Limits{})
		if err != nil {
			t.Fatalf("composed draft does not parse: %v\n%s", err, raw)
		}
		if n := len(msg.To) + len(msg.Cc) + len(msg.Bcc); n != len(d.To)+len(d.Cc)+len(d.Bcc) {
			t.Fatalf("%d recipients in, %d parsed:\n%s", len(d.To)+len(d.Cc)+len(d.Bcc), n, raw)
		}
		if msg.From.Addr != "sato@corp.example" {
			t.Fatalf("From became %q", msg.From.Addr)
		}
		head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
		for _, line := range strings.Split(head, "\r\n") {
			if line == "" || line[0] == ' ' {
				continue
			}
			name, _, _ := strings.Cut(line, ":")
			switch name {
			case "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding":
			default:
				t.Fatalf("header %q smuggled in:\n%s", name, head)
			}
		}
	})
}

// FuzzHandler sends arbitrary requests to the API as arbitrary callers:
// never a panic or a 500, and every refusal is a JSON error with a code.
func FuzzHandler(f *testing.F) {
	e := newEnv(f)
	id := e.hold("held", "tanaka@partner-b.example")
	callers := []string{"", "sato@corp.example", "boss@corp.example", "ope@corp.example", "kacho@corp.example"}
	for _, s := range []struct {
		m    uint8
		path string
		body string
		who  uint8
	}{
		{0, "/api/v1/held?scope=department&department=営業部", "", 2},
		{1, "/api/v1/check?view=operator", `{"to":["a@b.example"],"body":"` + secretTerm + `"}`, 3},
		{1, "/api/v1/held/" + id + "/confirm", `{"recipients":["tanaka@partner-b.example","x@y"]}`, 1},
		{1, "/api/v1/held/" + id + "/reject", `{"comment":"` + strings.Repeat("x", 3000) + `"}`, 2},
		{0, "/api/v1/reports?since=2026-01-01T00:00:00Z&until=2025-01-01T00:00:00Z&bucket=hour&tz=Mars/Base", "", 3},
		{0, "/api/v1/decisions?limit=-1&since=yesterday", "", 1},
		{1, "/api/v1/feedback", `{"message_id":"<a b>","kind":"confirmed","recipient":"\u0000"}`, 1},
		{2, "/api/v1/held/../../etc/passwd", "", 1},
		{0, "/api/v1/reports.csv?department=%FF", "", 2},
	} {
		f.Add(s.m, s.path, []byte(s.body), s.who)
	}
	methods := []string{"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"}
	h := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, m uint8, path string, body []byte, who uint8) {
		if !strings.HasPrefix(path, "/") {
			path = "/api/v1/" + path
		}
		req, err := http.NewRequest(methods[int(m)%len(methods)], "http://misend.test"+path, bytes.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		req.Header.Set("Content-Type", "application/json")
		if c := callers[int(who)%len(callers)]; c != "" {
			req.Header.Set("Authorization", "Bearer "+e.tokens[c])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s: %d %s", req.Method, path, w.Code, w.Body)
		}
		if w.Code >= 400 && req.Method != "HEAD" {
			var v struct{ Error Error }
			if json.Unmarshal(w.Body.Bytes(), &v) != nil || v.Error.Code == "" {
				t.Fatalf("%s %s: %d without a JSON error: %q", req.Method, path, w.Code, w.Body)
			}
		}
	})
}

// FuzzAcceptLanguage: any header gives one of the languages findings are
// written in.
func FuzzAcceptLanguage(f *testing.F) {
	f.Add("ja-JP,ja;q=0.9,en-US;q=0.8")
	f.Add("ja;q=, en;q=1e9")
	f.Fuzz(func(t *testing.T, h string) {
		if l := fromAcceptLanguage(h); l != "en" && l != "ja" {
			t.Fatalf("%q gave %q", h, l)
		}
	})
}

// FuzzNormalizeOrigin: any Origin header either is refused or becomes an
// origin that normalises to itself and carries nothing but scheme, host
// and port.
func FuzzNormalizeOrigin(f *testing.F) {
	for _, s := range []string{"https://misend.corp.example", "https://Outlook.Office.com/", "null", "https://a@b.example",
		"https://x.example/path", "javascript:alert(1)", "https://x.example:8443", "http://[::1]:80", "https://x.example?q", "https://x.example#f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := NormalizeOrigin(s)
		if err != nil {
			return
		}
		again, err := NormalizeOrigin(o)
		if err != nil || again != o {
			t.Fatalf("%q → %q → %q, %v", s, o, again, err)
		}
		if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") || strings.ContainsAny(strings.SplitN(o, "://", 2)[1], "/?#@ \r\n") {
			t.Fatalf("%q → %q", s, o)
		}
	})
}
