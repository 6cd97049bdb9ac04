package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// Japanese pages say everything in Japanese: no severity, audit action,
// role, scope or finding code as the program spells it, no sentence
// spoken to the sender on the approver's page, no parser detail, and a
// held message always says why it is held.
func TestJapanesePagesHaveNoRawWords(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		c := policy.DefaultConfig()
		c.Default.Codes = map[finding.Code]policy.Verdict{finding.ConfidentialTerms: policy.Hold}
		c.Departments = map[string]policy.Rules{"経理部": {DelayMinutes: 5}}
		o.Policy = &c
		o.Location = time.FixedZone("JST", 9*3600)
	})
	ctx := context.Background()
	w := 0.8
	conf := finding.Finding{Code: finding.ConfidentialTerms, Severity: finding.High, Recipient: "kato@newco.example", Scope: "department:営業第二部", Weight: &w, Terms: []string{"極秘"}}.
		Say("confidential_terms", finding.Args{"scope": "scope.department", "scope_name": "営業第二部", "recipient": "kato@newco.example"})
	newRcpt := finding.Finding{Code: finding.NewRecipient, Severity: finding.Medium, Recipient: "kato@newco.example"}.Say("new_recipient", nil)
	parse := finding.Finding{Code: finding.ParseProblem, Severity: finding.Info}.Say("parse_problem", finding.Args{"problem": "text/plain part: bad base64, decoded up to the damage"})
	hid := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "自宅作業用", state: queue.Held,
		to: []string{"ok@partner-a.example", "kato@newco.example"}, findings: []finding.Finding{conf, newRcpt, parse}})
	e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "壊れたメール", state: queue.Held, to: []string{"x@partner-a.example"}})
	e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "ご提案", state: queue.Confirming,
		to: []string{"a@partner-a.example", "b@partner-a.example", "kato@newco.example"}, flagged: []string{"kato@newco.example"}, findings: []finding.Finding{newRcpt}})
	for _, en := range []audit.Entry{
		{Actor: "boss@corp.example", Role: "approver", Action: audit.ViewBody, Target: hid, Department: "営業部", Detail: "sender sato@corp.example; approval"},
		{Actor: "boss@corp.example", Action: audit.SignIn, Detail: "password"},
	} {
		if err := e.audit.Record(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	ja := map[string]string{"Accept-Language": "ja"}
	for _, tc := range []struct {
		who, path string
		bad       []string // raw words that must not appear
		want      []string
	}{
		{"boss@corp.example", "/approvals",
			[]string{"(high)", "(medium)", "(info)", "department:", "重み 0.", "you have never", "bad base64", "このアドレスに送信したことはありません"},
			[]string{"佐藤 一郎", "送信者はこのアドレスに送信したことがありません", "営業第二部", "一致した機密語の重み（平均） 0.800", "保留されました", "この宛先には送信しない"}},
		{"sato@corp.example", "/held",
			[]string{"bad base64", "decoded up to", "<td>–</td>", ">–<", "この宛先で正しい", "確認が必要な宛先を一つずつ確認", "送信 "},
			[]string{"符号化や文字コードが壊れています", "確認できないまま送信されないよう保留しています", "この宛先に送信する", "受付 ", " JST</time>"}},
		{"root@corp.example", "/audit",
			[]string{">sign-in<", ">view-body<", ">approver<", ">" + hid + "<", "sender sato", "approval<"},
			[]string{"サインイン", "本文の閲覧", "承認者", "「自宅作業用」", "承認の判断のため"}},
		{"op@corp.example", "/policy",
			[]string{"CONFIDENTIAL_TERMS", "既定と同じ"},
			[]string{"機密情報 → ", "組織の既定に従う"}},
		// The administrator's forms name codes in their fields, never in
		// what they show.
		{"root@corp.example", "/policy",
			[]string{">CONFIDENTIAL_TERMS<", ">ENCRYPTED_ATTACHMENT<", ">ATTACHMENT_UNREADABLE<", ">SENT_AS<", "既定と同じ", ">hold<"},
			[]string{">機密情報<", ">既定に従う<", "信頼する社外ドメイン", "確認対象外の送信者"}},
		{"root@corp.example", "/directory", []string{"organization)", "department:"}, nil},
	} {
		c, _ := e.session(tc.who)
		s, body, _ := e.do("GET", tc.path, c, nil, ja)
		body = html.UnescapeString(body)
		if s != http.StatusOK {
			t.Fatalf("%s: %d", tc.path, s)
		}
		for _, b := range tc.bad {
			if strings.Contains(body, b) {
				t.Errorf("%s in Japanese shows %q", tc.path, b)
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s in Japanese lacks %q", tc.path, w)
			}
		}
	}
	// On the sender's page the recipient to check comes first.
	c, _ := e.session("sato@corp.example")
	_, body, _ := e.do("GET", "/held", c, nil, ja)
	i, j := strings.Index(body, "<td>kato@newco.example</td>"), strings.Index(body, "<td>a@partner-a.example</td>")
	if i < 0 || j < 0 || i > j {
		t.Errorf("the flagged recipient is not listed first (%d, %d)", i, j)
	}
}

// The confirm flow says what happened to which message: sent when the
// last flagged recipient is ticked, and with nothing ticked the page
// again with what to do, not an error page.
func TestConfirmFlowSaysWhatHappened(t *testing.T) {
	e := newEnv(t, nil)
	nr := finding.Finding{Code: finding.NewRecipient, Severity: finding.Medium, Recipient: "kato@newco.example"}.Say("new_recipient", nil)
	id := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "お見積り", state: queue.Confirming,
		to: []string{"a@partner-a.example", "kato@newco.example"}, flagged: []string{"kato@newco.example"}, findings: []finding.Finding{nr}})
	c, csrf := e.session("sato@corp.example")
	ja := map[string]string{"Accept-Language": "ja"}
	s, body, _ := e.do("POST", "/held/"+id+"/confirm", c, url.Values{"csrf": {csrf}}, ja)
	if s != http.StatusBadRequest || !strings.Contains(body, "宛先が選ばれていないため、送信していません") || !strings.Contains(body, "チェックした宛先に送信") {
		t.Fatalf("nothing ticked: %d\n%s", s, body)
	}
	s, _, resp := e.do("POST", "/held/"+id+"/confirm", c, url.Values{"csrf": {csrf}, "rcpt": {"kato@newco.example"}}, ja)
	if s != http.StatusSeeOther {
		t.Fatalf("confirm: %d", s)
	}
	var fl string
	for _, ck := range resp.Cookies() {
		if ck.Name == flashCookie {
			fl = ck.Value
		}
	}
	_, body, _ = e.do("GET", "/held", "", nil, map[string]string{"Accept-Language": "ja", "Cookie": sessionCookie + "=" + c + "; " + flashCookie + "=" + fl})
	body = html.UnescapeString(body)
	if !strings.Contains(body, "メール「お見積り」を送信しました") || strings.Contains(body, "すべて確認されると送信されます") {
		t.Errorf("banner after the last flagged recipient:\n%s", body)
	}
}

