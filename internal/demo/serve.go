package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/gateway"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/server"
	"github.com/misend/misend/internal/sink"
)

// serve runs the gateway with a capturing upstream on loopback, sends the
// scenarios through it over SMTP, and reports what reaches the upstream
// until ctx ends.
func serve(ctx context.Context, w *narrator, o Options, org *learned, dir string, rep *Report) error {
	up := sink.New()
	ul, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: capture upstream: %w", err)
	}
	go up.Serve(ul)
	defer up.Close()

	env := ServeEnv{DB: org.dbPath, OrgDomain: org.synth.Opt.Domain, SpoolDir: filepath.Join(dir, "spool"),
		SMTPAddr: o.SMTPAddr, HTTPAddr: o.HTTPAddr, Upstream: ul.Addr().String(), Log: o.Log}
	start := o.Start
	if start == nil {
		start = org.bareGateway
	}
	var accounts []account
	if o.Start != nil && o.HTTPAddr != "" {
		if accounts, err = makeAccounts(ctx, org); err != nil {
			return err
		}
	}
	s, stop, err := start(ctx, env)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer stop()

	w.printf("\nThe gateway is running on loopback:\n")
	w.printf("  SMTP relay     %s   (point an MTA's relayhost or a mail client here)\n", s.SMTP)
	if s.HTTP != nil {
		if len(accounts) > 0 {
			w.printf("  web UI         http://%s/   sign in with password %s as:\n", s.HTTP, Password)
			for _, a := range accounts {
				w.printf("                   %-40s %s (%s)\n", a.address, a.name, a.role)
			}
			w.printf("  API            http://%s/api/v1/openapi.json\n", s.HTTP)
		}
		w.printf("  metrics        http://%s/metrics   health: /healthz /readyz\n", s.HTTP)
	}
	w.printf("  upstream       %s   (a built-in capture server standing in for the real smarthost)\n", ul.Addr())
	w.printf("  database       %s\n", org.dbPath)

	w.printf("\nSending the same messages through the gateway over SMTP:\n")
	ids := map[string]string{} // Message-ID → scenario
	for _, sc := range org.scenarios {
		id, err := send(s.SMTP.String(), sc.Raw)
		if err != nil {
			rep.Refused++
			w.printf("  %-32s refused: %v\n", sc.Name, err)
			continue
		}
		rep.Accepted++
		ids[id] = sc.Name
	}
	// The gateway answered 250 once each message was taken by the upstream
	// (passing mail, cut through) or safe in the spool; the upstream and
	// the spool tell what happened to each.
	time.Sleep(500 * time.Millisecond)
	fate := map[string]string{} // scenario → words
	for _, st := range []queue.State{queue.Delivered, queue.Queued, queue.Delivering, queue.Confirming, queue.Delayed, queue.Held, queue.Rejected} {
		for _, it := range s.Queue.List(st) {
			if name := ids[it.Outcome.MessageID]; name != "" {
				fate[name] = stateWords(it)
			}
		}
	}
	for _, m := range up.Messages() {
		msg, err := mail.Parse(bytes.NewReader(m.Data), mail.Limits{})
		if name := ids[msgID(msg, err)]; name != "" && fate[name] == "" {
			fate[name] = "taken by the upstream before the answer (cut through)"
		}
	}
	for _, sc := range org.scenarios {
		if f := fate[sc.Name]; f != "" {
			w.printf("  %-32s 250, then %s\n", sc.Name, f)
		}
	}

	host, port, _ := net.SplitHostPort(s.SMTP.String())
	w.printf("\nTry it yourself, for example with swaks:\n")
	w.printf("  swaks --server %s --port %s --from %s --to %s --header 'Subject: test' --body 'hello'\n",
		host, port, exampleSender(org), exampleRecipient(org))
	w.printf("Check a file without sending it:\n  misend check --db %s --org-domain corp.example MESSAGE.eml\n", org.dbPath)
	w.printf("\nMessages reaching the upstream are listed below. Ctrl-C stops the demo.\n")

	if o.For > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.For)
		defer cancel()
	}
	seen := 0
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			w.printf("\nStopping; %d held or waiting messages stay in %s.\n", waiting(s), filepath.Join(dir, "spool"))
			return nil
		case <-tick.C:
			got := up.Messages()
			for _, m := range got[seen:] {
				from := m.From
				if from == "" {
					from = "<>" // misend's own notices go out from the null sender
				}
				w.printf("  upstream got: %s → %s  %q\n", from, strings.Join(m.To, ", "), subject(m.Data))
			}
			seen = len(got)
			rep.Upstream = seen
		}
	}
}

