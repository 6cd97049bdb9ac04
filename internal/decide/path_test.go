package decide

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

// people is a directory for tests: address or alias → (main address,
// department). Everyone at corp.example is internal.
type people map[string][2]string

func (p people) PersonOf(addr string) (string, bool) {
	e, ok := p[strings.ToLower(addr)]
	return e[0], ok
}
func (p people) DepartmentOf(addr string) string { return p[strings.ToLower(addr)][1] }
func (p people) IsInternal(addr string) bool {
	_, ok := p[strings.ToLower(addr)]
	return ok || strings.HasSuffix(strings.ToLower(addr), "@corp.example")
}

func parsedAs(m *mail.Message) func([]byte, mail.Limits) (*mail.Message, error) {
	return func([]byte, mail.Limits) (*mail.Message, error) { c := *m; return &c, nil }
}

func TestDecide(t *testing.T) {
	pol, err := policy.New(policy.Config{
		Default: policy.Rules{Bands: map[policy.Verdict]float64{policy.Delay: 0.5}, DelayMinutes: 3},
		Departments: map[string]policy.Rules{
			"法務部": {FailSafe: policy.Reject},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := people{"legal@corp.example": {"legal@corp.example", "法務部"}, "taro@corp.example": {"taro@corp.example", "営業部"}}
	parsed := parsedAs(&mail.Message{MessageID: "id@x", From: mail.Address{Addr: "taro@corp.example"},
		To: []mail.Address{{Addr: "a@partner.example"}}})
	var seen *mail.Message
	scored := func(score float64) DetectorFunc {
		return func(m *mail.Message, now time.Time) (float64, []finding.Finding) {
			seen = m
			return score, []finding.Finding{{Code: finding.NewDomain}}
		}
	}
	env := Envelope{From: "taro@corp.example", To: []string{"a@partner.example", "B@Hidden.example"}}

	tests := []struct {
		name    string
		p       *Path
		env     Envelope
		want    policy.Decision
		wantErr string
	}{
		{"decides through policy", &Path{Parse: parsed, Detector: scored(0.6)}, env,
			policy.Decision{Verdict: policy.Delay, Decided: policy.Delay, Delay: 3 * time.Minute, Rule: "score>=0.50"}, ""},
		{"low score passes", &Path{Parse: parsed, Detector: scored(0.1)}, env,
			policy.Decision{Verdict: policy.Pass, Decided: policy.Pass, Rule: "default"}, ""},
		{"parse failure fails safe", &Path{Detector: scored(0),
			Parse: func([]byte, mail.Limits) (*mail.Message, error) { return nil, errors.New("header too big") }}, env,
			policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "fail-safe"}, "parse: header too big"},
		{"panic fails safe", &Path{Parse: parsed,
			Detector: DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) { panic("index out of range") })}, env,
			policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "fail-safe"}, "panic: index out of range"},
		{"fail-safe follows the department", &Path{Detector: scored(0),
			Parse: func([]byte, mail.Limits) (*mail.Message, error) { return nil, errors.New("bad") }},
			Envelope{From: "legal@corp.example"},
			policy.Decision{Verdict: policy.Reject, Decided: policy.Reject, Rule: "fail-safe"}, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.Policy, tt.p.People = pol, dir
			before := runtime.NumGoroutine()
			res := tt.p.Decide(context.Background(), tt.env, []byte("x"))
			if res.Decision != tt.want {
				t.Errorf("decision %+v, want %+v", res.Decision, tt.want)
			}
			if tt.wantErr == "" && res.Err != nil || tt.wantErr != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tt.wantErr)) {
				t.Errorf("err %v, want %q", res.Err, tt.wantErr)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Errorf("%d goroutines left running after Decide", n-before)
			}
		})
	}
	// Envelope-only recipients are judged as Bcc.
	res := (&Path{Policy: pol, Parse: parsed, Detector: scored(0)}).Decide(context.Background(), env, nil)
	if len(seen.Bcc) != 1 || seen.Bcc[0].Addr != "b@hidden.example" {
		t.Errorf("Bcc from envelope = %+v", seen.Bcc)
	}
	// The Result carries the parse itself, without the envelope applied.
	if res.Message == nil || res.Message.MessageID != "id@x" || len(res.Message.Bcc) != 0 {
		t.Errorf("Result.Message = %+v", res.Message)
	}
}

// expiring is a context whose deadline passes when the test says, for
// every context derived from it at once (it is an AfterFunc parent), so a
// test can let a deadline pass at an exact point instead of sleeping past
// it.
type expiring struct {
	context.Context // no values
	mu              sync.Mutex
	done            chan struct{}
	err             error
	after           []func()
}

func newExpiring() *expiring {
	return &expiring{Context: context.Background(), done: make(chan struct{})}
}

func (e *expiring) Done() <-chan struct{} { return e.done }

func (e *expiring) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// AfterFunc is what context.WithTimeout uses to follow e.
func (e *expiring) AfterFunc(f func()) func() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.after = append(e.after, f)
	return func() bool { return false }
}

