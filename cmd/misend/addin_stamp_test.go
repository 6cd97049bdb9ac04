package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/testneeds"
)

// sendHandler runs the Outlook add-in's Send handler, as served by misend,
// in Node against misend's real API: a draft whose flagged recipients the
// sender ticked in the pane. It prints what the handler completed with
// and the headers it set on the message.
const sendHandler = `
const vm = require("node:vm");
const [src, token, draft] = [process.argv[2], process.argv[3], JSON.parse(process.argv[4])];
const ok = (value) => ({ status: "succeeded", value });
const field = (value) => ({ getAsync: (cb) => setImmediate(() => cb(ok(value))) });
const addrs = (l) => l.map((a) => ({ emailAddress: a, displayName: a }));
const props = { misendConfirmed: JSON.stringify(draft.confirmed) };
const headers = {};
const item = {
  from: field({ emailAddress: draft.from, displayName: draft.from }),
  to: field(addrs(draft.to)), cc: field([]), bcc: field([]),
  subject: field(draft.subject),
  body: { getAsync: (k, cb) => setImmediate(() => cb(ok(draft.body))) },
  getAttachmentsAsync: (cb) => setImmediate(() => cb(ok([]))),
  loadCustomPropertiesAsync: (cb) => setImmediate(() => cb(ok({
    get: (k) => props[k], set: (k, v) => { props[k] = v; }, saveAsync: (cb2) => setImmediate(() => cb2(ok())),
  }))),
  internetHeaders: { setAsync: (h, cb) => setImmediate(() => { Object.assign(headers, h); cb(ok()); }) },
};
const office = {
  AsyncResultStatus: { Succeeded: "succeeded" },
  actions: { associate: () => {} },
  context: {
    displayLanguage: "ja-JP",
    requirements: { isSetSupported: () => true },
    roamingSettings: { get: (k) => (k === "misendToken" ? token : undefined) },
    mailbox: { item },
  },
};
const ctx = { Office: office, fetch, setTimeout, clearTimeout, Promise, JSON, Math, Date };
vm.createContext(ctx);
vm.runInContext(src, ctx, { filename: "launchevent.js" });
ctx.onMessageSendHandler({ completed: (o) => {
  setTimeout(() => { console.log(JSON.stringify({ completed: o, headers, draftId: props.misendDraftId || "" })); }, 50);
} });
`

