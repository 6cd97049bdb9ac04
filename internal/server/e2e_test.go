package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-message/textproto"
	gomilter "github.com/emersion/go-milter"
	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/notify"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/sink"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

const (
	sato  = "sato@corp.example"
	boss  = "boss@corp.example"
	bucho = "eigyo-bucho@corp.example" // boss's alias
)

// org is a small learned organisation: sato in 営業部 has mailed two
// people at partner-a for months; boss approves for 営業部.
type org struct {
	model *model.Model
	svc   *decide.Path
	dir   *directory.Directory
}

func newOrg(t testing.TB, more ...directory.Person) *org {
	t.Helper()
	dir := directory.New(append([]directory.Person{
		{Address: sato, Name: "佐藤", Department: "営業部", Lang: "en"},
		{Address: boss, Name: "上司", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}, Lang: "ja", Aliases: []string{bucho}},
	}, more...), []string{"corp.example"})
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Department: dir.DepartmentOf})
	start := time.Now().Add(-200 * 24 * time.Hour)
	for i := range 120 {
		to := []mail.Address{{Addr: "tanaka@partner-a.example", Name: "田中"}}
		if i%3 == 0 {
			to = append(to, mail.Address{Addr: "suzuki@partner-a.example", Name: "鈴木"})
		}
		m.Learn(&mail.Message{
			MessageID: fmt.Sprintf("<h%d@corp.example>", i), From: mail.Address{Addr: sato, Name: "佐藤"},
			To: to, Subject: "打ち合わせ", Date: start.Add(time.Duration(i) * 36 * time.Hour),
		})
	}
	pol, err := policy.New(policy.Config{Default: policy.Rules{
		Bands: map[policy.Verdict]float64{policy.Hold: 0.999},
		Codes: map[finding.Code]policy.Verdict{finding.NewRecipient: policy.Confirm, finding.NewDomain: policy.Hold},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &org{model: m, dir: dir, svc: check.Path(&detect.Detector{Model: m}, pol, check.Fixed{Directory: dir})}
}

type rig struct {
	t     *testing.T
	s     *Server
	sink  *sink.Sink
	org   *org
	dlog  *decisions.Log
	auth  *auth.Service // who may act on held mail now
	audit *audit.Log
	saves atomic.Int32
	spool string
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startRig(t *testing.T, key []byte) *rig { return startRigEvery(t, key, 0) }

func startRigEvery(t *testing.T, key []byte, saveEvery time.Duration) *rig {
	t.Helper()
	return startRigWith(t, key, saveEvery, newOrg(t), nil)
}

// startRigWith starts the rig over o, with changes to the server's options.
func startRigWith(t *testing.T, key []byte, saveEvery time.Duration, o *org, with func(*Options)) *rig {
	t.Helper()
	sk, up := startSink(t)
	r := &rig{t: t, sink: sk, org: o, spool: t.TempDir()}
	db, err := store.Open(context.Background(), pgtest.Path(t, t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if r.dlog, err = decisions.Open(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if r.auth, err = auth.Open(context.Background(), db, r.org.dir); err != nil {
		t.Fatal(err)
	}
	if r.audit, err = audit.Open(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.dlog.Close() })
	httpAddr := freeAddr(t)
	opts := Options{
		SMTPAddr:    "127.0.0.1:0",
		MilterAddr:  "127.0.0.1:0",
		HTTPAddr:    httpAddr,
		SpoolDir:    r.spool,
		SpoolKey:    key,
		Upstream:    relay.Client{Addr: up, TLS: relay.TLSNone},
		Retry:       queue.Retry{First: 50 * time.Millisecond, Max: 200 * time.Millisecond, MaxAge: time.Hour},
		Decide:      r.org.svc,
		Decisions:   r.dlog,
		People:      r.auth,
		AuditAction: r.audit.HeldActions(),
		Notify: &Notify{Key: bytes.Repeat([]byte{7}, 32), BaseURL: "http://" + httpAddr, From: "misend@corp.example",
			People: notify.DirectoryPeople{Dir: directory.NewCurrent(r.org.dir)}},
		Model:     r.org.model,
		SaveModel: func(context.Context) error { r.saves.Add(1); return nil },
		SaveEvery: saveEvery,
		Log:       slog.New(slog.DiscardHandler),
	}
	if with != nil {
		with(&opts)
	}
	r.s, err = Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.s.Shutdown(context.Background()) })
	return r
}

func (r *rig) send(to []string, subject string) {
	r.t.Helper()
	raw := fmt.Sprintf("From: 佐藤 <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d.%s@corp.example>\r\nDate: %s\r\n\r\nお世話になっております。\r\n",
		sato, strings.Join(to, ", "), subject, time.Now().UnixNano(), strings.ReplaceAll(subject, " ", "-"), time.Now().Format(time.RFC1123Z))
	sendRaw(r.t, r.s.SMTP, sato, to, raw)
}

func sendRaw(t *testing.T, addr net.Addr, from string, to []string, raw string) {
	t.Helper()
	c, err := smtpDial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(from, to, strings.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
}

// arrived returns the messages at the sink for rcpt whose text contains marker.
func (r *rig) arrived(rcpt, marker string) []sink.Message {
	var out []sink.Message
	for _, m := range r.sink.Messages() {
		if len(m.To) > 0 && strings.EqualFold(m.To[0], rcpt) && strings.Contains(decodeQP(m.Data), marker) {
			out = append(out, m)
		}
	}
	return out
}

func (r *rig) await(rcpt, marker string) sink.Message {
	r.t.Helper()
	var got []sink.Message
	waitFor(r.t, "mail to "+rcpt+" with "+marker, func() bool { got = r.arrived(rcpt, marker); return len(got) > 0 })
	return got[0]
}

func decodeQP(b []byte) string {
	s := string(b)
	if i := strings.Index(s, "\r\n\r\n"); i >= 0 && strings.Contains(s[:i], "quoted-printable") {
		body, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(s[i+4:])))
		if err == nil {
			return s[:i+4] + string(body)
		}
	}
	return s
}

var linkRE = regexp.MustCompile(`http://[^\s]+/act/[A-Za-z0-9_.%-]+`)

// link returns the link in a notice that acts as act.
func link(t *testing.T, notice sink.Message, act notify.Action) string {
	t.Helper()
	s := notify.Action("")
	for _, u := range linkRE.FindAllString(decodeQP(notice.Data), -1) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(page), `<form method="post">`) {
			t.Fatalf("GET %s: %d %s", u, resp.StatusCode, page)
		}
		for _, a := range []notify.Action{notify.ActConfirm, notify.ActCancel, notify.ActRelease, notify.ActReject} {
			if strings.Contains(string(page), map[notify.Action]string{
				notify.ActConfirm: "Send this message", notify.ActCancel: "Cancel this message",
				notify.ActRelease: "Release this message", notify.ActReject: "Refuse this message"}[a]) {
				s = a
			}
		}
		if s == act {
			return u
		}
	}
	t.Fatalf("no %s link in %s", act, decodeQP(notice.Data))
	return ""
}

