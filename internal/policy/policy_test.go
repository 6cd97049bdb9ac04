package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pelletier/go-toml/v2"

	"github.com/misend/misend/internal/finding"
)

const sampleTOML = `
[default]
bands = { warn = 0.5, confirm = 0.7, hold = 0.9 }
codes = { CONFIDENTIAL_TERMS = "hold", LOOKALIKE_DOMAIN = "confirm" }
delay_minutes = 10

[department."営業部"]
shadow = true

[department."法務部"]
bands = { delay = 0.4, reject = 0.95 }
codes = { LOOKALIKE_DOMAIN = "reject" }
delay_minutes = 30
fail_safe = "reject"
`

func mustPolicy(t *testing.T, src string) *Policy {
	t.Helper()
	var cfg Config
	if err := toml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatalf("toml: %v", err)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func fs(codes ...finding.Code) []finding.Finding {
	var out []finding.Finding
	for _, c := range codes {
		out = append(out, finding.Finding{Code: c})
	}
	return out
}

func TestEvaluate(t *testing.T) {
	p := mustPolicy(t, sampleTOML)
	tests := []struct {
		name  string
		dept  string
		score float64
		fs    []finding.Finding
		want  Decision
	}{
		{"quiet mail passes", "", 0.1, nil, Decision{Verdict: Pass, Decided: Pass, Rule: "default"}},
		{"band edge is inclusive", "", 0.5, nil, Decision{Verdict: Warn, Decided: Warn, Rule: "score>=0.50"}},
		{"just below a band", "", 0.6999, nil, Decision{Verdict: Warn, Decided: Warn, Rule: "score>=0.50"}},
		{"high score holds", "", 0.95, nil, Decision{Verdict: Hold, Decided: Hold, Rule: "score>=0.90"}},
		{"code raises a low score", "", 0.0, fs(finding.ConfidentialTerms), Decision{Verdict: Hold, Decided: Hold, Rule: "code:CONFIDENTIAL_TERMS"}},
		{"code never lowers", "", 0.95, fs(finding.LookalikeDomain), Decision{Verdict: Hold, Decided: Hold, Rule: "score>=0.90"}},
		{"strictest code wins", "", 0.0, fs(finding.LookalikeDomain, finding.ConfidentialTerms, finding.NewDomain), Decision{Verdict: Hold, Decided: Hold, Rule: "code:CONFIDENTIAL_TERMS"}},
		{"unknown department uses default", "経理部", 0.75, nil, Decision{Verdict: Confirm, Decided: Confirm, Rule: "score>=0.70"}},
		{"shadow passes but records", "営業部", 0.95, nil, Decision{Verdict: Pass, Decided: Hold, Shadow: true, Rule: "score>=0.90"}},
		{"shadow inherits codes", "営業部", 0, fs(finding.ConfidentialTerms), Decision{Verdict: Pass, Decided: Hold, Shadow: true, Rule: "code:CONFIDENTIAL_TERMS"}},
		{"department bands replace default", "法務部", 0.75, nil, Decision{Verdict: Delay, Decided: Delay, Delay: 30 * time.Minute, Rule: "score>=0.40"}},
		{"department bands have no warn", "法務部", 0.3, nil, Decision{Verdict: Pass, Decided: Pass, Rule: "default"}},
		{"department reject band", "法務部", 0.96, nil, Decision{Verdict: Reject, Decided: Reject, Rule: "score>=0.95"}},
		{"department code overrides", "法務部", 0, fs(finding.LookalikeDomain), Decision{Verdict: Reject, Decided: Reject, Rule: "code:LOOKALIKE_DOMAIN"}},
		{"department inherits other codes", "法務部", 0, fs(finding.ConfidentialTerms), Decision{Verdict: Hold, Decided: Hold, Rule: "code:CONFIDENTIAL_TERMS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Evaluate(tt.dept, tt.score, tt.fs)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate(%q, %v) (-want +got):\n%s", tt.dept, tt.score, diff)
			}
			if v := p.Decide(tt.dept, tt.score, tt.fs); v != tt.want.Verdict {
				t.Errorf("Decide = %s, want %s", v, tt.want.Verdict)
			}
		})
	}
}

func TestDelayDuration(t *testing.T) {
	p := mustPolicy(t, "[default]\nbands = { delay = 0.3 }\ndelay_minutes = 7\n")
	d := p.Evaluate("", 0.5, nil)
	if d.Verdict != Delay || d.Delay != 7*time.Minute {
		t.Fatalf("got %+v, want delay of 7m", d)
	}
}