// expire lets the deadline pass; contexts derived from e are done when it
// returns.
func (e *expiring) expire() {
	e.mu.Lock()
	e.err = context.DeadlineExceeded
	close(e.done)
	after := e.after
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
}

// A detector that answers after the decision's deadline passed does not
// decide: the decision is the fail-safe. The deadline passes while the
// detector runs, not after a sleep that a busy machine could outlast.
func TestOverrunningTheDeadlineFailsSafe(t *testing.T) {
	pol, err := policy.New(policy.Config{Default: policy.Rules{FailSafe: policy.Hold}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := newExpiring()
	p := &Path{Policy: pol, Timeout: time.Hour,
		Parse: parsedAs(&mail.Message{From: mail.Address{Addr: "a@corp.example"}, To: []mail.Address{{Addr: "b@partner.example"}}}),
		Detector: DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) {
			ctx.expire()
			return 0, nil
		})}
	res := p.Decide(ctx, Envelope{From: "a@corp.example"}, nil)
	want := policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "fail-safe"}
	if res.Decision != want || !errors.Is(res.Err, context.DeadlineExceeded) || !strings.Contains(res.Err.Error(), "no answer within the deadline") {
		t.Errorf("decision %+v, err %v; want the fail-safe hold for the deadline", res.Decision, res.Err)
	}
}

// A cancelled context is honoured before any detection work starts.
func TestDecideHonoursContext(t *testing.T) {
	called := false
	p := &Path{Parse: parsedAs(&mail.Message{From: mail.Address{Addr: "a@corp.example"}}),
		Detector: DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) { called = true; return 0, nil })}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := p.Decide(ctx, Envelope{From: "a@corp.example"}, nil)
	if called || res.Err == nil || res.Decision.Rule != "fail-safe" {
		t.Errorf("detector called %v, result %+v; want the fail-safe without detection", called, res)
	}
}

// TestSentInAnothersName: mail whose envelope sender (or SASL login) is
// another person of the directory than its From is theirs to answer for:
// the held message and its notices are theirs, the stricter department's
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
	dir := people{
		"boss@corp.example": {"boss@corp.example", "営業部"}, "hr@corp.example": {"hr@corp.example", "人事部"},
		"sato@corp.example": {"sato@corp.example", "営業部"}, "shacho@corp.example": {"boss@corp.example", "営業部"},
	}
	p := &Path{Policy: pol, People: dir,
		Parse: parsedAs(&mail.Message{MessageID: "id@x", From: mail.Address{Addr: "boss@corp.example"},
			To: []mail.Address{{Addr: "a@partner.example"}}}),
		Detector: DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) { return 0.6, nil }),
	}
	tests := []struct {
		envFrom, login, sender, dept string
		verdict                      policy.Verdict
		sentAs                       bool
	}{
		{"boss@corp.example", "", "boss@corp.example", "営業部", policy.Confirm, false},          // their own
		{"BOSS@corp.example", "", "boss@corp.example", "営業部", policy.Confirm, false},          // case
		{"shacho@corp.example", "", "boss@corp.example", "営業部", policy.Confirm, false},        // their alias
		{"hr@corp.example", "", "hr@corp.example", "人事部", policy.Hold, true},                  // stricter department
		{"sato@corp.example", "", "sato@corp.example", "営業部", policy.Confirm, true},           // same department
		{"list-bounces@lists.example", "", "boss@corp.example", "営業部", policy.Confirm, false}, // not a person here
		{"", "", "boss@corp.example", "営業部", policy.Confirm, false},
		{"boss@corp.example", "hr@corp.example", "hr@corp.example", "人事部", policy.Hold, true}, // the login says who
		{"hr@corp.example", "boss", "boss@corp.example", "人事部", policy.Hold, false},           // a login at the envelope's domain; the envelope's department is stricter
		{"boss@corp.example", "svc-relay", "boss@corp.example", "営業部", policy.Confirm, false}, // a login that is no person
	}
	for _, tt := range tests {
		res := p.Decide(context.Background(), Envelope{From: tt.envFrom, Login: tt.login, To: []string{"a@partner.example"}}, []byte("x"))
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

// outsideTerms is a content checker standing for the term lists: the
// From's department's term "ORION-7" must not reach anyone outside that
// department.
type outsideTerms struct{ dir people }

func (c outsideTerms) CheckContent(msg *mail.Message) []finding.Finding {
	dept := c.dir.DepartmentOf(msg.From.Addr)
	if dept != "営業部" || !strings.Contains(msg.Text, "ORION-7") {
		return nil
	}
	for _, r := range msg.Recipients() {
		if c.dir.DepartmentOf(r.Addr) != dept {
			return []finding.Finding{{Code: finding.ConfidentialTerms, Severity: finding.High, Scope: "department:" + dept, Recipient: r.Addr}}
		}
	}
	return nil
}

// The confidential-term lists follow who sent the message, not its From:
// line. With the same envelope sender, a From: naming an outsider, an
// address the directory does not know or a colleague of another
// department still gets the sender's department's lists, and the message
// is held.
func TestTermListsFollowTheSender(t *testing.T) {
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	dir := people{
		"sato@corp.example": {"sato@corp.example", "営業部"}, "s.sato@corp.example": {"sato@corp.example", "営業部"},
		"kato@corp.example": {"kato@corp.example", "経理部"},
	}
	content := outsideTerms{dir}
	p := &Path{Policy: pol, People: dir, Content: []ContentChecker{content},
		Detector: DetectorFunc(func(m *mail.Message, _ time.Time) (float64, []finding.Finding) {
			return 0, content.CheckContent(m)
		})}
	for _, tt := range []struct {
		name, from, login string
	}{
		{"own From", "sato@corp.example", ""},
		{"an outside From", "ceo@evil.example", ""},
		{"a From nobody in the directory has", "nobody@corp.example", ""},
		{"a colleague of another department", "kato@corp.example", ""},
		{"the SASL login says who, whatever the envelope", "kato@corp.example", "s.sato@corp.example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			envFrom := "sato@corp.example"
			if tt.login != "" {
				envFrom = "kato@corp.example"
			}
			raw := "From: " + tt.from + "\r\nTo: tanaka@partner.example\r\nSubject: x\r\n\r\nORION-7 の件\r\n"
			res := p.Decide(context.Background(), Envelope{From: envFrom, Login: tt.login, To: []string{"tanaka@partner.example"}}, []byte(raw))
			if res.Decision.Verdict != policy.Hold || res.Sender != "sato@corp.example" {
				t.Errorf("verdict %s, sender %s; want hold for sato: %+v", res.Decision.Verdict, res.Sender, res.Findings)
			}
		})
	}
}

