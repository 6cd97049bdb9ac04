package milter

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

// CheckDecider decides through check.Service, the decision path misend's
// other entrances share, and turns every failure into the policy's fail-safe
// decision: unparseable mail, a detector that panics, or one that does not
// answer within Timeout.
type CheckDecider struct {
	Service *check.Service
	Policy  *policy.Policy // Service.Policy if nil
	Limits  mail.Limits    // zero means mail.DefaultLimits
	Timeout time.Duration  // 0 means 2 s, well inside Postfix's 30 s command timeout
	Now     func() time.Time
	// Parse reads the message; nil means mail.Parse.
	Parse func(raw []byte, lim mail.Limits) (*mail.Message, error)

	// seams for tests: nil means Parse and Service.Check
	parse func(raw []byte, lim mail.Limits) (*mail.Message, error)
	check func(msg *mail.Message, now time.Time) check.Outcome
}

// Decide implements Decider.
func (d *CheckDecider) Decide(ctx context.Context, env Envelope, raw []byte) Result {
	pol := d.Policy
	if pol == nil {
		pol = d.Service.Policy
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	failSafe := func(dept string, err error) Result {
		return Result{Sender: env.From, Department: dept, Decision: pol.FailSafe(dept), Err: err}
	}

	type answer struct {
		res Result
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- answer{failSafe(d.department(env.From), fmt.Errorf("detect: panic: %v", v))}
			}
		}()
		parse, decide := d.parse, d.check
		if parse == nil {
			parse = d.Parse
		}
		if parse == nil {
			parse = func(raw []byte, lim mail.Limits) (*mail.Message, error) { return mail.Parse(bytes.NewReader(raw), lim) }
		}
		if decide == nil {
			decide = d.Service.Check
		}
		msg, err := parse(raw, d.Limits)
		if err != nil {
			done <- answer{failSafe(d.department(env.From), fmt.Errorf("parse: %w", err))}
			return
		}
		addEnvelope(msg, env)
		out := decide(msg, now())
		sender, dept := out.Sender, d.department(out.Sender)
		// Mail in another insider's name: the one who sent it confirms it
		// and is told about it, not the one it names, and the stricter of
		// the two departments' rules applies.
		sub := d.submitter(env, sender)
		if sub != "" {
			out.Findings = append(out.Findings, finding.Finding{Code: finding.SentAs, Severity: finding.Info}.
				Say("sent_as", finding.Args{"submitter": sub, "from": sender}))
		}
		// Re-evaluated for the delay, shadow flag and rule that Outcome
		// does not carry.
		decision := pol.Evaluate(dept, out.Score, out.Findings)
		if sub != "" {
			if subDept := d.department(sub); subDept != dept {
				if other := pol.Evaluate(subDept, out.Score, out.Findings); other.Verdict.Stricter(decision.Verdict) {
					decision, dept = other, subDept
				}
			}
			sender = sub
		}
		done <- answer{Result{
			MessageID: out.MessageID, Sender: sender, Subject: msg.Subject, Department: dept,
			Decision: decision, Score: out.Score, Findings: out.Findings,
		}}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case a := <-done:
		return a.res
	case <-t.C:
		// The detector goroutine is left to finish on its own; its answer
		// lands in the buffered channel and is dropped.
		return failSafe(d.department(env.From), fmt.Errorf("detect: no answer within %s", timeout))
	case <-ctx.Done():
		return failSafe(d.department(env.From), fmt.Errorf("detect: %w", ctx.Err()))
	}
}

func (d *CheckDecider) department(addr string) string {
	if d.Service == nil || d.Service.Departments == nil {
		return ""
	}
	return d.Service.Departments.DepartmentOf(addr)
}

// submitter is who sent the message, when that is a person of the
// directory other than from, who is one too: someone sent mail in
// another's name (a forged From, or a delegate). "" otherwise. The SASL
// login says who sent it when it names a person (as an address, or as a
// local part at the envelope sender's domain); else the envelope sender.
func (d *CheckDecider) submitter(env Envelope, from string) string {
	who := strings.ToLower(env.From)
	if l := strings.ToLower(env.Login); l != "" {
		if !strings.Contains(l, "@") {
			if _, dom, ok := strings.Cut(who, "@"); ok {
				l += "@" + dom
			}
		}
		if d.department(l) != "" {
			who = l
		}
	}
	if who == "" || strings.EqualFold(who, from) || d.department(who) == "" || d.department(from) == "" {
		return ""
	}
	return who
}

// addEnvelope makes the envelope count: an envelope recipient absent from
// To and Cc is a Bcc recipient, and a message without From is judged as
// coming from the envelope sender.
func addEnvelope(msg *mail.Message, env Envelope) {
	if msg.From.Addr == "" && env.From != "" {
		msg.From = mail.Address{Addr: env.From}
	}
	seen := make(map[string]bool)
	for _, a := range msg.Recipients() {
		seen[a.Addr] = true
	}
	for _, r := range env.To {
		r = strings.ToLower(r)
		if r != "" && !seen[r] {
			seen[r] = true
			msg.Bcc = append(msg.Bcc, mail.Address{Addr: r})
		}
	}
}