func TestFailSafe(t *testing.T) {
	p := mustPolicy(t, sampleTOML)
	tests := []struct {
		dept string
		want Decision
	}{
		{"", Decision{Verdict: Hold, Decided: Hold, Rule: "fail-safe"}},
		{"法務部", Decision{Verdict: Reject, Decided: Reject, Rule: "fail-safe"}},
		{"営業部", Decision{Verdict: Pass, Decided: Hold, Shadow: true, Rule: "fail-safe"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, p.Current().FailSafe(tt.dept)); diff != "" {
			t.Errorf("FailSafe(%q) (-want +got):\n%s", tt.dept, diff)
		}
	}
}

func TestZeroPolicyUsesDefaults(t *testing.T) {
	var p Policy
	if v := p.Decide("", 0.92, nil); v != Hold {
		t.Errorf("0.92 → %s, want hold", v)
	}
	if v := p.Decide("", 0.1, fs(finding.ConfidentialTerms)); v != Hold {
		t.Errorf("confidential terms → %s, want hold", v)
	}
	if v := p.Decide("", 0.1, fs(finding.ExternalInInternalThread)); v != Confirm {
		t.Errorf("outsider on an internal thread → %s, want confirm", v)
	}
	if d := p.Current().FailSafe("x"); d.Verdict != Hold {
		t.Errorf("fail-safe → %s, want hold", d.Verdict)
	}
	var nilp *Policy
	if v := nilp.Decide("", 0.55, nil); v != Warn {
		t.Errorf("nil policy 0.55 → %s, want warn", v)
	}
}

// TestConfiguredCodesMergeOverBuiltIn: a policy that sets one code keeps
// the built-in others, for the organisation and its departments alike;
// "pass" turns one off.
func TestConfiguredCodesMergeOverBuiltIn(t *testing.T) {
	c := Config{
		Default: Rules{Codes: map[finding.Code]Verdict{finding.PersonalData: Pass}},
		Departments: map[string]Rules{
			"経理部": {Codes: map[finding.Code]Verdict{finding.EncryptedAttachment: Hold}},
		},
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dept string
		code finding.Code
		want Verdict
	}{
		{"", finding.ConfidentialTerms, Hold},
		{"経理部", finding.ConfidentialTerms, Hold},
		{"営業部", finding.ConfidentialTerms, Hold},
		{"経理部", finding.EncryptedAttachment, Hold},
		{"", finding.EncryptedAttachment, Warn},
		{"", finding.ExternalInInternalThread, Confirm},
		{"", finding.PersonalData, Pass},
		{"経理部", finding.PersonalData, Pass},
	}
	for _, tt := range tests {
		if got := c.Evaluate(tt.dept, 0.1, fs(tt.code)).Verdict; got != tt.want {
			t.Errorf("%q, %s: %s, want %s", tt.dept, tt.code, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, src, wantErr string
	}{
		{"unknown verdict in bands", "[default]\nbands = { block = 0.5 }", `unknown verdict "block"`},
		{"pass band", "[default]\nbands = { pass = 0.1 }", "pass needs no band"},
		{"score out of range", "[default]\nbands = { hold = 1.5 }", "must be in (0, 1]"},
		{"zero score", "[default]\nbands = { warn = 0 }", "must be in (0, 1]"},
		{"inverted bands", "[default]\nbands = { warn = 0.8, hold = 0.5 }", "hold starts at 0.5, not above warn at 0.8"},
		{"equal bands", "[default]\nbands = { warn = 0.5, confirm = 0.5 }", "not above"},
		{"bad code", "[default]\ncodes = { confidential = \"hold\" }", `"confidential" is not a finding code`},
		{"bad code verdict", "[default]\ncodes = { NEW_DOMAIN = \"stop\" }", `NEW_DOMAIN = "stop": unknown verdict`},
		{"negative delay", "[default]\ndelay_minutes = -1", "delay_minutes: -1"},
		{"huge delay", "[default]\ndelay_minutes = 100000", "delay_minutes: 100000"},
		{"bad fail-safe", "[default]\nfail_safe = \"ignore\"", `fail_safe: unknown verdict "ignore"`},
		{"error names department", "[department.\"開発部\"]\nfail_safe = \"x\"", `policy.department."開発部": fail_safe`},
		{"empty department", "[department.\"\"]\nshadow = true", "empty department name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg Config
			if err := toml.Unmarshal([]byte(tt.src), &cfg); err != nil {
				t.Fatalf("toml: %v", err)
			}
			_, err := New(cfg)
			if err == nil {
				t.Fatalf("New accepted %q", tt.src)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestVerdictOrder(t *testing.T) {
	order := []Verdict{Pass, Warn, Delay, Confirm, Hold, Reject}
	for i := 1; i < len(order); i++ {
		if !order[i].Stricter(order[i-1]) || order[i-1].Stricter(order[i]) {
			t.Errorf("%s should be stricter than %s", order[i], order[i-1])
		}
	}
	for _, v := range order {
		want := v == Confirm || v == Delay || v == Hold
		if v.Holds() != want {
			t.Errorf("%s.Holds() = %v", v, v.Holds())
		}
	}
	if Verdict("PASS").Valid() {
		t.Error("verdict names are case-sensitive")
	}
}

func BenchmarkEvaluate(b *testing.B) {
	var cfg Config
	if err := toml.Unmarshal([]byte(sampleTOML), &cfg); err != nil {
		b.Fatal(err)
	}
	p, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	f := fs(finding.NewDomain, finding.NewRecipient, finding.ConfidentialTerms)
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate("法務部", 0.6, f)
	}
}
