package milter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

type depts map[string]string

func (d depts) DepartmentOf(addr string) string { return d[addr] }

func TestCheckDecider(t *testing.T) {
	pol, err := policy.New(policy.Config{
		Default: policy.Rules{Bands: map[policy.Verdict]float64{policy.Delay: 0.5}, DelayMinutes: 3},
		Departments: map[string]policy.Rules{
			"法務部": {FailSafe: policy.Reject},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := &check.Service{Policy: pol, Departments: depts{"legal@corp.example": "法務部"}}
	parsed := func(raw []byte, lim mail.Limits) (*mail.Message, error) {
		return &mail.Message{MessageID: "id@x", From: mail.Address{Addr: "taro@corp.example"},
			To: []mail.Address{{Addr: "a@partner.example"}}}, nil
	}
	var seen *mail.Message
	scored := func(score float64) func(*mail.Message, time.Time) check.Outcome {
		return func(m *mail.Message, now time.Time) check.Outcome {
			seen = m
			return check.Outcome{MessageID: m.MessageID, Sender: m.From.Addr, Score: score,
				Findings: []finding.Finding{{Code: finding.NewDomain}}}
		}
	}
	env := Envelope{From: "taro@corp.example", To: []string{"a@partner.example", "B@Hidden.example"}}

	tests := []struct {
		name    string
		d       *CheckDecider
		env     Envelope
		want    policy.Decision
		wantErr string
	}{
		{"decides through policy", &CheckDecider{Service: svc, parse: parsed, check: scored(0.6)}, env,
			policy.Decision{Verdict: policy.Delay, Decided: policy.Delay, Delay: 3 * time.Minute, Rule: "score>=0.50"}, ""},
		{"low score passes", &CheckDecider{Service: svc, parse: parsed, check: scored(0.1)}, env,
			policy.Decision{Verdict: policy.Pass, Decided: policy.Pass, Rule: "default"}, ""},
		{"parse failure fails safe", &CheckDecider{Service: svc, check: scored(0),
			parse: func([]byte, mail.Limits) (*mail.Message, error) { return nil, errors.New("header too big") }}, env,
			policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "fail-safe"}, "parse: header too big"},
		{"panic fails safe", &CheckDecider{Service: svc, parse: parsed,
			check: func(*mail.Message, time.Time) check.Outcome { panic("index out of range") }}, env,
			policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "fail-safe"}, "panic: index out of range"},
		{"timeout fails safe", &CheckDecider{Service: svc, parse: parsed, Timeout: 20 * time.Millisecond,
			check: func(m *mail.Message, now time.Time) check.Outcome { time.Sleep(time.Second); return check.Outcome{} }}, env,
			policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "fail-safe"}, "no answer within 20ms"},
		{"fail-safe follows the department", &CheckDecider{Service: svc, check: scored(0),
			parse: func([]byte, mail.Limits) (*mail.Message, error) { return nil, errors.New("bad") }},
			Envelope{From: "legal@corp.example"},
			policy.Decision{Verdict: policy.Reject, Decided: policy.Reject, Rule: "fail-safe"}, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res := tt.d.Decide(context.Background(), tt.env, []byte("x"))
			if time.Since(start) > 500*time.Millisecond {
				t.Errorf("Decide took %v; a verdict must not wait on a stuck detector", time.Since(start))
			}
			if res.Decision != tt.want {
				t.Errorf("decision %+v, want %+v", res.Decision, tt.want)
			}
			if tt.wantErr == "" && res.Err != nil || tt.wantErr != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tt.wantErr)) {
				t.Errorf("err %v, want %q", res.Err, tt.wantErr)
			}
		})
	}
	// Envelope-only recipients are judged as Bcc.
	(&CheckDecider{Service: svc, parse: parsed, check: scored(0)}).Decide(context.Background(), env, nil)
	if len(seen.Bcc) != 1 || seen.Bcc[0].Addr != "b@hidden.example" {
		t.Errorf("Bcc from envelope = %+v", seen.Bcc)
	}
}

// TestSentInAnothersName: mail whose envelope sender is another person of
// the directory than its From is the envelope sender's to answer for: the
// held message and its notices are theirs, the stricter department's
// rules apply, and a SENT_AS finding says so.
func TestSentInAnothersName(t *testing.T) {
	pol, err := policy.New(policy.Config{
		Default: policy.Rules{Bands: map[policy.Verdict]float64{policy.Confirm: 0.5}},
		Departments: map[string]policy.Rules{
			"人事部": {Bands: map[policy.Verdict]float64{policy.Hold: 0.3}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	people := depts{"boss@corp.example": "営業部", "hr@corp.example": "人事部", "sato@corp.example": "営業部"}
	svc := &check.Service{Policy: pol, Departments: people}
	fromBoss := func([]byte, mail.Limits) (*mail.Message, error) {
		return &mail.Message{MessageID: "id@x", From: mail.Address{Addr: "boss@corp.example"},
			To: []mail.Address{{Addr: "a@partner.example"}}}, nil
	}
	scored := func(m *mail.Message, now time.Time) check.Outcome {
		return check.Outcome{MessageID: m.MessageID, Sender: m.From.Addr, Score: 0.6, Findings: []finding.Finding{}}
	}
	d := &CheckDecider{Service: svc, parse: fromBoss, check: scored}
	tests := []struct {
		envFrom, login, sender, dept string
		verdict                      policy.Verdict
		sentAs                       bool
	}{
		{"boss@corp.example", "", "boss@corp.example", "営業部", policy.Confirm, false},          // their own
		{"BOSS@corp.example", "", "boss@corp.example", "営業部", policy.Confirm, false},          // case
		{"hr@corp.example", "", "hr@corp.example", "人事部", policy.Hold, true},                  // stricter department
		{"sato@corp.example", "", "sato@corp.example", "営業部", policy.Confirm, true},           // same department
		{"list-bounces@lists.example", "", "boss@corp.example", "営業部", policy.Confirm, false}, // not a person here
		{"", "", "boss@corp.example", "営業部", policy.Confirm, false},
		{"boss@corp.example", "hr@corp.example", "hr@corp.example", "人事部", policy.Hold, true}, // the login says who
		{"hr@corp.example", "boss", "boss@corp.example", "営業部", policy.Confirm, false},        // a login at the envelope's domain
		{"boss@corp.example", "svc-relay", "boss@corp.example", "営業部", policy.Confirm, false}, // a login that is no person
	}
	for _, tt := range tests {
		res := d.Decide(context.Background(), Envelope{From: tt.envFrom, Login: tt.login, To: []string{"a@partner.example"}}, []byte("x"))
		sentAs := false
		for _, f := range res.Findings {
			sentAs = sentAs || f.Code == finding.SentAs
		}
		if res.Sender != tt.sender || res.Department != tt.dept || res.Decision.Verdict != tt.verdict || sentAs != tt.sentAs {
			t.Errorf("envelope %q, login %q: sender %s, department %s, verdict %s, SENT_AS %v; want %s, %s, %s, %v",
				tt.envFrom, tt.login, res.Sender, res.Department, res.Decision.Verdict, sentAs, tt.sender, tt.dept, tt.verdict, tt.sentAs)
		}
	}
}
