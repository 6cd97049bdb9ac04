package postfix

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/smtp"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/gateway"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/server"
	insink "github.com/misend/misend/internal/sink"
)

// startGateway starts misend's SMTP gateway in-process as `misend serve`
// assembles it (gateway, cut-through, durable spool, upstream delivery),
// deciding on the one decision path dec and delivering to upstream.
func startGateway(t testing.TB, dec decide.Decider, upstream string) *server.Server {
	return startGatewayCut(t, dec, upstream, 32)
}

// startGatewayCut is startGateway with cutThrough sessions (0: every
// message goes through the spool).
func startGatewayCut(t testing.TB, dec decide.Decider, upstream string, cutThrough int) *server.Server {
	return startGatewayWith(t, server.Options{Decide: dec, CutThrough: cutThrough}, upstream)
}

// startGatewayWith starts misend's SMTP gateway in-process with o (its
// decider, cut-through, decisions log, model), on loopback, accepting
// mail from 127.0.0.0/8, with a fresh spool, a quick retry schedule and
// upstream.
func startGatewayWith(t testing.TB, o server.Options, upstream string) *server.Server {
	t.Helper()
	o.SMTPAddr = "127.0.0.1:0"
	o.SpoolDir = t.TempDir()
	o.Upstream = relay.Client{Addr: upstream, TLS: relay.TLSNone, Timeout: 30 * time.Second}
	o.Gateway = gateway.Config{
		Domain:   "misend.test.example",
		Networks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	}
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

// startCapture starts an internal/sink on loopback.
func startCapture(t testing.TB) (*insink.Sink, string) {
	t.Helper()
	s := insink.New()
	ln := listen(t)
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return s, ln.Addr().String()
}

// awaitMessage waits until a message whose data contains marker reaches s.
func awaitMessage(t testing.TB, s *insink.Sink, marker string, d time.Duration) insink.Message {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		for _, m := range s.Messages() {
			if bytes.Contains(m.Data, []byte(marker)) {
				return m
			}
		}
	}
	t.Fatalf("no message with %q arrived within %v", marker, d)
	return insink.Message{}
}

// countMessages counts messages at s whose data contains marker.
// barrier sends honest mail after whatever was sent before it and waits
// for it at s: mail that was on its way before has then had every chance
// to arrive, so a test that something did not arrive waits for an event
// rather than sleeping and hoping.
func barrier(t testing.TB, g *generated, pfAddr string, s *insink.Sink) {
	t.Helper()
	from, to, raw := g.scenario(t, "reply-known-thread")
	id := fmt.Sprintf("<barrier-%d@%s>", time.Now().UnixNano(), g.org.Opt.Domain)
	raw = regexp.MustCompile(`(?im)^Message-ID:[^\r\n]*`).ReplaceAllLiteral(raw, []byte("Message-ID: "+id))
	if err := smtp.SendMail(pfAddr, nil, from, to, raw); err != nil {
		t.Fatalf("Postfix refused the barrier message: %v", err)
	}
	awaitMessage(t, s, id, 30*time.Second)
}

func countMessages(s *insink.Sink, marker string) int {
	n := 0
	for _, m := range s.Messages() {
		if bytes.Contains(m.Data, []byte(marker)) {
			n++
		}
	}
	return n
}

