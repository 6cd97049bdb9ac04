package postfix

import (
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/server"
	insink "github.com/misend/misend/internal/sink"
	"github.com/misend/misend/internal/terms"
)

// termPath is the decision path serve assembles, over a directory of
// sato (営業部) and kato (経理部), with ORION-7 on 営業部's confidential
// list and the default policy.
func termPath(t testing.TB) *decide.Path {
	t.Helper()
	dir := directory.New([]directory.Person{
		{Address: "sato@corp.example", Name: "佐藤", Department: "営業部"},
		{Address: "kato@corp.example", Name: "加藤", Department: "経理部"},
	}, []string{"corp.example"})
	lists := terms.NewCheckerFrom(dir, []terms.Term{{Scope: terms.DepartmentScope("営業部"), Text: "ORION-7", Weight: 0.9}}, nil, nil)
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Department: dir.DepartmentOf})
	return check.Path(&detect.Detector{Model: m, Content: []detect.ContentChecker{lists}}, pol, check.Fixed{Directory: dir})
}

// misendBehindPostfix is misend as serve wires it behind a real Postfix,
// as its relayhost or as its milter, delivering to a capturing upstream.
type misendBehindPostfix struct {
	name  string
	start func(t *testing.T, p *decide.Path) (misend *server.Server, pf *Instance, upstream *capture)
}

type capture = insink.Sink

func setups() []misendBehindPostfix {
	return []misendBehindPostfix{
		{"relay", func(t *testing.T, p *decide.Path) (*server.Server, *Instance, *capture) {
			up, upAddr := startCapture(t)
			gw := startGateway(t, p, upAddr)
			return gw, StartPostfix(t, Options{Relay: gw.SMTP.String()}), up
		}},
		{"milter", func(t *testing.T, p *decide.Path) (*server.Server, *Instance, *capture) {
			up, upAddr := startCapture(t)
			reinject := freePort(t)
			ms := startServeMilter(t, p, reinject)
			return ms, StartPostfix(t, Options{Relay: upAddr, Milter: ms.Milter.String(), Reinject: reinject}), up
		}},
	}
}

// A forged From: does not choose the confidential-term lists. Submitted
// through Postfix by sato, with a From: naming an outsider or a colleague
// of another department, mail carrying 営業部's term is held in misend and
// never reaches the upstream.
func TestPostfixForgedFromStopped(t *testing.T) {
	needPostfix(t)
	for _, s := range setups() {
		t.Run(s.name, func(t *testing.T) {
			misend, pf, up := s.start(t, termPath(t))
			for i, from := range []string{"ceo@evil.example", "kato@corp.example"} {
				id := s.name + "-forged-" + string(rune('a'+i)) + "@corp.example"
				raw := "From: " + from + "\r\nTo: tanaka@partner-a.example\r\nSubject: plan\r\nMessage-ID: <" + id + ">\r\n" +
					"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nORION-7 の資料です。\r\n"
				if err := smtp.SendMail(pf.Addr, nil, "sato@corp.example", []string{"tanaka@partner-a.example"}, []byte(raw)); err != nil {
					t.Fatalf("Postfix refused the submission: %v", err)
				}
				var held *queue.Item
				for end := time.Now().Add(30 * time.Second); held == nil && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
					for _, it := range misend.Queue.List(queue.Held) {
						if it.Outcome.MessageID == id {
							held = &it
						}
					}
				}
				if held == nil {
					t.Fatalf("From: %s not held: spool %v\npostfix log:\n%s", from, misend.Queue.Depth(), pf.Log())
				}
				if held.Outcome.Sender != "sato@corp.example" {
					t.Errorf("held for %s, want sato", held.Outcome.Sender)
				}
				if n := countMessages(up, id); n != 0 {
					t.Errorf("From: %s reached the upstream %d times", from, n)
				}
			}
		})
	}
}

// A recipient whose address is a route cannot leave unchecked through
// Postfix: the milter takes recipients without an answer and refuses the
// whole message at its end, so Postfix refuses the client's DATA; as
// Postfix's relayhost misend refuses it at RCPT, so Postfix bounces it.
// Nothing reaches the upstream for attacker@evil.example. Before, both
// forms scored 0.0 as internal and the quoted one reached the upstream
// as attacker@evil.example@corp.example.
func TestPostfixRoutedRecipientCannotLeave(t *testing.T) {
	needPostfix(t)
	for _, s := range setups() {
		t.Run(s.name, func(t *testing.T) {
			_, pf, up := s.start(t, termPath(t))
			for i, rcpt := range []string{"attacker%evil.example@corp.example", `"attacker@evil.example"@corp.example`} {
				id := s.name + "-routed-" + string(rune('a'+i)) + "@corp.example"
				raw := "From: sato@corp.example\r\nTo: " + rcpt + "\r\nSubject: plan\r\nMessage-ID: <" + id + ">\r\n" +
					"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\nORION-7\r\n"
				err := smtp.SendMail(pf.Addr, nil, "sato@corp.example", []string{rcpt}, []byte(raw))
				switch s.name {
				case "milter":
					if err == nil || !strings.Contains(err.Error(), "553") {
						t.Errorf("RCPT TO:<%s> through the milter: %v, want the message refused with 553", rcpt, err)
					}
				case "relay":
					if err != nil {
						t.Fatalf("Postfix refused the submission: %v", err)
					}
					for end := time.Now().Add(30 * time.Second); pf.Status("<"+id+">") != "bounced"; time.Sleep(50 * time.Millisecond) {
						if time.Now().After(end) {
							t.Fatalf("%s: Postfix status %q, want bounced\n%s", rcpt, pf.Status("<"+id+">"), pf.Log())
						}
					}
					if !strings.Contains(pf.Log(), "553 5.1.3") {
						t.Errorf("bounced, but not on misend's 553 5.1.3:\n%s", pf.Log())
					}
				}
			}
			// The milter refused the message and Postfix logged the bounce:
			// neither has anything left to send.
			for _, m := range up.Messages() {
				for _, to := range m.To {
					if strings.Contains(to, "attacker") || strings.Contains(to, "evil.example") {
						t.Errorf("reached the upstream for %q", to)
					}
				}
			}
		})
	}
}
