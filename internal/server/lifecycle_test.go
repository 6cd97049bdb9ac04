package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/approval"
	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/notify"
	"github.com/misend/misend/internal/queue"
)

const (
	jicho  = "jicho@corp.example"  // boss's deputy (代理承認者)
	shacho = "shacho@corp.example" // approves for the whole organisation: the next level
)

// clock is a time the test moves; nothing waits for it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lifecycleOrg is the e2e organisation with boss's deputy and an
// organisation approver; boss's deputy reads times in New York.
func lifecycleOrg(t *testing.T) *org {
	return newOrg(t,
		directory.Person{Address: jicho, Name: "次長", Department: "営業部", Lang: "ja", TimeZone: "America/New_York"},
		directory.Person{Address: shacho, Name: "社長", Department: "役員室", Lang: "ja", ApproverOf: []string{"organization"}},
	)
}

// startLifecycleRig starts the rig with the approval lifecycle on cfg and
// a clock the test moves; the organisation's zone is Tokyo and boss's
// deputy comes from the directory.
func startLifecycleRig(t *testing.T, cfg *approval.Config) (*rig, *clock) {
	t.Helper()
	o := lifecycleOrg(t)
	dir := o.dir
	people := dir.People()
	for i := range people {
		if people[i].Address == boss {
			people[i].Deputy = jicho
		}
	}
	o.dir = directory.New(people, []string{"corp.example"})
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	r := startRigWith(t, nil, 0, o, func(opts *Options) {
		opts.Now = clk.Now
		opts.Location = tokyo
		opts.Approval = &Approval{Config: cfg, People: approval.NewDirectoryPeople(directory.NewCurrent(o.dir), cfg), Every: time.Hour}
	})
	return r, clk
}

// tick runs one round of the lifecycle and checks what it did.
func (r *rig) tick(want approval.Report) {
	r.t.Helper()
	got, err := r.s.Approval.Tick(context.Background())
	if err != nil || got != want {
		r.t.Fatalf("tick: %+v, %v; want %+v", got, err, want)
	}
}

