package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// callIn is call with an Accept-Language header.
func (e *env) callIn(who, method, path, acceptLang string, body any) answer {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

func hasJapanese(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x3040 })
}

// A check answers in the language asked for by lang or Accept-Language;
// the keys and arguments are the same in both.
func TestCheckLanguage(t *testing.T) {
	e := newEnv(t)
	draft := Draft{MessageID: "l1@corp.example", To: []string{"tanaka@partner-a.examp1e"}, Subject: "計画", Body: "例の件"}
	outcome := func(path, lang string) decide.Outcome {
		t.Helper()
		a := e.callIn("sato@corp.example", "POST", path, lang, draft)
		if a.status != http.StatusOK {
			t.Fatalf("%s %q: %d %s", path, lang, a.status, a.body)
		}
		var o decide.Outcome
		a.json(t, &o)
		if len(o.Findings) == 0 {
			t.Fatalf("%s: no findings", path)
		}
		return o
	}
	en := outcome("/api/v1/check", "")
	for _, tc := range []struct{ path, accept string }{
		{"/api/v1/check", "ja"},
		{"/api/v1/check", "ja-JP,ja;q=0.9,en;q=0.8"},
		{"/api/v1/check?lang=ja", "en"},
	} {
		ja := outcome(tc.path, tc.accept)
		for i, f := range ja.Findings {
			if f.Key == "" || f.Key != en.Findings[i].Key {
				t.Errorf("%s %q: finding %d key %q, English %q", tc.path, tc.accept, i, f.Key, en.Findings[i].Key)
			}
			if !hasJapanese(f.Message) || f.Message == en.Findings[i].Message {
				t.Errorf("%s %q: not Japanese: %q", tc.path, tc.accept, f.Message)
			}
		}
	}
	for _, tc := range []struct{ path, accept string }{{"/api/v1/check?lang=en", "ja"}, {"/api/v1/check", "fr, en;q=0.1"}, {"/api/v1/check", "ja;q=0"}} {
		if o := outcome(tc.path, tc.accept); o.Findings[0].Message != en.Findings[0].Message {
			t.Errorf("%s %q: %q, want English", tc.path, tc.accept, o.Findings[0].Message)
		}
	}
	if a := e.callIn("sato@corp.example", "POST", "/api/v1/check?lang=fr", "", draft); a.status != http.StatusBadRequest {
		t.Errorf("lang=fr: %d, want 400", a.status)
	}
}

// Held mail is answered in the asked language; findings stored without a
// key are said in their code's general sentence, not English.
func TestHeldLanguage(t *testing.T) {
	e := newEnv(t)
	fs := []finding.Finding{
		finding.Finding{Code: finding.NewRecipient, Severity: finding.Low, Recipient: "x@partner-z.example"}.Say("new_recipient.team", nil),
		{Code: finding.UnusualTime, Severity: finding.Info, Message: "stored before the catalogue"},
	}
	id, err := e.queue.Add(context.Background(), queue.Item{
		Envelope:   queue.Envelope{From: "sato@corp.example", To: []string{"x@partner-z.example"}},
		Outcome:    queue.Outcome{MessageID: "lang-1@corp.example", Sender: "sato@corp.example", Verdict: policy.Confirm, Score: 0.8, Findings: fs},
		State:      queue.Confirming,
		NotBefore:  e.now.Add(5 * time.Minute),
		Department: "営業部",
		Flagged:    []string{"x@partner-z.example"},
	}, []byte("From: sato@corp.example\r\nSubject: x\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := finding.Localize(fs[0], "ja").Message
	for _, path := range []string{"/api/v1/held/" + string(id), "/api/v1/held?lang=ja"} {
		a := e.callIn("sato@corp.example", "GET", path, "ja", nil)
		if a.status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, a.status, a.body)
		}
		if !strings.Contains(string(a.body), want) || !strings.Contains(string(a.body), "普段はメールを送信しない時間帯です") || strings.Contains(string(a.body), "stored before the catalogue") {
			t.Errorf("%s: lacks %q or the unkeyed finding's general sentence:\n%s", path, want, a.body)
		}
	}
	if a := e.callIn("sato@corp.example", "GET", "/api/v1/held/"+string(id)+"?lang=xx", "", nil); a.status != http.StatusBadRequest {
		t.Errorf("lang=xx: %d, want 400", a.status)
	}
	// An action answers with the message in the asked language too.
	a := e.callIn("sato@corp.example", "POST", "/api/v1/held/"+string(id)+"/confirm?lang=ja", "", map[string]string{"recipient": "x@partner-z.example"})
	if a.status != http.StatusOK || !strings.Contains(string(a.body), want) {
		t.Errorf("confirm: %d %s", a.status, a.body)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	for h, want := range map[string]string{
		"": "en", "ja": "ja", "JA-jp": "ja", "en-US,en;q=0.9,ja;q=0.8": "en", "fr, ja;q=0.5": "ja",
		"ja;q=0, en;q=0.1": "en", "ja;q=bogus": "en", "ja;q=2": "en", strings.Repeat("x,", 1000) + "ja": "en",
	} {
		if got := fromAcceptLanguage(h); got != want {
			t.Errorf("%q: %s, want %s", h, got, want)
		}
	}
}

func TestDecisionsLanguage(t *testing.T) {
	e := newEnv(t)
	f := finding.Finding{Code: finding.FreemailRecipient, Severity: finding.Low, Recipient: "x@gmail.example"}.Say("freemail_recipient", nil)
	rec := decisions.Record{At: e.now.Add(-time.Hour), Via: "smtp", MessageID: "dl-1@corp.example", Sender: "sato@corp.example",
		Department: "営業部", Decision: policy.Decision{Verdict: policy.Warn, Decided: policy.Warn}, Score: 0.4, Findings: []finding.Finding{f}}
	if err := e.dec.Append(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	ja := finding.Localize(f, "ja").Message
	for lang, want := range map[string]string{"ja": ja, "en": f.Message} {
		a := e.callIn("sato@corp.example", "GET", "/api/v1/decisions", lang, nil)
		if a.status != http.StatusOK || !strings.Contains(string(a.body), want) {
			t.Errorf("%s: %d lacks %q: %s", lang, a.status, want, a.body)
		}
	}
	if a := e.callIn("sato@corp.example", "GET", "/api/v1/decisions?lang=de", "", nil); a.status != http.StatusBadRequest {
		t.Errorf("lang=de: %d, want 400", a.status)
	}
}
