package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
)

// The API answers exactly what `misend check --json` prints for the same
// message: the draft written by hand as RFC 5322, parsed, checked and
// printed in the sender view as the command does.
func TestCheckMatchesCheckJSON(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name  string
		draft Draft
		raw   string
		want  string // verdict
	}{
		{"habitual recipients", Draft{MessageID: "d1@corp.example", To: []string{"田中 <tanaka@partner-a.example>", "suzuki@partner-a.example"}, Subject: "お見積もり", Body: "いつもお世話になっております。"},
			"From: sato@corp.example\r\nTo: tanaka@partner-a.example, suzuki@partner-a.example\r\nSubject: =?utf-8?b?44GK6KaL56mN44KC44KK?=\r\nMessage-ID: <d1@corp.example>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nいつもお世話になっております。\r\n",
			"pass"},
		{"look-alike domain and a confidential term", Draft{MessageID: "d2@corp.example", To: []string{"tanaka@partner-a.examp1e"}, Subject: "計画", Body: "例の" + secretTerm + "について", Attachments: []string{"見積書_A社.pdf"}},
			"From: sato@corp.example\r\nTo: tanaka@partner-a.examp1e\r\nSubject: =?utf-8?b?6KiI55S7?=\r\nMessage-ID: <d2@corp.example>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n例の" + secretTerm + "について\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8_A%E7%A4%BE.pdf\r\n\r\n\r\n--b--\r\n",
			"hold"},
	} {
		msg, err := mail.Parse(strings.NewReader(tc.raw), mail.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		out := e.svc.DecideMessage(context.Background(), decide.Envelope{From: msg.From.Addr, At: e.now}, msg).Outcome()
		out.Findings = finding.SenderView(out.Findings)
		want, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		a := e.call("sato@corp.example", "POST", "/api/v1/check", tc.draft)
		if a.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.name, a.status, a.body)
		}
		if got := bytes.TrimSpace(a.body); !bytes.Equal(got, want) {
			t.Errorf("%s:\n api   %s\n check %s", tc.name, got, want)
		}
		var o decide.Outcome
		a.json(t, &o)
		if string(o.Verdict) != tc.want {
			t.Errorf("%s: verdict %s, want %s", tc.name, o.Verdict, tc.want)
		}
	}
}

// Confidential-list terms reach operators who ask, never senders.
func TestCheckViews(t *testing.T) {
	e := newEnv(t)
	d := Draft{To: []string{"x@elsewhere.example"}, Subject: "s", Body: "本件は" + secretTerm + "です"}
	sender := e.call("sato@corp.example", "POST", "/api/v1/check", d)
	if sender.status != 200 || bytes.Contains(sender.body, []byte(secretTerm)) || !bytes.Contains(sender.body, []byte("CONFIDENTIAL_TERMS")) ||
		!bytes.Contains(sender.body, []byte(`"scope":"department:営業部"`)) {
		t.Errorf("sender view: %d %s", sender.status, sender.body)
	}
	// Nor the mean weight of what matched (item 9 of issue 12).
	if bytes.Contains(sender.body, []byte(`"weight"`)) {
		t.Errorf("sender view shows the terms' weight: %s", sender.body)
	}
	d.From = "sato@corp.example"
	op := e.call("ope@corp.example", "POST", "/api/v1/check?view=operator", d)
	if op.status != 200 || !bytes.Contains(op.body, []byte(`"terms":["`+secretTerm+`"]`)) {
		t.Errorf("operator view: %d %s", op.status, op.body)
	}
	// Only operators check others' drafts.
	if a := e.call("ueda@corp.example", "POST", "/api/v1/check", d); a.status != http.StatusForbidden {
		t.Errorf("ueda checking sato's draft: %d", a.status)
	}
	// Every check is in the decisions log, with the terms kept for operators.
	e.dec.Flush()
	recs, err := e.dec.Recent(t.Context(), e.now.Add(-1), 10)
	if err != nil || len(recs) != 2 || recs[0].Via != "api" || recs[0].Department != "営業部" {
		t.Fatalf("decisions: %+v %v", recs, err)
	}
	found := false
	for _, f := range recs[0].Findings {
		found = found || len(f.Terms) > 0
	}
	if !found {
		t.Error("decision recorded without the operator view")
	}
}