// TestOutlookSendStampsConfirmedDraft: one judgement, asked once, end to
// end. misend serve's own assembly; the sender's draft to two companies
// never mailed together is flagged by POST /api/v1/check; the sender ticks
// the flagged recipient in the pane; at Send the add-in (the script misend
// serves, run in Node against the real API) gets the confirmation stamp
// and sets it on the message. Sent through the gateway with that header,
// the message leaves without being asked about again, and without the
// header; sent without it, it waits for the sender's confirmation.
func TestOutlookSendStampsConfirmedDraft(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testneeds.Missing(t, "node", "not installed (apt-get install nodejs)")
	}
	ctx := context.Background()
	s := startServed(t, []directory.Person{
		{Address: "sato@corp.example", Name: "佐藤", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
	}, "127.0.0.1:0")
	// Sato mails partner A and partner B, each often, never together.
	now := time.Now()
	for i := range 40 {
		to := "tanaka@partner-a.example"
		if i%2 == 1 {
			to = "suzuki@partner-b.example"
		}
		s.model.Learn(&mail.Message{MessageID: "h" + time.Duration(i).String() + "@corp.example", Date: now.AddDate(0, 0, -41+i),
			From: mail.Address{Addr: "sato@corp.example"}, To: []mail.Address{{Addr: to}}, Subject: "お見積もり", Text: "いつもお世話になっております。"})
	}
	dir, err := directory.Load(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	as, err := auth.Open(ctx, s.db, dir)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := as.CreateToken(ctx, "sato@corp.example", "outlook", nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + s.HTTP.String()
	to := []string{"tanaka@partner-a.example", "suzuki@partner-b.example"}
	draft := map[string]any{"from": "sato@corp.example", "to": to, "subject": "お見積もり", "body": "いつもお世話になっております。"}

	// Outlook sends it, with a Date and Message-ID of its own.
	message := func(id, stamp string) []byte {
		h := ""
		if stamp != "" {
			h = "X-Misend-Confirmed: " + stamp + "\r\n"
		}
		return []byte(h + "From: sato@corp.example\r\nTo: " + strings.Join(to, ", ") + "\r\nSubject: =?utf-8?b?44GK6KaL56mN44KC44KK?=\r\n" +
			"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <" + id + "@corp.example>\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\n\r\nいつもお世話になっております。\r\n")
	}
	// Sent before the sender confirmed anything (the confirmation teaches
	// the model as well, as on the web page): asked.
	if err := smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", to, message("unstamped", "")); err != nil {
		t.Fatal(err)
	}

	// What the pane shows: the flagged recipients.
	js, _ := json.Marshal(draft)
	req, _ := http.NewRequest("POST", base+"/api/v1/check", bytes.NewReader(js))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out decide.Outcome
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if err != nil || out.Verdict != "confirm" {
		t.Fatalf("draft decided %s (%v), want confirm: %+v", out.Verdict, err, out.Findings)
	}
	var confirmed []string
	for _, f := range out.Findings {
		if f.Recipient != "" && !strings.Contains(strings.Join(confirmed, " "), f.Recipient) {
			confirmed = append(confirmed, f.Recipient)
		}
	}
	draft["confirmed"] = confirmed

	// The add-in as misend serves it.
	resp, err = http.Get(base + "/addin/outlook/launchevent.js")
	if err != nil {
		t.Fatal(err)
	}
	src, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	script := filepath.Join(t.TempDir(), "send.js")
	if err := os.WriteFile(script, []byte(sendHandler), 0o600); err != nil {
		t.Fatal(err)
	}
	js, _ = json.Marshal(draft)
	run, err := exec.Command(node, script, string(src), token, string(js)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, run)
	}
	var sent struct {
		Completed struct {
			AllowEvent bool `json:"allowEvent"`
		} `json:"completed"`
		Headers map[string]string `json:"headers"`
		DraftID string            `json:"draftId"`
	}
	if err := json.Unmarshal(run, &sent); err != nil {
		t.Fatalf("node printed %q: %v", run, err)
	}
	value := sent.Headers["X-Misend-Confirmed"]
	if !sent.Completed.AllowEvent || value == "" || len(sent.Headers) != 1 || sent.DraftID == "" {
		t.Fatalf("Send handler: %s", run)
	}

	if err := smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", to, message("stamped", value)); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for end := time.Now().Add(10 * time.Second); got == nil && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		for _, m := range s.up.Messages() {
			if bytes.Contains(m.Data, []byte("<stamped@")) {
				got = m.Data
			}
		}
	}
	if got == nil {
		for _, it := range s.Queue.List(queue.Confirming) {
			t.Logf("%s: %+v", it.Outcome.MessageID, it.Outcome)
		}
		t.Fatalf("the stamped message did not leave (spool %v); run %s", s.Queue.Depth(), run)
	}
	if bytes.Contains(bytes.ToLower(got), []byte("x-misend-confirmed")) {
		t.Errorf("the stamp left with the message:\n%s", got)
	}
	waiting := s.Queue.List(queue.Confirming)
	if len(waiting) != 1 || waiting[0].Outcome.MessageID != "unstamped@corp.example" {
		t.Errorf("waiting for confirmation: %+v, want the unstamped message only", waiting)
	}
	// And it left because of the stamp: the gateway counted it valid.
	fams, err := s.Metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	valid := 0.0
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			if f.GetName() == "misend_confirmation_stamps_total" && m.GetLabel()[0].GetValue() == "valid" {
				valid = m.GetCounter().GetValue()
			}
		}
	}
	if valid != 1 {
		t.Errorf("valid stamps counted: %v, want 1", valid)
	}
}
