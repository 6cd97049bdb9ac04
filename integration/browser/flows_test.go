package browser

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/reports"
)

// A sender confirms the flagged recipient of a message waiting for them,
// ticking it on the page; the message reaches the upstream, and the
// recipient is a known contact afterwards.
func TestSenderConfirms(t *testing.T) {
	needBrowser(t)
	r := start(t)
	newcomer := "yamada@partner-a.example"
	id := r.send(sato, []string{"tanaka@partner-a.example", newcomer}, "新しいご担当者様へ", "はじめまして。営業部の佐藤です。")
	it := r.waiting(id, queue.Confirming)
	if !slices.Contains(it.Flagged, newcomer) {
		t.Fatalf("flagged %v, want %s", it.Flagged, newcomer)
	}
	r.notDelivered(id)
	r.browse(login(sato), []step{
		goTo("/held"), status(200), text(newcomer), text("新しいご担当者様へ"), text("この宛先に送信する"), shot("held"),
		viewport(360, 740), shot("held-phone"), viewport(1366, 768),
		// Nothing ticked: the page again, saying what to do.
		click("button[form='confirm-" + string(it.ID) + "']"), text("宛先が選ばれていないため、送信していません"), shot("held-nothing-ticked"),
		tick("input[name=rcpt][value='" + newcomer + "']"),
		click("button[form='confirm-" + string(it.ID) + "']"), status(200),
		text("メール「新しいご担当者様へ」を送信しました"), absent("すべて確認されると送信されます"), shot("held-confirmed"),
	})
	m := r.delivered(id)
	if !slices.Contains(m.To, newcomer) || !slices.Contains(m.To, "tanaka@partner-a.example") {
		t.Errorf("delivered to %v", m.To)
	}
	if !r.model.Contact(sato, newcomer, it.Created).Known() {
		t.Error("the confirmed recipient is not a known contact of the sender")
	}
	// The confirmation made on the page counts as a false alarm in reports.
	r.decided.Flush()
	rep, err := reports.Build(context.Background(), reports.DecisionsTable{DB: r.db}, r.feedback,
		reports.Query{Since: it.Created.Add(-time.Hour), Until: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total.Flagged != 1 || rep.Total.FalseAlarms != 1 || rep.Total.FalseAlarmRate != 1 {
		t.Errorf("report after the confirmation: %+v", rep.Total)
	}
}

// An approver releases a message held for confidential terms: the sender's
// page names the reason but never the term; the approver sees the term,
// reads the body (audited) and releases; the message reaches the upstream.
func TestApproverReleases(t *testing.T) {
	needBrowser(t)
	r := start(t)
	id := r.send(sato, []string{"tanaka@partner-a.example"}, "資料送付", "厳秘の資料を送ります。")
	it := r.waiting(id, queue.Held)
	r.browse(login(sato), []step{goTo("/held"), text("資料送付"), absent("厳秘"), shot("held-sender-view")}, logout, login(boss), []step{
		goTo("/approvals"), status(200), text("資料送付"), text("機密情報"), shot("approvals"),
		goTo("/approvals/" + string(it.ID) + "/body"), status(200), text("厳秘の資料"), shot("approval-body"),
		goTo("/approvals"), text("佐藤"), absent("(high)"), viewport(360, 740), shot("approvals-phone"), viewport(1366, 768),
		// Confidential information leaves only with a reason.
		click("button[formaction='/approvals/" + string(it.ID) + "/release']"), text("送信を許可する理由をコメントに入力してください"),
		fill("#c-"+string(it.ID), "先方との NDA 締結済み"),
		click("button[formaction='/approvals/" + string(it.ID) + "/release']"), status(200), shot("approvals-released"),
	})
	r.delivered(id)
	reads, err := r.audit.Query(context.Background(), audit.Filter{Action: audit.ViewBody, Target: string(it.ID)})
	if err != nil || len(reads) != 1 || reads[0].Actor != boss {
		t.Errorf("body read audit: %+v %v", reads, err)
	}
}

// An operator proposes a recommended term for 営業部's list from the
// recommendation page; the list's approver approves it; it is on the list.
func TestOperatorAcceptsRecommendation(t *testing.T) {
	needBrowser(t)
	r := start(t)
	const term = "リスク分析"
	r.browse(login(ope), []step{
		goTo("/terms/recommend?scope=department:営業部"), status(200), text(term), shot("recommend"),
		click("tr:has(td:text-is('" + term + "')) a"), at("/terms"), shot("terms-propose"),
		click("form[action='/terms/propose'] button"), status(200), text(term), shot("terms-proposed"),
	})
	list := func() []string {
		ts, err := r.terms.List(context.Background(), salesList)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tm := range ts {
			out = append(out, tm.Text)
		}
		return out
	}
	if slices.Contains(list(), term) {
		t.Fatal("a proposal changed the list before approval")
	}
	r.browse(login(boss), []step{
		goTo("/terms?scope=department:営業部"), status(200), text(term), shot("terms-pending"),
		click("tr:has(td:text-is('" + term + "')) button[formaction$='/approve']"), status(200), shot("terms-approved"),
	})
	if got := list(); !slices.Contains(got, term) {
		t.Errorf("list after approval: %v", got)
	}
	// Once the server has looked again, the next message carrying the new
	// term out of 営業部 is held.
	r.followLists()
	id := r.send(sato, []string{"tanaka@partner-a.example"}, "ご報告", "先日の"+term+"の結果です。")
	r.waiting(id, queue.Held)
}

// Every other page renders for the roles that use it, at desk and phone
// width, and keyboard navigation reaches the sign-in button.
func TestPagesRender(t *testing.T) {
	needBrowser(t)
	r := start(t)
	ctx := context.Background()
	// Something to report: mail that passed, a confirmation, a cancel, a
	// release and a rejection.
	r.send(sato, []string{"tanaka@partner-a.example"}, "定例", "来週の定例会議の件です。")
	as := func(addr string) held.Actor {
		a, err := r.srv.Held.ActorFor(ctx, addr, "test", "")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	act := func(subject string, state queue.State, fn func(id string) error, to ...string) {
		body := "はじめまして。" // a new recipient: confirm
		if state == queue.Held {
			body = "厳秘の件です。" // a confidential term: hold
		}
		it := r.waiting(r.send(sato, to, subject, body), state)
		if err := fn(string(it.ID)); err != nil {
			t.Fatal(err)
		}
	}
	act("確認", queue.Confirming, func(id string) error {
		_, err := r.srv.Held.ConfirmRecipient(ctx, id, "kimura@partner-a.example", as(sato))
		return err
	}, "kimura@partner-a.example")
	act("取消", queue.Confirming, func(id string) error { _, err := r.srv.Held.Cancel(ctx, id, as(sato)); return err }, "sasaki@partner-a.example")
	act("承認", queue.Held, func(id string) error { _, err := r.srv.Held.Release(ctx, id, as(boss), ""); return err }, "tanaka@partner-a.example")
	act("却下", queue.Held, func(id string) error { _, err := r.srv.Held.Reject(ctx, id, as(boss), "宛先違い"); return err }, "kato@partner-b.example")
	r.decided.Flush()
	r.browse([]step{
		goTo("/login"), fill("#address", adm), fill("#password", password),
		keys("Tab", "Enter"), status(200), shot("home"),
		// Two of four flagged messages were false alarms, two catches.
		goTo("/reports"), text("50.0%"), text("初めての宛先"), absent("NEW_RECIPIENT"),
		goTo("/audit"), text("送信の許可"), text("差し戻し"), absent(">release<"), absent(">sign-in<"),
	}, pages("reports", "audit", "directory", "policy", "terms"), logout,
		login(sato), []step{goTo("/"), shot("home-sender"), goTo("/reports"), status(200), shot("reports-sender"),
			goTo("/audit"), status(403), shot("audit-forbidden")})
}

func pages(names ...string) []step {
	var out []step
	for _, n := range names {
		out = append(out, goTo("/"+n), status(200), shot(n), viewport(360, 740), shot(n+"-phone"), viewport(1366, 768))
	}
	return out
}
