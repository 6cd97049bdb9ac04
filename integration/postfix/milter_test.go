package postfix

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/milter"
	"github.com/misend/misend/internal/policy"
)

// subjectDecider decides by a "verdict=" word in the Subject, so the test is
// about Postfix and the milter protocol, not about detection.
type subjectDecider struct{}

func (subjectDecider) Decide(ctx context.Context, env milter.Envelope, raw []byte) milter.Result {
	v := policy.Pass
	if i := bytes.Index(raw, []byte("Subject: verdict=")); i >= 0 {
		rest := raw[i+len("Subject: verdict="):]
		v = policy.Verdict(rest[:bytes.IndexAny(rest, "\r\n")])
	}
	res := milter.Result{Sender: env.From, Score: 0.5, Decision: policy.Decision{Verdict: v, Decided: v, Rule: "test"}}
	if v == policy.Warn {
		res.Findings = []finding.Finding{{Code: finding.NewDomain, Message: "初めての宛先ドメインです"}}
	}
	return res
}

// relayHolder keeps held messages and, on Release, sends them to the relay,
// as misend's queue does.
type relayHolder struct {
	relay string
	mu    sync.Mutex
	held  map[string]heldMsg
	n     int
}

type heldMsg struct {
	env milter.Envelope
	raw []byte
}

func (h *relayHolder) Hold(ctx context.Context, env milter.Envelope, raw []byte, res milter.Result) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	id := "H" + string(rune('0'+h.n))
	h.held[id] = heldMsg{env, bytes.Clone(raw)}
	return id, nil
}

func (h *relayHolder) Release(id string) error {
	h.mu.Lock()
	m, ok := h.held[id]
	delete(h.held, id)
	h.mu.Unlock()
	if !ok {
		return errors.New("no such message")
	}
	return smtp.SendMail(h.relay, nil, m.env.From, m.env.To, m.raw)
}

func startMilter(t testing.TB, s *milter.Server) string {
	t.Helper()
	ln, err := milter.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if s.Log == nil {
		s.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String()
}

func testMessage(subject, id string) string {
	return "From: taro@corp.example\nTo: hanako@partner-a.example\nSubject: " + subject +
		"\nMessage-ID: <" + id + "@corp.example>\n\nこんにちは\n"
}

func TestPostfixMilterVerdicts(t *testing.T) {
	snk := startSink(t)
	holder := &relayHolder{relay: snk.Addr, held: map[string]heldMsg{}}
	maddr := startMilter(t, &milter.Server{Decider: subjectDecider{}, Holder: holder})
	pf := StartPostfix(t, Options{Relay: snk.Addr, Milter: maddr})
	from, to := "taro@corp.example", []string{"hanako@partner-a.example"}

	t.Run("pass is stamped and delivered", func(t *testing.T) {
		// A forged verdict header must not survive.
		msg := strings.Replace(testMessage("verdict=pass", "pass"), "\n\n", "\nX-Misend-Verdict: pass-forged\n\n", 1)
		if err := sendMail(t, pf.Addr, from, to, msg); err != nil {
			t.Fatal(err)
		}
		got := snk.wait(t, 20*time.Second)
		if !bytes.Contains(got.Data, []byte("X-Misend-Verdict: pass\r\n")) || !bytes.Contains(got.Data, []byte("X-Misend-Score: 0.50")) {
			t.Fatalf("verdict headers missing:\n%s", got.Data)
		}
		if bytes.Contains(got.Data, []byte("pass-forged")) {
			t.Fatalf("forged header kept:\n%s", got.Data)
		}
	})
	t.Run("warn carries the finding codes, no sentence", func(t *testing.T) {
		if err := sendMail(t, pf.Addr, from, to, testMessage("verdict=warn", "warn")); err != nil {
			t.Fatal(err)
		}
		got := snk.wait(t, 20*time.Second)
		if !bytes.Contains(got.Data, []byte("X-Misend-Warning: NEW_DOMAIN\r\n")) {
			t.Fatalf("warning header missing:\n%s", got.Data)
		}
	})
	t.Run("reject is refused with 5.7.1", func(t *testing.T) {
		err := sendMail(t, pf.Addr, from, to, testMessage("verdict=reject", "reject"))
		var te *textproto.Error
		if !errors.As(err, &te) || te.Code != 550 || !strings.HasPrefix(te.Msg, "5.7.1") {
			t.Fatalf("got %v, want 550 5.7.1", err)
		}
	})
	t.Run("hold is discarded from Postfix, then released", func(t *testing.T) {
		if err := sendMail(t, pf.Addr, from, to, testMessage("verdict=hold", "hold")); err != nil {
			t.Fatalf("Postfix should accept a held message (misend keeps it): %v", err)
		}
		snk.none(t, 3*time.Second)
		if !strings.Contains(pf.Log(), "milter-discard") {
			t.Errorf("Postfix log does not show the discard:\n%s", pf.Log())
		}
		holder.mu.Lock()
		var id string
		for k := range holder.held {
			id = k
		}
		holder.mu.Unlock()
		if id == "" {
			t.Fatal("nothing held")
		}
		if err := holder.Release(id); err != nil {
			t.Fatal(err)
		}
		got := snk.wait(t, 10*time.Second)
		if !bytes.Contains(got.Data, []byte("Message-ID: <hold@corp.example>")) || got.To[0] != to[0] {
			t.Fatalf("released message %+v", got)
		}
	})
}

func TestPostfixMilterDownTempFails(t *testing.T) {
	snk := startSink(t)
	// A milter address nobody listens on: milter_default_action = tempfail.
	pf := StartPostfix(t, Options{Relay: snk.Addr, Milter: freePort(t)})
	err := sendMail(t, pf.Addr, "taro@corp.example", []string{"hanako@partner-a.example"}, testMessage("x", "down"))
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code/100 != 4 {
		t.Fatalf("got %v, want a 4xx so the client retries", err)
	}
}

func TestPostfixNonSMTPDMilter(t *testing.T) {
	snk := startSink(t)
	holder := &relayHolder{relay: snk.Addr, held: map[string]heldMsg{}}
	maddr := startMilter(t, &milter.Server{Decider: subjectDecider{}, Holder: holder})
	pf := StartPostfix(t, Options{Relay: snk.Addr, Milter: maddr})
	// Local submission (sendmail → pickup → cleanup) goes through
	// non_smtpd_milters: the same verdicts apply.
	for _, v := range []string{"hold", "pass"} {
		if err := pf.Sendmail("taro@corp.example", []string{"hanako@partner-a.example"}, testMessage("verdict="+v, "local-"+v)); err != nil {
			t.Fatal(err)
		}
	}
	got := snk.wait(t, 20*time.Second)
	if !bytes.Contains(got.Data, []byte("<local-pass@corp.example>")) || !bytes.Contains(got.Data, []byte("X-Misend-Verdict: pass")) {
		t.Fatalf("sink got:\n%s", got.Data)
	}
	snk.none(t, 2*time.Second)
	holder.mu.Lock()
	n := len(holder.held)
	holder.mu.Unlock()
	if n != 1 {
		t.Fatalf("held %d local messages, want 1", n)
	}
}