// Hostile drafts get clear errors with stable codes, never a 500.
func TestCheckRefusesBadDrafts(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("あ", 30000) // 90 KB: over the test's 64 KiB cap
	for _, tc := range []struct {
		name string
		body string
		code string
	}{
		{"not JSON", "{", CodeInvalidJSON},
		{"two objects", `{"to":["a@b.example"]}{}`, CodeInvalidJSON},
		{"unknown field", `{"to":["a@b.example"],"bodyy":"x"}`, CodeInvalidJSON},
		{"wrong type", `{"to":"a@b.example"}`, CodeInvalidJSON},
		{"empty", ``, CodeInvalidJSON},
		{"no recipients", `{"subject":"x"}`, CodeBadRequest},
		{"bad address", `{"to":["not an address"]}`, CodeBadRequest},
		{"header injection in address", `{"to":["a@b.example\r\nBcc: evil@x.example"]}`, CodeBadRequest},
		{"header injection in message id", `{"to":["a@b.example"],"message_id":"x@y\r\nBcc: e@x"}`, CodeBadRequest},
		{"too many recipients", `{"to":[` + strings.Repeat(`"a@b.example",`, 1000) + `"a@b.example"]}`, CodeBadRequest},
		{"bad attachment name", `{"to":["a@b.example"],"attachments":["a\nb"]}`, CodeBadRequest},
		{"too large", `{"to":["a@b.example"],"body":"` + long + `"}`, CodeTooLarge},
	} {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/check", strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+e.tokens["sato@corp.example"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Error Error }
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if v.Error.Code != tc.code || resp.StatusCode >= 500 {
			t.Errorf("%s: %d %+v, want %s", tc.name, resp.StatusCode, v.Error, tc.code)
		}
	}
	// A Subject with a line break is folded into one header, not two.
	a := e.call("sato@corp.example", "POST", "/api/v1/check", Draft{To: []string{"tanaka@partner-a.example"}, Subject: "x\r\nBcc: evil@x.example"})
	if a.status != 200 || bytes.Contains(a.body, []byte("evil")) {
		t.Errorf("subject injection: %d %s", a.status, a.body)
	}
	if a := e.call("sato@corp.example", "PUT", "/api/v1/check", Draft{}); a.status != http.StatusMethodNotAllowed || errCode(t, a) != CodeMethodNotAllowed || a.header.Get("Allow") != "POST" {
		t.Errorf("PUT: %d %v %s", a.status, a.header, a.body)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/check", strings.NewReader(`{"to":["a@b.example"]}`))
	req.Header.Set("Authorization", "Bearer "+e.tokens["sato@corp.example"])
	req.Header.Set("Content-Type", "text/plain")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %v %v", resp.StatusCode, err)
	}
	if a := e.call("sato@corp.example", "GET", "/api/v1/nothing", nil); a.status != 404 || errCode(t, a) != CodeNotFound {
		t.Errorf("unknown route: %d %s", a.status, a.body)
	}
}

// Checking drafts is limited per API token, so a program cannot bisect a
// confidential-term list at machine speed (item 9 of issue 12); another
// token is not held up, and the bucket refills with time.
func TestCheckRateLimitedPerToken(t *testing.T) {
	e := newEnv(t)
	d := Draft{To: []string{"tanaka@partner-a.example"}, Subject: "s", Body: "いつもお世話になっております。"}
	for i := range DefaultChecksPerMinute {
		if a := e.call("sato@corp.example", "POST", "/api/v1/check", d); a.status != http.StatusOK {
			t.Fatalf("check %d: %d %s", i, a.status, a.body)
		}
	}
	a := e.call("sato@corp.example", "POST", "/api/v1/check", d)
	var body struct{ Error Error }
	a.json(t, &body)
	if a.status != http.StatusTooManyRequests || body.Error.Code != CodeRateLimited || a.header.Get("Retry-After") != "2" {
		t.Fatalf("check over the limit: %d %s %q", a.status, a.body, a.header.Get("Retry-After"))
	}
	if a := e.call("ueda@corp.example", "POST", "/api/v1/check", d); a.status == http.StatusTooManyRequests {
		t.Error("another token held up by sato's checks")
	}
}