func messageID(raw []byte) string {
	m := regexp.MustCompile(`(?im)^Message-ID:\s*(<[^>]+>)`).FindSubmatch(raw)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// inline is a Postfix inline: table.
func inline(kv map[string]string) string {
	var parts []string
	for k, v := range kv {
		parts = append(parts, k+"="+v)
	}
	return "inline:{ " + strings.Join(parts, ", ") + " }"
}

// TestPostfixRelayThroughMisend runs Postfix with misend's gateway as its
// relayhost, the way a site puts misend in front of the internet: mail to
// the organisation's own domain goes to its mailbox server (a sink here),
// everything else through misend to the upstream (another sink). The
// decision path is the real one over a learned, generated history.
func TestPostfixRelayThroughMisend(t *testing.T) {
	g := generatedHistory(t, sitePolicy())
	upstream, upAddr := startCapture(t)
	mailbox, mbAddr := startCapture(t)
	gw := startGateway(t, g.svc, upAddr)
	pf := StartPostfix(t, Options{
		Relay: gw.SMTP.String(),
		Extra: map[string]string{
			// Bounces to the organisation's senders land in their mailbox,
			// not back through misend.
			"transport_maps": inline(map[string]string{g.org.Opt.Domain: "smtp:[127.0.0.1]:" + portOf(mbAddr)}),
		},
	})

	submit := func(t *testing.T, from string, to []string, raw []byte) {
		t.Helper()
		if err := smtp.SendMail(pf.Addr, nil, from, to, raw); err != nil {
			t.Fatalf("Postfix refused the submission: %v", err)
		}
	}

	t.Run("honest mail passes with its content intact", func(t *testing.T) {
		for _, name := range []string{"usual-partner-mail", "reply-known-thread"} {
			from, to, raw := g.scenario(t, name)
			submit(t, from, to, raw)
			got := awaitMessage(t, upstream, messageID(raw), 30*time.Second)
			// Postfix puts its Received line on top; nothing else may change,
			// byte for byte (ISO-2022-JP, base64, folded encoded words).
			if !bytes.HasSuffix(got.Data, raw) {
				t.Errorf("%s changed on the way:\nsent:\n%s\narrived:\n%s", name, raw, got.Data)
			}
			if got.From != from || strings.Join(got.To, ",") != strings.Join(to, ",") {
				t.Errorf("%s envelope %s → %v, want %s → %v", name, got.From, got.To, from, to)
			}
		}
	})

	t.Run("misdirected mail is held in misend, then released", func(t *testing.T) {
		from, to, raw := g.scenario(t, "lookalike-domain")
		submit(t, from, to, raw)
		var held []queue.Item
		for end := time.Now().Add(30 * time.Second); len(held) == 0 && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			held = gw.Queue.List(queue.Held)
		}
		if len(held) != 1 {
			t.Fatalf("held: %v (depth %v)\npostfix log:\n%s", held, gw.Queue.Depth(), pf.Log())
		}
		it := held[0]
		if it.Envelope.From != from || it.Outcome.MessageID != strings.Trim(messageID(raw), "<>") {
			t.Errorf("held item %+v", it)
		}
		codes := map[string]bool{}
		for _, f := range it.Outcome.Findings {
			codes[string(f.Code)] = true
		}
		if !codes["LOOKALIKE_DOMAIN"] {
			t.Errorf("held without LOOKALIKE_DOMAIN: %+v", it.Outcome.Findings)
		}
		// Postfix handed it over: it is misend's now, and nowhere else.
		barrier(t, g, pf.Addr, upstream)
		if n := countMessages(upstream, messageID(raw)); n != 0 {
			t.Fatalf("held message reached the upstream %d times", n)
		}
		if st := pf.Status(messageID(raw)); st != "sent" {
			t.Errorf("Postfix logs the hand-over to misend as %q, want sent:\n%s", st, pf.Log())
		}
		if err := release(gw.Queue, it.ID); err != nil {
			t.Fatal(err)
		}
		got := awaitMessage(t, upstream, messageID(raw), 10*time.Second)
		if !bytes.HasSuffix(got.Data, raw) || strings.Join(got.To, ",") != strings.Join(to, ",") {
			t.Errorf("released message arrived as %v:\n%s", got.To, got.Data)
		}
		// The spool records the delivery a moment after the upstream's 250,
		// and drops the body with it.
		for end := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if _, err := gw.Queue.Body(it.ID); err != nil {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("released and delivered, but the body is still in the spool")
			}
		}
	})

	t.Run("refused mail bounces to the sender with 5.7.1", func(t *testing.T) {
		from, to, _ := g.scenario(t, "usual-partner-mail")
		id := fmt.Sprintf("<card-%d@%s>", time.Now().UnixNano(), g.org.Opt.Domain)
		raw := []byte("From: " + from + "\r\nTo: " + strings.Join(to, ", ") + "\r\nSubject: =?UTF-8?B?5pSv5omV44GE?=\r\n" +
			"Message-ID: " + id + "\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
			"お支払いはこちらのカードでお願いします。\r\nカード番号: 4111 1111 1111 1111\r\n")
		// Postfix accepts it; misend refuses it at the end of DATA, and
		// Postfix returns it to the sender.
		submit(t, from, to, raw)
		bounce := awaitMessage(t, mailbox, id, 30*time.Second)
		if bounce.From != "" || len(bounce.To) != 1 || bounce.To[0] != from {
			t.Errorf("bounce envelope %q → %v, want <> → %s", bounce.From, bounce.To, from)
		}
		// The delivery status part, unfolded.
		diag := regexp.MustCompile(`(?m)^Diagnostic-Code: [^\r\n]*(\r\n[ \t][^\r\n]*)*`).Find(bounce.Data)
		diag = regexp.MustCompile(`\s+`).ReplaceAll(diag, []byte(" "))
		if !bytes.Contains(diag, []byte("550 5.7.1 Message refused by the organisation's mail policy")) ||
			!regexp.MustCompile(`(?m)^Status: 5\.7\.1\r$`).Match(bounce.Data) {
			t.Errorf("bounce does not carry misend's 5.7.1:\n%s", bounce.Data)
		}
		if bytes.Contains(diag, []byte("4111")) {
			t.Errorf("refusal text shows content: %s", diag)
		}
		if st := pf.Status(id); st != "bounced" {
			t.Errorf("Postfix logs the refused message as %q, want bounced", st)
		}
		if n := countMessages(upstream, id); n != 0 {
			t.Errorf("refused message reached the upstream")
		}
		for _, st := range []queue.State{queue.Queued, queue.Held, queue.Delivered} {
			for _, it := range gw.Queue.List(st) {
				if "<"+it.Outcome.MessageID+">" == id {
					t.Errorf("refused message is in misend's spool as %s", st)
				}
			}
		}
	})
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