// auditOf returns the audit entries on a message, oldest first.
func (r *rig) auditOf(id queue.ID) []audit.Entry {
	r.t.Helper()
	es, err := r.audit.Query(context.Background(), audit.Filter{Target: string(id)})
	if err != nil {
		r.t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

// TestHeldNobodyDecides: a held message nobody decides on goes, after
// escalate_after, to the approver's deputy and then to the organisation's
// approver, each with a notice through the upstream; at final_after it is
// returned to its sender (the original message arrives in the sender's
// mailbox and nowhere else) or refused, as the department says, with
// notices to the sender and everyone who was asked; every step is in the
// audit log with the message's subject and sender. Nothing sleeps: the
// test moves the clock.
func TestHeldNobodyDecides(t *testing.T) {
	for _, tc := range []struct {
		name   string
		action approval.FinalAction
		sender string // the sender's notice
		state  queue.State
	}{
		{"return", approval.Return, "It comes back to you as it was", queue.Delivered},
		{"reject", approval.Reject, "so it has been refused and not sent", queue.Rejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &approval.Config{
				Rules:      approval.Rules{EscalateAfter: approval.Duration(2 * time.Hour), FinalAfter: approval.Duration(6 * time.Hour)},
				Department: map[string]approval.Rules{"営業部": {FinalAction: tc.action}},
			}
			r, clk := startLifecycleRig(t, cfg)
			subject := "見積書の件 " + tc.name
			r.send([]string{"x@unknown-partner.example"}, subject)
			it := r.only(queue.Held)
			request := decodeQP(r.await(boss, "からのメールが承認待ちです").Data)
			if !strings.Contains(request, "までに判断がない場合") || !strings.Contains(request, "JST") {
				t.Errorf("the approver is not told the deadline in Tokyo time:\n%s", request)
			}

			clk.advance(time.Hour)
			r.tick(approval.Report{})

			clk.advance(time.Hour + time.Minute)
			r.tick(approval.Report{Escalated: 1})
			deputy := decodeQP(r.await(jicho, "代理承認者であるあなた").Data)
			for _, want := range []string{subject, "x@unknown-partner.example", "代理承認者", "EST"} {
				if !strings.Contains(deputy, want) {
					t.Errorf("deputy's notice lacks %q:\n%s", want, deputy)
				}
			}
			link(t, r.await(jicho, "代理承認者であるあなた"), notify.ActRelease) // the deputy may act
			if p, err := r.auth.Current(context.Background(), jicho); err != nil || !r.s.Held.MayDecide(r.heldItem(it.ID), &p) {
				t.Errorf("the deputy may not decide on the approvals page (%v)", err)
			}
			r.tick(approval.Report{}) // the same stage is not passed on twice

			clk.advance(2*time.Hour + time.Minute)
			r.tick(approval.Report{Escalated: 1})
			r.await(shacho, "上位の承認者であるあなた")

			clk.advance(2 * time.Hour)
			if tc.action == approval.Return {
				r.tick(approval.Report{Returned: 1})
			} else {
				r.tick(approval.Report{Rejected: 1})
			}
			r.await(sato, tc.sender)
			for _, a := range []string{boss, jicho, shacho} {
				r.await(a, "までに判断がなかったため")
			}
			if tc.action == approval.Return {
				back := r.await(sato, "お世話になっております")
				if !strings.Contains(string(back.Data), "x@unknown-partner.example") || back.From != sato {
					t.Errorf("returned message: from %q\n%s", back.From, back.Data)
				}
			}
			waitFor(t, "final state", func() bool { got, _ := r.s.Queue.Get(it.ID); return got.State == tc.state })
			r.bodyFileGone(it.ID)
			if got := r.arrived("x@unknown-partner.example", "お世話になっております"); len(got) != 0 {
				t.Fatal("a message nobody approved reached its recipient")
			}

			es := r.auditOf(it.ID)
			var acts []string
			for _, e := range es {
				acts = append(acts, e.Action)
				if e.Actor != held.System || e.Role != "system" || !strings.Contains(e.About, subject) || !strings.Contains(e.About, sato) ||
					!strings.Contains(e.Detail, "x@unknown-partner.example") {
					t.Errorf("audit entry %+v", e)
				}
			}
			final := audit.Return
			if tc.action == approval.Reject {
				final = audit.Expire
			}
			if strings.Join(acts, " ") != "escalate escalate "+final {
				t.Errorf("audit actions %v", acts)
			}
			if !strings.Contains(es[0].Detail, jicho) || !strings.Contains(es[1].Detail, shacho) {
				t.Errorf("escalations do not name who was asked: %q, %q", es[0].Detail, es[1].Detail)
			}
		})
	}
}

func (r *rig) heldItem(id queue.ID) held.Item {
	r.t.Helper()
	it, err := r.s.Held.Get(context.Background(), string(id), held.OperatorView)
	if err != nil {
		r.t.Fatal(err)
	}
	return it
}

// TestSelfRelease: a department without an approver (一時保留のみ) holds
// the message, tells its sender when they may send it themselves, and asks
// no approver; the sender's release link refuses before then and sends it
// after.
func TestSelfRelease(t *testing.T) {
	yes := true
	cfg := &approval.Config{Department: map[string]approval.Rules{"営業部": {SelfRelease: &yes, SelfReleaseAfter: approval.Duration(30 * time.Minute)}}}
	r, clk := startLifecycleRig(t, cfg)
	r.send([]string{"x@unknown-partner.example"}, "self release")
	it := r.only(queue.Held)
	notice := r.await(sato, "Your message is on hold: self release")
	if !strings.Contains(decodeQP(notice.Data), "you can send it yourself from") {
		t.Errorf("notice:\n%s", decodeQP(notice.Data))
	}
	u := link(t, notice, notify.ActRelease)
	if code := post(t, u); code != http.StatusConflict {
		t.Errorf("release before the delay: %d, want 409", code)
	}
	if got, _ := r.s.Queue.Get(it.ID); got.State != queue.Held {
		t.Fatalf("released early: %s", got.State)
	}
	clk.advance(31 * time.Minute)
	if code := post(t, u); code != http.StatusOK {
		t.Fatalf("release after the delay: %d", code)
	}
	r.await("x@unknown-partner.example", "self release")
	if got := r.arrived(boss, "self release"); len(got) != 0 {
		t.Error("an approver was asked in a department without approvers")
	}
	es := r.auditOf(it.ID)
	if len(es) != 1 || es[0].Action != audit.Release || es[0].Actor != sato || es[0].Role != "sender" {
		t.Errorf("audit: %+v", es)
	}
}

// TestDeputyDecides: once a held message was passed on, the deputy's
// release link sends it; the sender hears it was approved and the
// department's approver that it needs nothing more, and the audit log
// names the deputy as approver.
func TestDeputyDecides(t *testing.T) {
	cfg := &approval.Config{Rules: approval.Rules{EscalateAfter: approval.Duration(2 * time.Hour), FinalAfter: approval.Duration(6 * time.Hour)}}
	r, clk := startLifecycleRig(t, cfg)
	r.send([]string{"x@unknown-partner.example"}, "deputy decides")
	it := r.only(queue.Held)
	clk.advance(2*time.Hour + time.Minute)
	r.tick(approval.Report{Escalated: 1})
	request := r.await(jicho, "代理承認者であるあなた")
	if code := post(t, link(t, request, notify.ActRelease)); code != http.StatusOK {
		t.Fatalf("deputy's release: %d", code)
	}
	r.await("x@unknown-partner.example", "deputy decides")
	r.await(sato, "Your message was approved and sent: deputy decides")
	r.await(boss, "が送信を許可し、送信されました")
	es := r.auditOf(it.ID)
	if len(es) != 2 || es[1].Action != audit.Release || es[1].Actor != jicho || es[1].Role != "approver" {
		t.Errorf("audit: %+v", es)
	}
	clk.advance(6 * time.Hour)
	r.tick(approval.Report{}) // decided: no final action
}

// TestApproverDecidesAfterPassingOn: the department's approver can still
// decide after the request went to the deputy, and the deputy hears that
// nothing more needs doing.
func TestApproverDecidesAfterPassingOn(t *testing.T) {
	cfg := &approval.Config{Rules: approval.Rules{EscalateAfter: approval.Duration(time.Hour)}}
	r, clk := startLifecycleRig(t, cfg)
	r.send([]string{"x@unknown-partner.example"}, "boss decides")
	request := r.await(boss, "からのメールが承認待ちです")
	clk.advance(time.Hour + time.Minute)
	r.tick(approval.Report{Escalated: 1})
	r.await(jicho, "代理承認者であるあなた")
	if code := post(t, link(t, request, notify.ActReject)); code != http.StatusOK {
		t.Fatalf("approver's reject: %d", code)
	}
	r.await(jicho, "が差し戻したため、送信されていません")
	if got := r.arrived("x@unknown-partner.example", "boss decides"); len(got) != 0 {
		t.Error("a refused message was delivered")
	}
}
