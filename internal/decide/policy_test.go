package decide

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

// TestExemptSenders: an exempt sender's mail passes with the rules'
// verdict kept and the exemption named, only when every name the message
// goes by is exempt and inside the organisation.
func TestExemptSenders(t *testing.T) {
	pol, err := policy.New(policy.Config{
		ExemptSenders: []string{"noreply@", "billing@corp.example", "alerts@vendor.example"},
		Default:       policy.Rules{Bands: map[policy.Verdict]float64{policy.Hold: 0.5}},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := people{"taro@corp.example": {"taro@corp.example", "営業部"}, "noreply@corp.example": {"noreply@corp.example", "情報システム部"}}
	held := policy.Decision{Verdict: policy.Hold, Decided: policy.Hold, Rule: "score>=0.50"}
	exempt := policy.Decision{Verdict: policy.Pass, Decided: policy.Hold, Exempt: true, Rule: policy.ExemptRule}
	tests := []struct {
		name string
		from string // header From
		env  Envelope
		want policy.Decision
	}{
		{"noreply@ at the organisation", "noreply@corp.example", Envelope{From: "noreply@corp.example"}, exempt},
		{"an exempt address not in the directory but at an organisation domain", "billing@corp.example", Envelope{From: "billing@corp.example"}, exempt},
		{"a person writing From: noreply@", "noreply@corp.example", Envelope{From: "taro@corp.example"}, held},
		{"a person's login behind noreply@", "noreply@corp.example", Envelope{From: "noreply@corp.example", Login: "taro"}, held},
		{"noreply@ as envelope, a person as From", "taro@corp.example", Envelope{From: "noreply@corp.example"}, held},
		{"an outsider's noreply@ is never exempt", "noreply@vendor.example", Envelope{From: "noreply@vendor.example"}, held},
		{"an outside address on the list is never exempt", "alerts@vendor.example", Envelope{From: "alerts@vendor.example"}, held},
		{"a bounce from noreply@", "noreply@corp.example", Envelope{}, exempt},
		{"someone else", "taro@corp.example", Envelope{From: "taro@corp.example"}, held},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Path{Policy: pol, People: dir, Detector: DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) {
				return 0.8, []finding.Finding{{Code: finding.NewDomain}}
			}), Parse: parsedAs(&mail.Message{From: mail.Address{Addr: tt.from}, To: []mail.Address{{Addr: "a@partner.example"}}})}
			tt.env.To = []string{"a@partner.example"}
			res := p.Decide(context.Background(), tt.env, []byte("x"))
			if res.Decision != tt.want {
				t.Errorf("decision %+v, want %+v", res.Decision, tt.want)
			}
			// check --json and the API say so.
			if res.Outcome().Exempt != tt.want.Exempt {
				t.Errorf("outcome exempt %v", res.Outcome().Exempt)
			}
		})
	}
}

// trusting is a ContextDetector that reports NEW_DOMAIN for each
// recipient at a domain the policy it is given does not trust, and
// remembers which policy that was.
type trusting struct{ saw *policy.Config }

func (d *trusting) Detect(msg *mail.Message, now time.Time) (float64, []finding.Finding) {
	det, _ := d.DetectContext(context.Background(), msg, now, nil)
	return det.Score, det.Findings
}

func (d *trusting) DetectContext(_ context.Context, msg *mail.Message, _ time.Time, pol *policy.Config) (Detection, error) {
	d.saw = pol
	var fs []finding.Finding
	for _, r := range msg.Recipients() {
		if pol == nil || !pol.Trusted(r.Domain()) {
			fs = append(fs, finding.Finding{Code: finding.NewDomain, Recipient: r.Addr})
		}
	}
	return Detection{Findings: fs}, nil
}

// TestPolicyChangeAppliesToNextMessage: a Path reads the policy in force
// for each message, findings and verdict from the same one.
func TestPolicyChangeAppliesToNextMessage(t *testing.T) {
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	det := &trusting{}
	p := &Path{Policy: pol, People: people{}, Detector: det,
		Parse: parsedAs(&mail.Message{From: mail.Address{Addr: "taro@corp.example"}, To: []mail.Address{{Addr: "k@group-co.co.jp"}}})}
	steps := []struct {
		name   string
		change func(*policy.Config)
		want   policy.Verdict
		codes  int
	}{
		{"built-in policy", nil, policy.Pass, 1},
		{"NEW_DOMAIN now confirms", func(c *policy.Config) { c.Default.Codes[finding.NewDomain] = policy.Confirm }, policy.Confirm, 1},
		{"the domain is trusted", func(c *policy.Config) { c.TrustedDomains = []string{"group-co.co.jp"} }, policy.Pass, 0},
		{"the department is in shadow mode", func(c *policy.Config) {
			c.TrustedDomains = nil
			yes := true
			c.Default.Shadow = &yes
		}, policy.Pass, 1},
	}
	for _, st := range steps {
		if st.change != nil {
			cfg := pol.Current().Clone()
			st.change(&cfg)
			if err := pol.Set(cfg); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		res := p.Decide(context.Background(), Envelope{From: "taro@corp.example"}, []byte("x"))
		if res.Decision.Verdict != st.want || len(res.Findings) != st.codes {
			t.Errorf("%s: %s with %d findings, want %s with %d", st.name, res.Decision.Verdict, len(res.Findings), st.want, st.codes)
		}
		if det.saw != pol.Current() {
			t.Errorf("%s: the detector saw another policy than the one in force", st.name)
		}
	}
}

// changing is a ContextDetector during whose work an administrator
// changes the policy; then it fails or panics.
type changing struct {
	pol   *policy.Policy
	to    policy.Config
	panic bool
}

func (d *changing) Detect(msg *mail.Message, now time.Time) (float64, []finding.Finding) {
	det, _ := d.DetectContext(context.Background(), msg, now, nil)
	return det.Score, det.Findings
}

func (d *changing) DetectContext(context.Context, *mail.Message, time.Time, *policy.Config) (Detection, error) {
	if err := d.pol.Set(d.to); err != nil {
		panic(err)
	}
	if d.panic {
		panic("detector broke")
	}
	return Detection{}, errors.New("gave up")
}

// TestFailSafeUnderTheDecisionsPolicy: a decision that fails safe does so
// under the policy it took, not one set while it ran.
func TestFailSafeUnderTheDecisionsPolicy(t *testing.T) {
	for _, panics := range []bool{false, true} {
		before := policy.DefaultConfig()
		before.Default.FailSafe = policy.Hold
		pol, err := policy.New(before)
		if err != nil {
			t.Fatal(err)
		}
		after := before.Clone()
		after.Default.FailSafe = policy.Pass
		p := &Path{Policy: pol, People: people{}, Detector: &changing{pol: pol, to: after, panic: panics},
			Parse: parsedAs(&mail.Message{From: mail.Address{Addr: "taro@corp.example"}, To: []mail.Address{{Addr: "k@partner.example"}}})}
		res := p.Decide(context.Background(), Envelope{From: "taro@corp.example"}, []byte("x"))
		if res.Err == nil || res.Decision.Verdict != policy.Hold {
			t.Errorf("panics %v: %s (err %v), want the fail-safe of the policy the decision took, hold", panics, res.Decision.Verdict, res.Err)
		}
		if pol.Current().FailSafe("").Verdict != policy.Pass {
			t.Fatalf("panics %v: the policy did not change meanwhile", panics)
		}
	}
}