// An approver leaves a wrong recipient out and releases the rest; mail
// with confidential information is released only with a comment.
func TestApproverDropsAndComments(t *testing.T) {
	e := newEnv(t, nil)
	w := 0.8
	conf := finding.Finding{Code: finding.ConfidentialTerms, Severity: finding.High, Recipient: "kato@newco.example", Scope: "department:営業部", Weight: &w}.
		Say("confidential_terms", finding.Args{"scope": "scope.department", "scope_name": "営業部", "recipient": "kato@newco.example"})
	id := e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "資料", state: queue.Held,
		to: []string{"a@partner-a.example", "kato@newco.example"}, findings: []finding.Finding{conf}})
	c, csrf := e.session("boss@corp.example")
	ja := map[string]string{"Accept-Language": "ja"}
	s, body, _ := e.do("POST", "/approvals/"+id+"/release", c, url.Values{"csrf": {csrf}, "drop": {"kato@newco.example"}}, ja)
	if s != http.StatusBadRequest || !strings.Contains(body, "送信を許可する理由をコメントに入力してください") {
		t.Fatalf("release without comment: %d", s)
	}
	s, _, _ = e.do("POST", "/approvals/"+id+"/release", c, url.Values{"csrf": {csrf}, "drop": {"kato@newco.example", "a@partner-a.example"}, "comment": {"x"}}, ja)
	if s != http.StatusBadRequest {
		t.Fatalf("dropping everyone: %d", s)
	}
	s, _, _ = e.do("POST", "/approvals/"+id+"/release", c, url.Values{"csrf": {csrf}, "drop": {"kato@newco.example"}, "comment": {"社外秘部分は削除済み"}}, ja)
	if s != http.StatusSeeOther {
		t.Fatalf("release: %d", s)
	}
	it, err := e.q.Get(queue.ID(id))
	if err != nil {
		t.Fatal(err)
	}
	if it.State != queue.Queued || len(it.Envelope.To) != 1 || it.Envelope.To[0] != "a@partner-a.example" {
		t.Errorf("after release: %s %v", it.State, it.Envelope.To)
	}
	// The audit log names the message by subject and sender, whatever the
	// spool still keeps of it.
	rc, _ := e.session("root@corp.example")
	_, body, _ = e.do("GET", "/audit", rc, nil, ja)
	body = html.UnescapeString(body)
	if !strings.Contains(body, "「資料」（差出人 sato@corp.example）") || !strings.Contains(body, "送信しない宛先: kato@newco.example; 社外秘部分は削除済み") {
		t.Errorf("audit page after the release:\n%s", body)
	}
}

func TestLegendFitsJapanese(t *testing.T) {
	if w := textWidth("要確認", 11); w < 33 {
		t.Errorf("width of 要確認 at 11px: %d", w)
	}
	if w := textWidth("pass", 11); w > 30 {
		t.Errorf("width of pass at 11px: %d", w)
	}
}