// Recipients whose addresses are routes are judged where they lead: a
// percent hack or a quoted '@' at the organisation's domain is outside.
func TestRoutedRecipientsJudgedWhereTheyLead(t *testing.T) {
	dir := people{"sato@corp.example": {"sato@corp.example", "営業部"}}
	var seen []string
	p := &Path{Policy: &policy.Policy{}, People: dir,
		Detector: DetectorFunc(func(m *mail.Message, _ time.Time) (float64, []finding.Finding) {
			seen = nil
			for _, r := range m.Recipients() {
				seen = append(seen, r.Addr)
			}
			return 0, nil
		})}
	for _, tt := range []struct {
		to, dest string
		outside  bool
	}{
		{"suzuki@corp.example", "suzuki@corp.example", false},
		{"attacker%evil.example@corp.example", "attacker@evil.example", true},
		{`"attacker@evil.example"@corp.example`, "attacker@evil.example", true},
		{"evil.example!attacker@corp.example", "attacker@evil.example", true},
	} {
		raw := "From: sato@corp.example\r\nTo: " + tt.to + "\r\nSubject: x\r\n\r\nx\r\n"
		res := p.Decide(context.Background(), Envelope{}, []byte(raw))
		if len(seen) != 1 || seen[0] != tt.dest || res.Outside != tt.outside {
			t.Errorf("To: %s: detection saw %v, outside %v; want %s, %v", tt.to, seen, res.Outside, tt.dest, tt.outside)
		}
	}
}

// spinning is a ContextDetector that works until its context is done,
// counting its steps.
type spinning struct {
	steps    atomic.Int64
	returned atomic.Bool
}

func (s *spinning) Detect(msg *mail.Message, now time.Time) (float64, []finding.Finding) {
	return 0, nil
}

func (s *spinning) DetectContext(ctx context.Context, msg *mail.Message, now time.Time, _ *policy.Config) (Detection, error) {
	defer s.returned.Store(true)
	for {
		if s.steps.Add(1)%64 == 0 && ctx.Err() != nil {
			return Detection{}, ctx.Err()
		}
	}
}

// A detector that would run past the decision's deadline is stopped by
// it: the decision is the fail-safe, promptly, and no work goes on after.
func TestDeadlineStopsDetection(t *testing.T) {
	pol, err := policy.New(policy.Config{Default: policy.Rules{FailSafe: policy.Hold}})
	if err != nil {
		t.Fatal(err)
	}
	for _, timeout := range []time.Duration{time.Millisecond, 20 * time.Millisecond} {
		d := &spinning{}
		p := &Path{Policy: pol, Timeout: timeout, Detector: d,
			Parse: parsedAs(&mail.Message{From: mail.Address{Addr: "a@corp.example"}, To: []mail.Address{{Addr: "b@partner.example"}}})}
		start := time.Now()
		res := p.Decide(context.Background(), Envelope{From: "a@corp.example"}, nil)
		took := time.Since(start)
		if res.Decision.Verdict != policy.Hold || res.Decision.Rule != "fail-safe" || !errors.Is(res.Err, context.DeadlineExceeded) {
			t.Errorf("%v: decision %+v, err %v; want the fail-safe hold for the deadline", timeout, res.Decision, res.Err)
		}
		if took > timeout+time.Second {
			t.Errorf("%v: decided after %v", timeout, took)
		}
		// Nothing runs on after the decision: the detector has returned.
		if !d.returned.Load() || d.steps.Load() == 0 {
			t.Errorf("%v: detector returned %v after %d steps", timeout, d.returned.Load(), d.steps.Load())
		}
	}
}