func post(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Post(u, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (r *rig) only(state queue.State) queue.Item {
	r.t.Helper()
	its := r.s.Queue.Items(func(it *queue.Item) bool { return it.State == state && !it.System })
	if len(its) != 1 {
		r.t.Fatalf("%d messages %s, want 1 (%v)", len(its), state, r.s.Queue.Depth())
	}
	return its[0]
}

func (r *rig) bodyFileGone(id queue.ID) {
	r.t.Helper()
	// After a delivery the file goes with the spool's next sync.
	var files []string
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if files, _ = filepath.Glob(filepath.Join(r.spool, "msg", string(id)+".*")); len(files) == 0 {
			break
		}
	}
	if len(files) != 0 {
		r.t.Errorf("body of %s still on disk: %v", id, files)
	}
	if _, err := r.s.Queue.Body(id); !errors.Is(err, queue.ErrNotFound) {
		r.t.Errorf("body of %s still readable: %v", id, err)
	}
}

// TestConfirmByLinkDeliversAndLearns: a first message to a new person at a
// known partner waits for confirmation; the sender's notice arrives through
// the upstream; GET shows a page and does nothing, POST confirms; the
// original message arrives, the model learns the new contact, and the
// decision is recorded.
func TestConfirmByLinkDeliversAndLearns(t *testing.T) {
	r := startRig(t, nil)
	newbie := "yamada@partner-a.example"
	if r.org.model.Contact(sato, newbie, time.Now()).Known() {
		t.Fatal("new recipient already known")
	}
	r.send([]string{newbie}, "confirm me")
	it := r.only(queue.Confirming)
	if it.Department != "営業部" || it.Subject != "confirm me" || len(it.Flagged) != 1 || it.Flagged[0] != newbie {
		t.Errorf("waiting item %+v", it)
	}
	notice := r.await(sato, "Please confirm your message: confirm me")
	if strings.Contains(string(notice.Data), "お世話になっております") {
		t.Error("notice carries the message body")
	}
	if notice.From != "" {
		t.Errorf("notice envelope sender %q, want the null sender", notice.From)
	}
	u := link(t, notice, notify.ActConfirm)
	if got := r.arrived(newbie, "confirm me"); len(got) != 0 {
		t.Fatal("delivered before confirmation (a GET must not act)")
	}
	if code := post(t, u); code != 200 {
		t.Fatalf("POST confirm: %d", code)
	}
	m := r.await(newbie, "confirm me")
	if !strings.Contains(string(m.Data), "お世話になっております") || m.From != sato {
		t.Errorf("delivered %q from %q", m.Data, m.From)
	}
	if code := post(t, u); code != http.StatusConflict {
		t.Errorf("second POST: %d, want 409", code)
	}
	waitFor(t, "learning", func() bool { return r.org.model.Contact(sato, newbie, time.Now()).Known() })
	r.bodyFileGone(it.ID)

	recs, err := r.dlog.Recent(context.Background(), time.Time{}, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("decisions: %v, %v", recs, err)
	}
	if rec := recs[0]; rec.Via != "smtp" || rec.Decision.Verdict != policy.Confirm || rec.Department != "営業部" ||
		rec.QueueID != string(it.ID) || len(rec.Findings) == 0 {
		t.Errorf("record %+v", rec)
	}
	// The same message again is no longer a first contact.
	r.send([]string{newbie}, "second time")
	r.await(newbie, "second time")
	if err := r.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.saves.Load() == 0 {
		t.Error("model not saved at shutdown")
	}
}

// TestHoldRejectAndCancel: a new domain is held; the sender hears it waits,
// the approver gets release and reject links (in Japanese); rejecting by
// link means it is never delivered and its body is gone. A confirmation
// cancelled by the sender is never delivered either.
func TestHoldRejectAndCancel(t *testing.T) {
	r := startRig(t, nil)
	r.send([]string{"x@unknown-partner.example"}, "hold me")
	it := r.only(queue.Held)
	r.await(sato, "Your message waits for approval: hold me")
	approval := r.await(boss, "からのメールが承認待ちです")
	if !strings.Contains(decodeQP(approval.Data), "x@unknown-partner.example") {
		t.Error("approval notice does not name the recipient")
	}
	if code := post(t, link(t, approval, notify.ActReject)); code != 200 {
		t.Fatalf("POST reject: %d", code)
	}
	got, _ := r.s.Queue.Get(it.ID)
	if got.State != queue.Rejected || got.By != boss {
		t.Errorf("after reject: %s by %q", got.State, got.By)
	}
	// A link's action is audited like any other (item 4 of issue 12).
	es, err := r.audit.Query(context.Background(), audit.Filter{Target: string(it.ID)})
	if err != nil || len(es) != 1 || es[0].Action != audit.Reject || es[0].Actor != boss || es[0].Role != "approver" ||
		!strings.Contains(es[0].Detail, "via link") || es[0].Remote != "127.0.0.1" {
		t.Errorf("audit of the link's reject: %+v, %v", es, err)
	}
	r.bodyFileGone(it.ID)
	r.await(sato, "Your message was not approved: hold me")

	r.send([]string{"kimura@partner-a.example"}, "cancel me")
	c := r.only(queue.Confirming)
	notice := r.await(sato, "Please confirm your message: cancel me")
	if code := post(t, link(t, notice, notify.ActCancel)); code != 200 {
		t.Fatalf("POST cancel: %d", code)
	}
	r.bodyFileGone(c.ID)
	// Mail sent after them arriving shows delivery went on meanwhile.
	r.send([]string{"tanaka@partner-a.example"}, "after them")
	r.await("tanaka@partner-a.example", "after them")
	if len(r.arrived("x@unknown-partner.example", "hold me"))+len(r.arrived("kimura@partner-a.example", "cancel me")) != 0 {
		t.Error("a rejected or cancelled message was delivered")
	}
	if r.org.model.Contact(sato, "kimura@partner-a.example", time.Now()).Known() {
		t.Error("a cancelled message taught the model")
	}
}

// TestMilterHoldReleasedThroughUpstream: the milter decides with the same
// decider, hands a held message to the same queue (Postfix is told to
// discard it), and an approver's release through held delivers it upstream.
func TestMilterHoldReleasedThroughUpstream(t *testing.T) {
	r := startRig(t, nil)
	cl := gomilter.NewClientWithOptions("tcp", r.s.Milter.String(), gomilter.ClientOptions{
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
		ActionMask: gomilter.OptAddHeader | gomilter.OptChangeHeader,
	})
	defer cl.Close()
	cs, err := cl.Session()
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if _, err := cs.Mail("<"+sato+">", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Rcpt("<x@elsewhere.example>", nil); err != nil {
		t.Fatal(err)
	}
	var h textproto.Header
	h.Add("Subject", "via milter")
	h.Add("To", "x@elsewhere.example")
	h.Add("From", sato)
	if _, err := cs.Header(h); err != nil {
		t.Fatal(err)
	}
	_, act, err := cs.BodyReadFrom(strings.NewReader("body from postfix\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if act.Code != gomilter.ActDiscard {
		t.Fatalf("milter answered %v, want discard (held in misend)", act.Code)
	}
	it := r.only(queue.Held)
	r.await(boss, "からのメールが承認待ちです")
	if _, err := r.s.Held.Release(context.Background(), string(it.ID), r.actor(boss), ""); err != nil {
		t.Fatal(err)
	}
	m := r.await("x@elsewhere.example", "body from postfix")
	r.await(sato, "Your message was approved and sent: via milter")
	if !strings.Contains(string(m.Data), "Subject: via milter") {
		t.Errorf("released %q", m.Data)
	}
	recs, _ := r.dlog.Recent(context.Background(), time.Time{}, 10)
	if len(recs) != 1 || recs[0].Via != "milter" || recs[0].QueueID != string(it.ID) {
		t.Errorf("records %+v", recs)
	}
}

// TestHeldInterfaceConfirmRecipient: the web UI's path: the sender confirms
// the one flagged recipient through held, and the message leaves.
func TestHeldInterfaceConfirmRecipient(t *testing.T) {
	r := startRig(t, nil)
	r.send([]string{"tanaka@partner-a.example", "ito@partner-a.example"}, "two recipients")
	it := r.only(queue.Confirming)
	mine, _ := r.s.Held.ForSender(context.Background(), sato, held.SenderView)
	if len(mine) != 1 || len(mine[0].Recipients) != 2 || mine[0].Recipients[0].Flagged || !mine[0].Recipients[1].Flagged {
		t.Fatalf("sender's list %+v", mine)
	}
	got, err := r.s.Held.ConfirmRecipient(context.Background(), string(it.ID), "ito@partner-a.example", r.actor(sato))
	if err != nil || got.State != queue.Queued {
		t.Fatalf("confirm: %+v %v", got, err)
	}
	r.await("tanaka@partner-a.example", "two recipients")
}

// actor is addr acting on held mail as the directory says now.
func (r *rig) actor(addr string) held.Actor {
	r.t.Helper()
	a, err := r.s.Held.ActorFor(context.Background(), addr, "test", "")
	if err != nil {
		r.t.Fatal(err)
	}
	return a
}

// TestLinkRecheckedWhenUsed: an approval link is checked against the
// directory when it is used, not when it was mailed: once the approver's
// role is removed (a new directory in force) the link is refused, the
// message stays held and the refusal is not audited as an action; the same
// goes for a disabled account. (Item 4 of issue 12; before, the link
// released for its whole 72 hours.)
func TestLinkRecheckedWhenUsed(t *testing.T) {
	for _, revoke := range []struct {
		name string
		do   func(r *rig)
	}{
		{"role removed", func(r *rig) {
			r.auth.SetDirectory(directory.New([]directory.Person{
				{Address: sato, Name: "佐藤", Department: "営業部"},
				{Address: boss, Name: "上司", Department: "営業部"},
			}, []string{"corp.example"}))
		}},
		{"account disabled", func(r *rig) {
			if err := r.auth.AddAccount(context.Background(), boss, "correct horse battery", nil); err != nil {
				r.t.Fatal(err)
			}
			if err := r.auth.SetDisabled(context.Background(), boss, true); err != nil {
				r.t.Fatal(err)
			}
		}},
		{"left the organisation", func(r *rig) {
			r.auth.SetDirectory(directory.New([]directory.Person{{Address: sato, Name: "佐藤", Department: "営業部"}}, []string{"corp.example"}))
		}},
	} {
		t.Run(revoke.name, func(t *testing.T) {
			r := startRig(t, nil)
			r.send([]string{"x@unknown-partner.example"}, "hold me")
			it := r.only(queue.Held)
			approval := r.await(boss, "からのメールが承認待ちです")
			u := link(t, approval, notify.ActRelease)
			revoke.do(r)
			if code := post(t, u); code != http.StatusForbidden {
				t.Fatalf("POST release after revocation: %d, want 403", code)
			}
			if got, _ := r.s.Queue.Get(it.ID); got.State != queue.Held {
				t.Fatalf("state %s after a refused link, want held", got.State)
			}
			if es, _ := r.audit.Query(context.Background(), audit.Filter{Target: string(it.ID)}); len(es) != 0 {
				t.Errorf("refused link audited as an action: %+v", es)
			}
		})
	}
}

// TestAliasLinkFourEyes: mail boss sends from his alias is his own (item 3
// of issue 12): he is told it waits, gets no approval request for it, and
// a release link made out to him is refused when used; the message stays
// held.
func TestAliasLinkFourEyes(t *testing.T) {
	r := startRig(t, nil)
	raw := fmt.Sprintf("From: 部長 <%s>\r\nTo: x@unknown-partner.example\r\nSubject: own hold\r\nMessage-ID: <own.%d@corp.example>\r\nDate: %s\r\n\r\nお世話になっております。\r\n",
		bucho, time.Now().UnixNano(), time.Now().Format(time.RFC1123Z))
	sendRaw(t, r.s.SMTP, bucho, []string{"x@unknown-partner.example"}, raw)
	it := r.only(queue.Held)
	if it.Outcome.Sender != boss {
		t.Errorf("held for sender %q, want the alias's owner %s", it.Outcome.Sender, boss)
	}
	// The decision resolved the alias to boss: he hears at his own address
	// that it waits (in his language), and is asked nothing.
	r.await(boss, "メール「own hold」は、部署の承認者の確認待ちのため")
	if got := r.arrived(boss, "からのメールが承認待ちです"); len(got) != 0 {
		t.Errorf("boss was asked to approve his own mail sent from his alias")
	}
	u := r.s.Notifier.Signer.Sign(notify.Grant{Action: notify.ActRelease, QueueID: string(it.ID), Actor: boss, Expires: time.Now().Add(time.Hour)})
	if code := post(t, "http://"+r.s.HTTP.String()+"/act/"+u); code != http.StatusForbidden {
		t.Fatalf("boss releasing his own mail by link: %d, want 403", code)
	}
	if got, _ := r.s.Queue.Get(it.ID); got.State != queue.Held {
		t.Fatalf("state %s, want held", got.State)
	}
}

func smtpDial(addr net.Addr) (*smtp.Client, error) { return smtp.Dial(addr.String()) }

// TestEncryptedHeldBody: with a spool key, a held body and its metadata are
// not readable on disk; an approver reading it is audited; once released and
// delivered the body file is gone.
func TestEncryptedHeldBody(t *testing.T) {
	r := startRig(t, bytes.Repeat([]byte{9}, 32))
	r.send([]string{"x@unknown-partner.example"}, "secret quote")
	it := r.only(queue.Held)
	files, _ := filepath.Glob(filepath.Join(r.spool, "*", string(it.ID)+".*"))
	if len(files) == 0 {
		t.Fatal("no spool file for the held message")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"secret quote", "お世話になっております", "unknown-partner", sato} {
			if bytes.Contains(b, []byte(plain)) {
				t.Errorf("%s holds %q in the clear", filepath.Base(f), plain)
			}
		}
	}
	var reads []held.BodyRead
	r.s.Held.Audit = func(_ context.Context, b held.BodyRead) error { reads = append(reads, b); return nil }
	body, err := r.s.Held.Body(context.Background(), string(it.ID), r.actor(boss), "approval")
	if err != nil || !strings.Contains(string(body), "お世話になっております") {
		t.Fatalf("body through held: %v", err)
	}
	if len(reads) != 1 || reads[0].Reader.Addr != boss {
		t.Errorf("audit %+v", reads)
	}
	if _, err := r.s.Held.Release(context.Background(), string(it.ID), r.actor(boss), ""); err != nil {
		t.Fatal(err)
	}
	r.await("x@unknown-partner.example", "secret quote")
	waitFor(t, "delivered state", func() bool { got, _ := r.s.Queue.Get(it.ID); return got.State == queue.Delivered })
	r.bodyFileGone(it.ID)
}

// TestMetricsByVerdictCodeAndFailSafe: /metrics counts verdicts, finding
// codes and fail-safe decisions.
func TestMetricsByVerdictCodeAndFailSafe(t *testing.T) {
	o := newOrg(t)
	_, up := startSink(t)
	s, err := Start(Options{
		SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", SpoolDir: t.TempDir(),
		Upstream: relay.Client{Addr: up, TLS: relay.TLSNone},
		Decide: withParse(o.svc, func(raw []byte, lim mail.Limits) (*mail.Message, error) {
			if bytes.Contains(raw, []byte("BROKEN")) {
				return nil, errors.New("broken MIME")
			}
			return mail.Parse(bytes.NewReader(raw), lim)
		}),
		Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	raw := func(to, subj string) string {
		return "From: " + sato + "\r\nTo: " + to + "\r\nSubject: " + subj + "\r\n\r\nhi\r\n"
	}
	sendRaw(t, s.SMTP, sato, []string{"tanaka@partner-a.example"}, raw("tanaka@partner-a.example", "usual"))
	sendRaw(t, s.SMTP, sato, []string{"new@partner-a.example"}, raw("new@partner-a.example", "new one"))
	sendRaw(t, s.SMTP, sato, []string{"tanaka@partner-a.example"}, raw("tanaka@partner-a.example", "BROKEN"))
	resp, err := http.Get("http://" + s.HTTP.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`misend_messages_total{verdict="pass"} 1`,
		`misend_messages_total{verdict="confirm"} 1`,
		`misend_messages_total{verdict="hold"} 1`,
		`misend_findings_total{code="NEW_RECIPIENT"} 1`,
		`misend_fail_safe_total 1`,
		`misend_decided_total{decided="hold",shadow="false"} 1`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestModelSavedPeriodically: a delivered message makes the model dirty and
// the next tick saves it; with nothing new, nothing is saved again.
func TestModelSavedPeriodically(t *testing.T) {
	r := startRigEvery(t, nil, 30*time.Millisecond)
	ticks := func(n int64) {
		t.Helper()
		from := r.s.saveTicks.Load()
		waitFor(t, fmt.Sprintf("%d save ticks", n), func() bool { return r.s.saveTicks.Load() >= from+n })
	}
	ticks(3)
	if n := r.saves.Load(); n != 0 {
		t.Fatalf("saved %d times with nothing learned", n)
	}
	r.send([]string{"tanaka@partner-a.example"}, "usual mail")
	r.await("tanaka@partner-a.example", "usual mail")
	waitFor(t, "periodic save", func() bool { return r.saves.Load() == 1 })
	ticks(3)
	if n := r.saves.Load(); n != 1 {
		t.Errorf("saved %d times, want 1", n)
	}
}

// withParse is a copy of p that reads messages with parse.
func withParse(p *decide.Path, parse func([]byte, mail.Limits) (*mail.Message, error)) *decide.Path {
	c := *p
	c.Parse = parse
	return &c
}
