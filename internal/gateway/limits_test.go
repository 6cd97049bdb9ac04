package gateway

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

func TestLineAndHeaderLimits(t *testing.T) {
	q, _ := queue.Open(t.TempDir())
	addr := start(t, Config{}, fixed{v: policy.Pass}, q)
	longHeader := "From: a@corp.example\r\nSubject: hi\r\n"
	for i := 0; len(longHeader) < 101<<10; i++ {
		longHeader += "X-Filler: " + strings.Repeat("h", 900) + "\r\n"
	}
	tests := []struct {
		name string
		body string
		code int
	}{
		{"998 octets is the limit", "From: a@corp.example\r\n\r\n" + strings.Repeat("x", 998) + "\r\n", 0},
		{"999 octets in the body", "From: a@corp.example\r\n\r\n" + strings.Repeat("x", 999) + "\r\n", 500},
		{"a long header line", "Subject: " + strings.Repeat("s", 1200) + "\r\n\r\nhi\r\n", 500},
		{"past go-smtp's own cap", "From: a@corp.example\r\n\r\n" + strings.Repeat("y", 5000) + "\r\n", 500},
		{"header section over 100 KiB", longHeader + "\r\nhi\r\n", 552},
		{"a big body is no big header", "From: a@corp.example\r\n\r\n" + strings.Repeat(strings.Repeat("b", 900)+"\r\n", 200), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(q.List(queue.Queued))
			err := send(addr, []string{"b@x.example"}, tc.body)
			if code(err) != tc.code || (tc.code == 0 && err != nil) {
				t.Fatalf("send: %v, want %d", err, tc.code)
			}
			var se *smtp.SMTPError
			if tc.code == 500 && (!asSMTP(err, &se) || se.EnhancedCode != (smtp.EnhancedCode{5, 5, 2})) {
				t.Errorf("enhanced code of %v, want 5.5.2", err)
			}
			want := before
			if tc.code == 0 {
				want++
			}
			if got := len(q.List(queue.Queued)); got != want {
				t.Errorf("%d queued, want %d", got, want)
			}
		})
	}
	// A refused long line leaves the session usable for the next message
	// when go-smtp itself did not have to cut the connection.
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail("a@corp.example", []string{"b@x.example"}, strings.NewReader("From: a@corp.example\r\n\r\n"+strings.Repeat("x", 1500)+"\r\n")); code(err) != 500 {
		t.Fatalf("long line: %v", err)
	}
	if err := c.SendMail("a@corp.example", []string{"b@x.example"}, strings.NewReader(msg)); err != nil {
		t.Errorf("next message on the same session: %v", err)
	}
}

func asSMTP(err error, se **smtp.SMTPError) bool {
	e, ok := err.(*smtp.SMTPError)
	if ok {
		*se = e
	}
	return ok
}

// recording decides with a fixed Result and keeps what the gateway records.
type recording struct {
	res  decide.Result
	recs []decisions.Record
}

func (r *recording) Decide(context.Context, decide.Envelope, []byte) decide.Result { return r.res }
func (r *recording) Append(_ context.Context, rec decisions.Record) error {
	r.recs = append(r.recs, rec)
	return nil
}

type queueIntake struct{ q *queue.Queue }

func (in queueIntake) Take(ctx context.Context, env queue.Envelope, raw []byte, res decide.Result) (queue.ID, error) {
	state, nb := Waiting(res, time.Now())
	return in.q.Add(ctx, queue.Item{Envelope: env, State: state, NotBefore: nb, Department: res.Department}, raw)
}

func TestSharedDecisionPathRecords(t *testing.T) {
	for _, v := range []policy.Verdict{policy.Pass, policy.Hold, policy.Reject} {
		t.Run(string(v), func(t *testing.T) {
			q, _ := queue.Open(t.TempDir())
			r := &recording{res: decide.Result{Sender: "a@corp.example", Department: "営業部", Score: 0.8,
				Decision: policy.Decision{Verdict: v, Decided: v, Rule: "test"}}}
			g := New(Config{Recorder: r}, r, queueIntake{q})
			l := listen(t)
			go g.Serve(l)
			t.Cleanup(func() { g.Shutdown(context.Background()) })
			err := send(l.Addr().String(), []string{"b@x.example"}, msg)
			if (v == policy.Reject) != (code(err) == 550) {
				t.Fatalf("send: %v", err)
			}
			if len(r.recs) != 1 {
				t.Fatalf("%d records", len(r.recs))
			}
			rec := r.recs[0]
			if rec.Via != "smtp" || rec.Department != "営業部" || rec.Decision.Verdict != v || (v == policy.Reject) != (rec.QueueID == "") {
				t.Errorf("record %+v", rec)
			}
			if v == policy.Hold {
				it, _ := q.Get(queue.ID(rec.QueueID))
				if it.State != queue.Held || it.Department != "営業部" {
					t.Errorf("spooled %+v", it)
				}
				b, _ := q.Body(it.ID)
				if !bytes.Equal(b, []byte(msg)) {
					t.Errorf("body %q", b)
				}
			}
		})
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
