package postfix

import (
	"bytes"
	"context"
	"net/smtp"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/milter"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/stamp"
)

// TestPostfixConfirmationStamp: the sender confirmed the flagged
// recipients in the add-in, which set misend's stamp on the message. Sent
// through a real Postfix to misend's gateway, the stamped message passes
// without being asked about a second time and leaves without the stamp;
// the same message with the stamp altered waits for the sender's
// confirmation in misend, and so does one without a stamp. The same holds
// with misend as Postfix's milter.
func TestPostfixConfirmationStamp(t *testing.T) {
	// The site asks senders to confirm what looks misdirected, however
	// sure misend is: what a stamp answers is the sender's to answer.
	pol := sitePolicy()
	delete(pol.Default.Bands, policy.Hold)
	g := generatedHistory(t, pol)
	keys, err := stamp.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	g.svc.Stamps = keys
	upstream, upAddr := startCapture(t)
	gw := startGateway(t, g.svc, upAddr)
	pf := StartPostfix(t, Options{Relay: gw.SMTP.String()})

	// A mistake the site asks the sender about: the first scenario decided
	// confirm.
	var (
		from string
		to   []string
		raw  []byte
		res  decide.Result
	)
	now := time.Now()
	for _, name := range []string{"two-clients", "wrong-tanaka", "lookalike-domain", "wrong-colleague"} {
		from, to, raw = g.scenario(t, name)
		// Sent now, as from the sender's Outlook.
		raw = regexp.MustCompile(`(?m)^Date: [^\r\n]*`).ReplaceAll(raw, []byte("Date: "+now.Format(time.RFC1123Z)))
		// What the add-in showed the sender: the recipients the decision flags.
		if res = g.svc.Decide(context.Background(), decide.Envelope{From: from, To: to}, raw); res.Decision.Verdict == policy.Confirm {
			t.Logf("scenario %s: %+v", name, res.Findings)
			break
		}
	}
	if res.Decision.Verdict != policy.Confirm {
		t.Fatalf("no scenario is decided confirm: %+v", res.Findings)
	}
	var flagged []string
	for _, f := range res.Findings {
		if f.Recipient != "" && !strings.Contains(strings.Join(flagged, ","), f.Recipient) {
			flagged = append(flagged, f.Recipient)
		}
	}
	value, err := keys.Sign(stamp.Claim{Sender: res.Sender, DraftID: "outlook-draft-1", Issued: now, Expires: now.Add(stamp.DefaultTTL), Recipients: flagged})
	if err != nil {
		t.Fatal(err)
	}

	// with gives the message its own Message-ID (Postfix and misend each
	// tell a repeated one apart) and, when value is set, the stamp.
	with := func(id, value string) []byte {
		m := regexp.MustCompile(`(?m)^Message-ID: [^\r\n]*`).ReplaceAll(raw, []byte("Message-ID: <"+id+"@"+g.org.Opt.Domain+">"))
		if value == "" {
			return m
		}
		return append([]byte(stamp.Header+": "+value+"\r\n"), m...)
	}
	waiting := func(id string) bool {
		for _, it := range gw.Queue.List(queue.Confirming) {
			if strings.HasPrefix(it.Outcome.MessageID, id+"@") {
				return true
			}
		}
		return false
	}
	tests := []struct {
		name, id, value string
		passes          bool
	}{
		{"stamped by the confirmation: passes", "stamped", value, true},
		{"the stamp altered: asked again", "altered", strings.Replace(value, "r=", "r=AAAAAAAA", 1), false},
		{"no stamp: asked", "unstamped", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := with(tt.id, tt.value)
			if err := smtp.SendMail(pf.Addr, nil, from, to, msg); err != nil {
				t.Fatalf("Postfix refused the submission: %v", err)
			}
			if tt.passes {
				got := awaitMessage(t, upstream, "<"+tt.id+"@", 30*time.Second)
				if bytes.Contains(bytes.ToLower(got.Data), []byte("x-misend-confirmed")) {
					t.Errorf("the stamp left with the message:\n%s", got.Data)
				}
				if waiting(tt.id) {
					t.Errorf("passed and also waiting for confirmation")
				}
				return
			}
			for end := time.Now().Add(30 * time.Second); !waiting(tt.id); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(end) {
					t.Fatalf("not waiting for confirmation in misend (depth %v)\npostfix log:\n%s", gw.Queue.Depth(), pf.Log())
				}
			}
			time.Sleep(500 * time.Millisecond)
			if n := countMessages(upstream, "<"+tt.id+"@"); n != 0 {
				t.Errorf("reached the upstream %d times without confirmation", n)
			}
		})
	}
	// The same through Postfix's milter: the stamp is read from the header
	// Postfix hands over, then deleted from what Postfix delivers.
	t.Run("milter", func(t *testing.T) {
		holder := &relayHolder{relay: upAddr, held: map[string]heldMsg{}}
		maddr := startMilter(t, &milter.Server{Decider: g.svc, Holder: holder})
		mpf := StartPostfix(t, Options{Relay: upAddr, Milter: maddr})
		if err := smtp.SendMail(mpf.Addr, nil, from, to, with("milter-stamped", value)); err != nil {
			t.Fatal(err)
		}
		got := awaitMessage(t, upstream, "<milter-stamped@", 30*time.Second)
		if bytes.Contains(bytes.ToLower(got.Data), []byte("x-misend-confirmed")) {
			t.Errorf("the stamp left with the message:\n%s", got.Data)
		}
		if err := smtp.SendMail(mpf.Addr, nil, from, to, with("milter-altered", strings.Replace(value, "r=", "r=AAAAAAAA", 1))); err != nil {
			t.Fatal(err)
		}
		for end := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			holder.mu.Lock()
			n := len(holder.held)
			holder.mu.Unlock()
			if n == 1 {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("the altered message is not kept for confirmation (%d held)\npostfix log:\n%s", n, mpf.Log())
			}
		}
		for _, m := range holder.held {
			if bytes.Contains(bytes.ToLower(m.raw), []byte("x-misend-confirmed")) {
				t.Errorf("the kept copy has the stamp")
			}
		}
		if n := countMessages(upstream, "<milter-altered@"); n != 0 {
			t.Errorf("the altered message reached the upstream")
		}
	})

	// Operators see what became of the stamps (at the gateway: the milter
	// test above decides without the gateway's counters).
	fams, err := gw.Metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range fams {
		if f.GetName() == "misend_confirmation_stamps_total" {
			for _, m := range f.GetMetric() {
				got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			}
		}
	}
	if got["valid"] != 1 || got["forged"] != 1 || len(got) != 2 {
		t.Errorf("misend_confirmation_stamps_total by outcome: %v, want valid 1, forged 1", got)
	}
}
