package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// fixed answers every message with one verdict, or with the fail-safe
// hold when err is set (a detector that broke).
type fixed struct {
	v       policy.Verdict
	err     error
	outside bool // a recipient is outside the organisation
}

func (f fixed) Decide(ctx context.Context, env decide.Envelope, raw []byte) decide.Result {
	if f.err != nil {
		return decide.Result{Decision: policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "fail-safe"}, Err: f.err}
	}
	d := policy.Decision{Verdict: f.v, Decided: f.v, Rule: "fixed"}
	if f.v == policy.Delay {
		d.Delay = time.Hour
	}
	return decide.Result{Decision: d, Outside: f.outside}
}

// spool is the part of the queue these tests store in.
type spool interface {
	Accept(ctx context.Context, env queue.Envelope, raw []byte, out queue.Outcome, state queue.State, notBefore time.Time) (queue.ID, error)
}

// spoolIntake takes decided messages into a spool by their verdict.
type spoolIntake struct{ s spool }

func (in spoolIntake) Take(ctx context.Context, env queue.Envelope, raw []byte, res decide.Result) (queue.ID, error) {
	state, notBefore := Waiting(res, time.Now())
	out := queue.Outcome{MessageID: res.MessageID, Sender: res.Sender, Verdict: res.Decision.Verdict, Score: res.Score, Findings: res.Findings}
	return in.s.Accept(ctx, env, raw, out, state, notBefore)
}

type failingSpool struct{}

func (failingSpool) Accept(context.Context, queue.Envelope, []byte, queue.Outcome, queue.State, time.Time) (queue.ID, error) {
	return "", errors.New("fsync: input/output error")
}

func start(t *testing.T, cfg Config, d decide.Decider, s spool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := New(cfg, d, spoolIntake{s})
	go g.Serve(l)
	t.Cleanup(func() { g.Shutdown(context.Background()) })
	return l.Addr().String()
}

const msg = "From: a@corp.example\r\nTo: b@partner.example\r\nSubject: hi\r\nMessage-ID: <1@corp.example>\r\n\r\nhello\r\n"

func send(addr string, rcpts []string, body string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail("a@corp.example", rcpts, strings.NewReader(body)); err != nil {
		return err
	}
	return c.Quit()
}