// bareGateway starts the gateway alone: the decision path, the spool and
// the capture upstream, with no web UI, notices or learning.
func (org *learned) bareGateway(_ context.Context, env ServeEnv) (*server.Server, func(), error) {
	s, err := server.Start(server.Options{
		SMTPAddr: env.SMTPAddr,
		HTTPAddr: env.HTTPAddr,
		SpoolDir: env.SpoolDir,
		Upstream: relay.Client{Addr: env.Upstream, TLS: relay.TLSNone},
		Decide:   org.svc.Path,
		Gateway:  gateway.Config{Domain: "misend.localhost"},
		Log:      env.Log,
	})
	if err != nil {
		return nil, nil, err
	}
	return s, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	}, nil
}

// stateWords says in a few words where a spooled message stands.
func stateWords(it queue.Item) string {
	switch it.State {
	case queue.Delivered, queue.Queued, queue.Delivering:
		return "passed upstream (" + string(it.Outcome.Verdict) + ")"
	case queue.Confirming:
		return "waiting for the sender to confirm"
	case queue.Delayed:
		return "delayed until " + it.NotBefore.Local().Format("15:04:05") + "; the sender can still cancel"
	case queue.Held:
		return "held for an approver of " + orOrganisation(it.Department)
	}
	return string(it.State)
}

func orOrganisation(dept string) string {
	if dept == "" {
		return "the organisation"
	}
	return dept
}

// send submits raw to the gateway with its own header addresses as the
// envelope and returns its Message-ID once the gateway accepted it.
func send(addr string, raw []byte) (string, error) {
	msg, err := mail.Parse(bytes.NewReader(raw), mail.Limits{})
	if err != nil {
		return "", fmt.Errorf("unreadable: %w", err)
	}
	var rcpts []string
	for _, l := range [][]mail.Address{msg.To, msg.Cc, msg.Bcc} {
		for _, a := range l {
			rcpts = append(rcpts, a.Addr)
		}
	}
	c, err := smtp.Dial(addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	// Loopback without TLS, as an MTA on the same host would relay.
	err = c.SendMail(msg.From.Addr, rcpts, bytes.NewReader(raw))
	var se *smtp.SMTPError
	switch {
	case err == nil:
		return msg.MessageID, nil
	case errors.As(err, &se):
		return "", fmt.Errorf("%d %s", se.Code, se.Message)
	default:
		return "", err
	}
}

func waiting(s *server.Server) int {
	n := 0
	for state, c := range s.Queue.Depth() {
		switch state {
		case queue.Held, queue.Delayed, queue.Confirming:
			n += c
		}
	}
	return n
}

func msgID(msg *mail.Message, err error) string {
	if err != nil {
		return ""
	}
	return msg.MessageID
}

func subject(raw []byte) string {
	msg, err := mail.Parse(bytes.NewReader(raw), mail.Limits{})
	if err != nil {
		return ""
	}
	return msg.Subject
}

func exampleSender(org *learned) string {
	if len(org.synth.People) == 0 {
		return "someone@corp.example"
	}
	return org.synth.People[len(org.synth.People)/2].Address
}

func exampleRecipient(org *learned) string {
	for _, c := range org.synth.Contacts {
		return c.Address
	}
	return "someone@partner.example"
}
