package policy

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pelletier/go-toml/v2"

	"github.com/misend/misend/internal/finding"
)

func TestTrusted(t *testing.T) {
	p, err := New(Config{TrustedDomains: []string{" Group-Co.CO.JP. ", "監査法人.jp", "partner.example"}})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Current()
	tests := []struct {
		dom  string
		want bool
	}{
		{"group-co.co.jp", true},
		{"mail.group-co.co.jp", true},  // a subdomain is trusted with its domain
		{"GROUP-CO.CO.JP", true},       // case never matters
		{"group-co.com", false},        // a TLD swap is a look-alike, not the partner
		{"group-c0.co.jp", false},      // a homoglyph is a look-alike
		{"evil-group-co.co.jp", false}, // a suffix of the name is not a subdomain
		{"group-co.co.jp.evil.example", false},
		{"co.jp", false},
		{"xn--gmq982dqndesm.jp", true}, // 監査法人.jp in punycode
		{"監査法人.jp", true},
		{"partner.example", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := c.Trusted(tt.dom); got != tt.want {
			t.Errorf("Trusted(%q) = %v, want %v", tt.dom, got, tt.want)
		}
	}
	if want := []string{"group-co.co.jp", "partner.example", "xn--gmq982dqndesm.jp"}; !cmp.Equal(c.TrustedDomains, want) {
		t.Errorf("normalised %q, want %q", c.TrustedDomains, want)
	}
}

func TestExempt(t *testing.T) {
	p, err := New(Config{ExemptSenders: []string{"NoReply@", "billing-system@corp.example"}})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Current()
	tests := []struct {
		addr string
		want bool
	}{
		{"noreply@corp.example", true},
		{"noreply@sub.corp.example", true}, // local@ is every domain; decide requires an insider
		{"NOREPLY@corp.example", true},
		{"billing-system@corp.example", true},
		{"billing-system@other.example", false},
		{"noreply2@corp.example", false},
		{"tanaka@corp.example", false},
		{"noreply", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := c.Exempt(tt.addr); got != tt.want {
			t.Errorf("Exempt(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestValidateLists(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		key, msg string
	}{
		{"public suffix", Config{TrustedDomains: []string{"co.jp"}}, "trusted_suffix", `"co.jp" is a public suffix`},
		{"top-level domain", Config{TrustedDomains: []string{"com"}}, "trusted_domain", `"com" is not a domain name`},
		{"wildcard", Config{TrustedDomains: []string{"*.partner.example"}}, "trusted_domain", "not a domain name"},
		{"address for a domain", Config{TrustedDomains: []string{"a@partner.example"}}, "trusted_domain", "not a domain name"},
		{"sender without @", Config{ExemptSenders: []string{"noreply"}}, "exempt_sender", `"noreply" is neither`},
		{"wildcard sender", Config{ExemptSenders: []string{"*@corp.example"}}, "exempt_sender", "neither"},
		{"bad sender domain", Config{ExemptSenders: []string{"noreply@corp..example"}}, "exempt_sender", "neither"},
		{"too many", Config{TrustedDomains: manyDomains(maxListEntries + 1)}, "too_many", "trusted_domains: more than 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			var found bool
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				if p, ok := e.(*Problem); ok && p.Key == tt.key {
					found = true
				}
			}
			if !found {
				t.Errorf("no Problem %s in %v", tt.key, err)
			}
		})
	}
}

func manyDomains(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "d" + strings.Repeat("x", i%50) + string(rune('a'+i%26)) + "-" + itoa(i) + ".example"
	}
	return out
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestProblemDepartment(t *testing.T) {
	var cfg Config
	if err := toml.Unmarshal([]byte("[department.\"営業部\"]\nfail_safe = \"x\"\n"), &cfg); err != nil {
		t.Fatal(err)
	}
	err := cfg.Validate()
	p, ok := err.(interface{ Unwrap() []error }).Unwrap()[0].(*Problem)
	if !ok || p.Department() != "営業部" || p.Key != "failsafe_verdict" {
		t.Fatalf("got %#v", err)
	}
}

// TestTOMLRoundTrip: the export reads back as the same policy.
func TestTOMLRoundTrip(t *testing.T) {
	p := mustPolicy(t, sampleTOML+"\n")
	cfg := p.Current().Clone()
	cfg.TrustedDomains = []string{"group-co.co.jp"}
	cfg.ExemptSenders = []string{"noreply@"}
	if err := p.Set(cfg); err != nil {
		t.Fatal(err)
	}
	b, err := p.Current().TOML()
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Policy Config `toml:"policy"`
	}
	dec := toml.NewDecoder(strings.NewReader(string(b))).DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatalf("%v in\n%s", err, b)
	}
	q, err := New(back.Policy)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p.Current().Clone(), q.Current().Clone(), cmpopts.IgnoreUnexported(Config{})); diff != "" {
		t.Errorf("round trip (-want +got):\n%s\n%s", diff, b)
	}
}

// TestSetWhileDeciding: decisions under way see one whole Config or the
// next, never a mix, and a bad Config never replaces a good one.
func TestSetWhileDeciding(t *testing.T) {
	p := mustPolicy(t, "[default]\nbands = { hold = 0.9 }\n")
	if err := p.Set(Config{Default: Rules{Bands: map[Verdict]float64{Hold: 2}}}); err == nil {
		t.Fatal("Set took a bad config")
	}
	if v := p.Decide("", 0.95, nil); v != Hold {
		t.Fatalf("bad Set changed the policy: %s", v)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			at := 0.5
			if i%2 == 0 {
				at = 0.9
			}
			if err := p.Set(Config{Default: Rules{Bands: map[Verdict]float64{Hold: at}}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 2000 {
		c := p.Current()
		d := c.Evaluate("", 0.6, []finding.Finding{})
		want := Pass
		if c.Default.Bands[Hold] == 0.5 {
			want = Hold
		}
		if d.Verdict != want {
			t.Fatalf("decision %s from a config with hold at %v", d.Verdict, c.Default.Bands[Hold])
		}
	}
	wg.Wait()
}

func TestAsExempt(t *testing.T) {
	d := Decision{Verdict: Delay, Decided: Delay, Delay: 5, Rule: "score>=0.50"}.AsExempt()
	if diff := cmp.Diff(Decision{Verdict: Pass, Decided: Delay, Exempt: true, Rule: ExemptRule}, d); diff != "" {
		t.Error(diff)
	}
}
