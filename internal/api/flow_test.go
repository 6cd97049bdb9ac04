package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/reports"
)

// Feedback through the API teaches the model and shows in reports: a
// confirmed recipient is known to the sender afterwards and the next draft
// to them is not flagged for it; drops and rejections count as catches.
func TestFeedbackTeachesAndReports(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const sato, boss = "sato@corp.example", "boss@corp.example"
	newcomer := "yamada@partner-c.example"
	flaggedFor := func() bool {
		a := e.call(sato, "POST", "/api/v1/check", Draft{To: []string{newcomer}, Subject: "ご挨拶", Body: "はじめまして"})
		return bytes.Contains(a.body, []byte(`"recipient":"`+newcomer+`"`))
	}
	if !flaggedFor() {
		t.Fatal("a never-mailed recipient at a new company is not flagged; the test has nothing to teach")
	}
	if e.model.Contact(sato, newcomer, e.now).Known() {
		t.Fatal("known before feedback")
	}

	// Confirmation of a held message, one recipient at a time.
	id := e.hold(queue.Confirming, newcomer, "tanaka@partner-a.example")
	if a := e.call(sato, "POST", "/api/v1/held/"+id+"/confirm", nil); a.status != http.StatusUnprocessableEntity || errCode(t, a) != CodeRecipientsNeeded {
		t.Errorf("confirm without naming recipients: %d %s", a.status, a.body)
	}
	if a := e.call(sato, "POST", "/api/v1/held/"+id+"/confirm", map[string]any{"recipient": "tanaka@partner-a.example"}); a.status != http.StatusUnprocessableEntity || errCode(t, a) != CodeNotFlagged {
		t.Errorf("confirming an unflagged recipient: %d %s", a.status, a.body)
	}
	a := e.call(sato, "POST", "/api/v1/held/"+id+"/confirm", map[string]any{"recipient": newcomer})
	var it held.Item
	a.json(t, &it)
	if a.status != 200 || it.State != queue.Queued {
		t.Fatalf("confirm: %d %s", a.status, a.body)
	}
	for _, f := range it.Findings {
		if len(f.Terms) > 0 {
			t.Errorf("sender's answer carries confidential terms: %v", f.Terms)
		}
	}
	if a := e.call(sato, "POST", "/api/v1/held/"+id+"/cancel", nil); a.status != http.StatusConflict || errCode(t, a) != CodeConflict {
		t.Errorf("cancel after release: %d %s", a.status, a.body)
	}
	if !e.model.Contact(sato, newcomer, e.now).Known() {
		t.Error("confirmed recipient not learned")
	}
	if flaggedFor() {
		t.Error("the confirmed recipient is still flagged on the next draft")
	}

	// A drop, an approver's rejection and an add-in's report.
	drop := e.hold(queue.Confirming, "kato@partner-d.example", "tanaka@partner-a.example")
	if a := e.call(sato, "POST", "/api/v1/held/"+drop+"/drop", map[string]any{"recipients": []string{"kato@partner-d.example"}}); a.status != 200 {
		t.Fatalf("drop: %d %s", a.status, a.body)
	}
	rej := e.hold(queue.Held, "kato@partner-d.example")
	if a := e.call(boss, "POST", "/api/v1/held/"+rej+"/reject", map[string]any{"comment": "宛先違い"}); a.status != 200 {
		t.Fatalf("reject: %d %s", a.status, a.body)
	}
	// The decisions the gateway would have recorded for these three.
	for _, qid := range []string{id, drop, rej} {
		it, _ := e.queue.Get(queue.ID(qid))
		e.dec.Append(ctx, decisionFor(it, e.now))
	}
	if a := e.call(sato, "POST", "/api/v1/feedback", FeedbackReq{MessageID: "nope@corp.example", Kind: "released"}); a.status != 400 {
		t.Errorf("a sender recording an approver's release: %d", a.status)
	}
	if a := e.call(sato, "POST", "/api/v1/feedback", FeedbackReq{MessageID: "nope@corp.example", Kind: "dropped"}); a.status != 400 {
		t.Errorf("dropped without recipient: %d", a.status)
	}

	rep := e.call(boss, "GET", "/api/v1/reports?since=2026-11-29T00:00:00Z&until=2026-12-01T00:00:00Z&tz=Asia/Tokyo", nil)
	var r reports.Report
	rep.json(t, &r)
	// Two drafts checked and flagged (sato's first check, and the held
	// three): confirmed 1, catches 2.
	if r.Total.FalseAlarms != 1 || r.Total.Catches != 2 || r.Total.Flagged < 4 {
		t.Errorf("report totals %+v", r.Total)
	}
	if r.Total.FalseAlarmRate <= 0 || r.Total.CatchRate <= r.Total.FalseAlarmRate {
		t.Errorf("rates: false alarms %v, catches %v", r.Total.FalseAlarmRate, r.Total.CatchRate)
	}
	csvA := e.call(boss, "GET", "/api/v1/reports.csv?since=2026-11-29T00:00:00Z&until=2026-12-01T00:00:00Z", nil)
	rows, err := csv.NewReader(bytes.NewReader(csvA.body)).ReadAll()
	if err != nil || len(rows) < 2 || rows[0][0] != "period" || csvA.header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("CSV: %v %q", err, csvA.body)
	}
	if a := e.call(boss, "GET", "/api/v1/reports?bucket=fortnight", nil); a.status != 400 {
		t.Errorf("bad bucket: %d %s", a.status, a.body)
	}

	// Each action is in the audit log with who did it.
	es, err := e.audit.Query(ctx, audit.Filter{Target: rej})
	if err != nil || len(es) != 1 || es[0].Action != audit.Reject || es[0].Actor != boss || es[0].Detail != "宛先違い" {
		t.Errorf("audit of the rejection: %+v %v", es, err)
	}
}

