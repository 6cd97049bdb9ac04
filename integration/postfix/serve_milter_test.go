package postfix

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/server"
)

// startServeMilter starts misend with its milter listener as `misend serve
// --milter` assembles it, deciding with d and sending released mail to
// upstream.
func startServeMilter(t testing.TB, d decide.Decider, upstream string) *server.Server {
	t.Helper()
	return startServe(t, server.Options{MilterAddr: "127.0.0.1:0", Decide: d}, upstream)
}

// startServe starts misend in-process with o, on loopback, with a fresh
// spool, a quick retry schedule and upstream.
func startServe(t testing.TB, o server.Options, upstream string) *server.Server {
	t.Helper()
	o.SMTPAddr = "127.0.0.1:0"
	o.SpoolDir = t.TempDir()
	o.Upstream = relay.Client{Addr: upstream, TLS: relay.TLSNone, Timeout: 30 * time.Second}
	o.Retry = queue.Retry{First: 100 * time.Millisecond, Max: time.Second, MaxAge: time.Hour}
	o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := server.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s
}

// TestPostfixMilterServeReinjects runs misend as `misend serve --milter`
// assembles it behind a real Postfix, set up as misend's milter
// documentation says: smtpd_milters points at misend, and misend's upstream
// is a second Postfix smtpd without milters. A held message leaves Postfix
// (discarded there, kept in misend's spool); released, misend hands it back
// to Postfix, which delivers it once, without asking the milter again.
func TestPostfixMilterServeReinjects(t *testing.T) {
	g := generatedHistory(t, sitePolicy())
	out, outAddr := startCapture(t)
	reinject := freePort(t)
	ms := startServeMilter(t, g.svc, reinject)
	pf := StartPostfix(t, Options{Relay: outAddr, Milter: ms.Milter.String(), Reinject: reinject})
	submit := func(t *testing.T, from string, to []string, raw []byte) {
		t.Helper()
		if err := smtp.SendMail(pf.Addr, nil, from, to, raw); err != nil {
			t.Fatalf("Postfix refused the submission: %v", err)
		}
	}

	t.Run("honest mail to outside passes, with nothing of misend's", func(t *testing.T) {
		from, to, raw := g.scenario(t, "reply-known-thread")
		submit(t, from, to, raw)
		got := awaitMessage(t, out, messageID(raw), 30*time.Second)
		if bytes.Contains(got.Data, []byte("X-Misend-")) {
			t.Errorf("mail to outside recipients carries misend's headers:\n%s", got.Data)
		}
		if _, body, _ := bytes.Cut(raw, []byte("\r\n\r\n")); !bytes.HasSuffix(got.Data, body) {
			t.Errorf("body changed on the way:\n%s", got.Data)
		}
	})

	t.Run("held mail is re-injected on release", func(t *testing.T) {
		from, to, raw := g.scenario(t, "lookalike-domain")
		id := messageID(raw)
		submit(t, from, to, raw)
		var held []queue.Item
		for end := time.Now().Add(30 * time.Second); len(held) == 0 && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			held = ms.Queue.List(queue.Held)
		}
		if len(held) != 1 || held[0].Envelope.From != from || strings.Join(held[0].Envelope.To, ",") != strings.Join(to, ",") {
			t.Fatalf("held: %+v (depth %v)\npostfix log:\n%s", held, ms.Queue.Depth(), pf.Log())
		}
		// Postfix discarded its copy: it is misend's alone now.
		for end := time.Now().Add(10 * time.Second); pf.Status(id) != "discarded" && !strings.Contains(pf.Log(), "milter-discard"); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("Postfix did not discard the held message:\n%s", pf.Log())
			}
		}
		barrier(t, g, pf.Addr, out)
		if n := countMessages(out, id); n != 0 {
			t.Fatalf("held message left %d times before release", n)
		}

		if _, err := ms.Held.Release(context.Background(), string(held[0].ID), approver, ""); err != nil {
			t.Fatal(err)
		}
		got := awaitMessage(t, out, id, 20*time.Second)
		if got.From != from || strings.Join(got.To, ",") != strings.Join(to, ",") {
			t.Errorf("re-injected envelope %s → %v, want %s → %v", got.From, got.To, from, to)
		}
		if _, body, _ := bytes.Cut(raw, []byte("\r\n\r\n")); !bytes.HasSuffix(got.Data, body) {
			t.Errorf("body changed on the way:\n%s", got.Data)
		}
		// It came back through the port without milters: not decided on
		// again, so not stamped and not held a second time.
		if bytes.Contains(got.Data, []byte("X-Misend-Verdict")) {
			t.Errorf("re-injected message went through the milter again:\n%s", got.Data)
		}
		// A second copy, from misend's spool or Postfix's queue, would be
		// on its way before mail sent now.
		barrier(t, g, pf.Addr, out)
		if n := countMessages(out, id); n != 1 {
			t.Errorf("re-injected message arrived %d times", n)
		}
		if d := ms.Queue.Depth(); d[queue.Held] != 0 || d[queue.Queued] != 0 {
			t.Errorf("spool after release: %v", d)
		}
	})
}