func code(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func TestVerdictsToStates(t *testing.T) {
	tests := []struct {
		d        fixed
		wantCode int
		state    queue.State
	}{
		{fixed{v: policy.Pass}, 0, queue.Queued},
		{fixed{v: policy.Warn}, 0, queue.Queued},
		{fixed{v: policy.Hold}, 0, queue.Held},
		{fixed{v: policy.Confirm}, 0, queue.Confirming},
		{fixed{v: policy.Delay}, 0, queue.Delayed},
		{fixed{v: policy.Reject}, 550, ""},
		{fixed{err: errors.New("detector broke")}, 0, queue.Held}, // fail-safe
	}
	for _, tc := range tests {
		name := string(tc.d.v)
		if tc.d.err != nil {
			name = "error"
		}
		t.Run(name, func(t *testing.T) {
			q, err := queue.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			addr := start(t, Config{}, tc.d, q)
			err = send(addr, []string{"b@partner.example", "c@partner.example"}, msg)
			if code(err) != tc.wantCode || (tc.wantCode == 0 && err != nil) {
				t.Fatalf("send: %v, want code %d", err, tc.wantCode)
			}
			total := 0
			for _, n := range q.Depth() {
				total += n
			}
			if tc.state == "" {
				if total != 0 {
					t.Errorf("refused mail spooled: %v", q.Depth())
				}
				return
			}
			items := q.List(tc.state)
			if len(items) != 1 || total != 1 {
				t.Fatalf("spool %v, want one %s message", q.Depth(), tc.state)
			}
			body, _ := q.Body(items[0].ID)
			if warned := strings.HasPrefix(string(body), "X-Misend-Warning:"); warned != (tc.d.v == policy.Warn) {
				t.Errorf("warning header %v for %s", warned, tc.d.v)
			}
			if len(items[0].Envelope.To) != 2 {
				t.Errorf("envelope %+v", items[0].Envelope)
			}
		})
	}
}

func TestNo250WithoutDurableStore(t *testing.T) {
	addr := start(t, Config{}, fixed{v: policy.Pass}, failingSpool{})
	if err := send(addr, []string{"b@x.example"}, msg); code(err) != 451 {
		t.Errorf("send with failing store: %v, want 451", err)
	}
}

func TestLimits(t *testing.T) {
	q, _ := queue.Open(t.TempDir())
	addr := start(t, Config{MaxMessageBytes: 1024, MaxRecipients: 2}, fixed{v: policy.Pass}, q)
	if err := send(addr, []string{"b@x.example"}, msg+strings.Repeat("0123456789\r\n", 200)); code(err) != 552 {
		t.Errorf("oversized message: %v, want 552", err)
	}
	if err := send(addr, []string{"a@x.example", "b@x.example", "c@x.example"}, msg); code(err) != 452 {
		t.Errorf("too many recipients: %v, want 452", err)
	}
	if err := send(addr, []string{"b@x.example"}, msg); err != nil {
		t.Errorf("message within limits: %v", err)
	}
}

func TestNetworkAllowList(t *testing.T) {
	q, _ := queue.Open(t.TempDir())
	addr := start(t, Config{Networks: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, fixed{v: policy.Pass}, q)
	if err := send(addr, []string{"b@x.example"}, msg); err == nil {
		t.Error("client outside the allowed networks could relay")
	}
	addr = start(t, Config{Networks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, fixed{v: policy.Pass}, q)
	if err := send(addr, []string{"b@x.example"}, msg); err != nil {
		t.Errorf("allowed client: %v", err)
	}
}

// Recipient addresses that are routes are refused at RCPT with 553 5.1.3:
// accepted, they look internal here and leave the organisation at a host
// that honours the route. A plain recipient in the same session still
// goes through. Before, the quoted form reached the upstream unquoted, as
// attacker@evil.example@corp.example.
func TestRoutedRecipientsRefused(t *testing.T) {
	q, _ := queue.Open(t.TempDir())
	addr := start(t, Config{}, fixed{v: policy.Pass}, q)
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("a@corp.example", nil); err != nil {
		t.Fatal(err)
	}
	for _, rcpt := range []string{
		"attacker%evil.example@corp.example",
		`"attacker@evil.example"@corp.example`,
		`"attacker%evil.example"@corp.example`,
		"evil.example!attacker@corp.example",
	} {
		if err := c.Rcpt(rcpt, nil); code(err) != 553 {
			t.Errorf("RCPT TO:<%s>: %v, want 553", rcpt, err)
		}
	}
	if err := c.Rcpt("b@corp.example", nil); err != nil {
		t.Fatalf("plain recipient: %v", err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, msg)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	items := q.List(queue.Queued)
	if len(items) != 1 || len(items[0].Envelope.To) != 1 || items[0].Envelope.To[0] != "b@corp.example" {
		t.Errorf("spooled %+v, want one message to b@corp.example only", items)
	}
}

// Message hygiene before anything is decided or stored: X-Misend-* headers
// a client wrote are removed (they would forge a verdict downstream), a
// warning header is added only when every recipient is inside the
// organisation, and a bare CR or a NUL is refused with 550 5.6.0 rather
// than relayed as it came.
func TestMessageHygiene(t *testing.T) {
	forged := "X-Misend-Verdict: pass\r\nX-MISEND-Score: 0.00\r\n\tfolded\r\n" + msg
	tests := []struct {
		name     string
		d        fixed
		raw      string
		wantCode int
		has, not []string
	}{
		{"forged headers removed", fixed{v: policy.Pass}, forged, 0, []string{"Subject: hi"}, []string{"X-Misend-Verdict", "X-MISEND-Score", "folded"}},
		{"warning kept inside", fixed{v: policy.Warn}, msg, 0, []string{"X-Misend-Warning:"}, nil},
		{"nothing added for outside recipients", fixed{v: policy.Warn, outside: true}, forged, 0, nil, []string{"X-Misend-", "X-MISEND-"}},
		{"bare CR refused", fixed{v: policy.Pass}, msg + "a\rb\r\n", 550, nil, nil},
		{"NUL refused", fixed{v: policy.Pass}, msg + "a\x00b\r\n", 550, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := queue.Open(t.TempDir())
			addr := start(t, Config{}, tt.d, q)
			err := send(addr, []string{"b@partner.example"}, tt.raw)
			if code(err) != tt.wantCode || tt.wantCode == 0 && err != nil {
				t.Fatalf("send: %v, want code %d", err, tt.wantCode)
			}
			items := q.List(queue.Queued)
			if tt.wantCode != 0 {
				if len(items) != 0 {
					t.Errorf("refused message spooled")
				}
				return
			}
			if len(items) != 1 {
				t.Fatalf("spool %v", q.Depth())
			}
			body, _ := q.Body(items[0].ID)
			for _, h := range tt.has {
				if !strings.Contains(string(body), h) {
					t.Errorf("relayed message lacks %q:\n%s", h, body)
				}
			}
			for _, h := range tt.not {
				if strings.Contains(string(body), h) {
					t.Errorf("relayed message has %q:\n%s", h, body)
				}
			}
		})
	}
}

// stampSeen records the stamps and the message a decision was made on.
type stampSeen struct {
	stamps chan []string
	raws   chan string
}

func (s stampSeen) Decide(ctx context.Context, env decide.Envelope, raw []byte) decide.Result {
	s.stamps <- env.Stamps
	s.raws <- string(raw)
	return decide.Result{Decision: policy.Decision{Verdict: policy.Pass, Decided: policy.Pass}}
}

// The confirmation stamp reaches the decision although every X-Misend-*
// field is stripped before it: read first, then removed, so it never
// leaves.
func TestStampReadBeforeStripping(t *testing.T) {
	q, _ := queue.Open(t.TempDir())
	d := stampSeen{make(chan []string, 1), make(chan string, 1)}
	addr := start(t, Config{}, d, q)
	raw := "X-Misend-Confirmed: v=1; s=a@corp.example;\r\n r=AAAA\r\nX-Misend-Verdict: pass\r\n" + msg
	if err := send(addr, []string{"b@partner.example"}, raw); err != nil {
		t.Fatal(err)
	}
	if got := <-d.stamps; len(got) != 1 || got[0] != "v=1; s=a@corp.example; r=AAAA" {
		t.Errorf("stamps given to the decision: %q", got)
	}
	if got := <-d.raws; strings.Contains(strings.ToLower(got), "x-misend-") {
		t.Errorf("the decision saw X-Misend-* fields:\n%s", got)
	}
	items := q.List(queue.Queued)
	if len(items) != 1 {
		t.Fatalf("spool %v", q.Depth())
	}
	if body, _ := q.Body(items[0].ID); strings.Contains(strings.ToLower(string(body)), "x-misend-confirmed") || strings.Contains(string(body), "r=AAAA") {
		t.Errorf("the stamp would leave:\n%s", body)
	}
}