// A body read through the API is audited before it is returned.
func TestBodyReadAudited(t *testing.T) {
	e := newEnv(t)
	id := e.hold(queue.Held, "kato@partner-d.example")
	a := e.call("boss@corp.example", "GET", "/api/v1/held/"+id+"/body", nil)
	if a.status != 200 || !bytes.Contains(a.body, []byte(secretTerm)) || a.header.Get("Content-Type") != "message/rfc822" {
		t.Fatalf("body: %d %v", a.status, a.header)
	}
	es, err := e.audit.Query(context.Background(), audit.Filter{Action: audit.ViewBody})
	if err != nil || len(es) != 1 || es[0].Actor != "boss@corp.example" || es[0].Target != id || es[0].Role != "approver" {
		t.Errorf("audit: %+v %v", es, err)
	}
}

// An add-in's user drops the recipient a draft check flagged and sends the
// rest: the API records it as a catch, and the report counts the draft's
// decision as caught.
func TestDraftRecipientDroppedIsACatch(t *testing.T) {
	e := newEnv(t)
	const sato = "sato@corp.example"
	wrong := "tanaka@partner-a.examp1e"
	a := e.call(sato, "POST", "/api/v1/check", Draft{MessageID: "draft-9@corp.example", To: []string{wrong, "suzuki@partner-a.example"}, Subject: "お見積もり", Body: "お世話になっております。"})
	var out struct {
		Verdict  string
		Findings []struct{ Code, Recipient string }
	}
	a.json(t, &out)
	named := false
	for _, f := range out.Findings {
		named = named || f.Recipient == wrong
	}
	if out.Verdict == "pass" || !named {
		t.Fatalf("draft to a look-alike domain: %s", a.body)
	}
	if a := e.call(sato, "POST", "/api/v1/feedback", FeedbackReq{MessageID: "draft-9@corp.example", Kind: "dropped", Recipient: wrong}); a.status != 201 {
		t.Fatalf("feedback: %d %s", a.status, a.body)
	}
	// Recording it twice is one answer.
	e.call(sato, "POST", "/api/v1/feedback", FeedbackReq{MessageID: "draft-9@corp.example", Kind: "dropped", Recipient: wrong})
	rep := e.call("boss@corp.example", "GET", "/api/v1/reports?since=2026-11-29T00:00:00Z&until=2026-12-01T00:00:00Z", nil)
	var r reports.Report
	rep.json(t, &r)
	if r.Total.Flagged != 1 || r.Total.Catches != 1 || r.Total.CatchRate != 1 || r.Total.FalseAlarms != 0 {
		t.Errorf("report: %+v", r.Total)
	}
	if e.model.Contact(sato, wrong, e.now.Add(time.Minute)).Known() {
		t.Error("a dropped recipient was learned")
	}
}

// An approver's held mail sent from their directory alias is still their
// own (item 3 of issue 12): they can neither release nor reject it, while
// another approver's release is audited as theirs.
func TestAliasFourEyes(t *testing.T) {
	e := newEnv(t)
	for _, from := range []string{"boss@corp.example", "eigyo-bucho@corp.example"} {
		id := e.holdFrom(from, queue.Held, "tanaka@partner-b.example")
		for _, act := range []string{"release", "reject"} {
			a := e.call("boss@corp.example", "POST", "/api/v1/held/"+id+"/"+act, map[string]string{"comment": "ok"})
			if a.status != http.StatusForbidden {
				t.Errorf("%s: boss %ss his own held mail: %d %s", from, act, a.status, a.body)
			}
		}
		if it, _ := e.queue.Get(queue.ID(id)); it.State != queue.Held {
			t.Fatalf("%s: state %s", from, it.State)
		}
		var list heldList
		e.call("boss@corp.example", "GET", "/api/v1/held?scope=own", nil).json(t, &list)
		if !slices.ContainsFunc(list.Items, func(it held.Item) bool { return it.ID == id }) {
			t.Errorf("%s: own held mail missing from scope=own", from)
		}
		if a := e.call("adm@corp.example", "POST", "/api/v1/held/"+id+"/release", nil); a.status != http.StatusOK {
			t.Fatalf("%s: an organisation approver's release: %d %s", from, a.status, a.body)
		}
		es, err := e.audit.Query(context.Background(), audit.Filter{Target: id})
		if err != nil || len(es) != 1 || es[0].Action != audit.Release || es[0].Actor != "adm@corp.example" || es[0].Remote != "127.0.0.1" {
			t.Errorf("%s: audit %+v %v", from, es, err)
		}
	}
}
