package detect

import (
	"slices"
	"strings"
	"testing"

	"github.com/misend/misend/internal/finding"
)

// trustedOpts trusts doms and their subdomains, as policy.Config.Trusted
// does.
func trustedOpts(doms ...string) Options {
	return Options{TrustedDomains: doms, Trusted: func(d string) bool {
		for _, t := range doms {
			if d == t || strings.HasSuffix(d, "."+t) {
				return true
			}
		}
		return false
	}}
}

func TestTrustedDomains(t *testing.T) {
	d := &Detector{Model: history(t)}
	tests := []struct {
		name    string
		msg     mb
		trusted []string
		want    []finding.Code // present
		absent  []finding.Code
		// score: "lower" than without the trusted domains, "kept" (not
		// lower: trust vouches for nothing here), "" not compared. A new
		// person at a trusted domain is scored as one at a domain the
		// organisation knows, which the fitted weights rate a little
		// riskier than one at a domain nobody knows (autocomplete slips
		// land in known domains): trust takes away the new-domain reason,
		// not the evidence about the person.
		score string
	}{
		{"new domain, trusted: no NEW_DOMAIN, still a new person",
			newMsg("t1", me, "Kimura <kimura@group-co.co.jp>"), []string{"group-co.co.jp"},
			[]finding.Code{finding.NewRecipient}, []finding.Code{finding.NewDomain}, ""},
		{"a subdomain is trusted with its domain",
			newMsg("t2", me, "kimura@mail.group-co.co.jp"), []string{"group-co.co.jp"},
			[]finding.Code{finding.NewRecipient}, []finding.Code{finding.NewDomain}, ""},
		{"untrusted new domain stays NEW_DOMAIN",
			newMsg("t3", me, "kimura@other-co.co.jp"), []string{"group-co.co.jp"},
			[]finding.Code{finding.NewDomain}, nil, "kept"},
		{"look-alike of a trusted domain the sender never mailed",
			newMsg("t4", me, "kimura@group-co.com"), []string{"group-co.co.jp"},
			[]finding.Code{finding.LookalikeDomain, finding.NewDomain}, nil, "kept"},
		{"homoglyph of a trusted domain",
			newMsg("t5", me, "kimura@gr0up-co.co.jp"), []string{"group-co.co.jp"},
			[]finding.Code{finding.LookalikeDomain}, nil, "kept"},
		{"a trusted domain with one client is no cross-company mail",
			newMsg("t6", me, "tanaka@partner-a.co.jp", "h.yamada@beta-trading.com"), []string{"beta-trading.com"},
			nil, []finding.Code{finding.CrossCompany}, "lower"},
		{"two clients, neither trusted, still cross-company",
			newMsg("t7", me, "tanaka@partner-a.co.jp", "h.yamada@beta-trading.com"), []string{"group-co.co.jp"},
			[]finding.Code{finding.CrossCompany}, nil, "kept"},
		{"the wrong Tanaka at a trusted partner is still asked about",
			newMsg("t8", me, "Tanaka Taro <tanaka@partner-a.co.jp>", "Suzuki Emi <suzuki@partner-a.co.jp>", "Tanaka Jiro <tanaka.j@partner-a.co.jp>"), []string{"partner-a.co.jp"},
			[]finding.Code{finding.NewRecipient}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := d.Check(tt.msg.m, t0)
			got := d.CheckWith(tt.msg.m, t0, trustedOpts(tt.trusted...))
			cs := codes(got)
			for _, c := range tt.want {
				if _, ok := cs[c]; !ok {
					t.Errorf("no %s in %v", c, slices.Collect(mapsKeys(cs)))
				}
			}
			for _, c := range tt.absent {
				if _, ok := cs[c]; ok {
					t.Errorf("%s reported: %+v", c, cs[c])
				}
				if _, ok := codes(plain)[c]; !ok {
					t.Errorf("%s is not reported without the trusted domains either: the case proves nothing", c)
				}
			}
			if tt.score == "lower" && !(got.Score < plain.Score) {
				t.Errorf("score %.3f with trusted domains, %.3f without: want lower", got.Score, plain.Score)
			}
			if tt.score == "kept" && got.Score < plain.Score-1e-9 {
				t.Errorf("score fell from %.3f to %.3f for mail the trusted domains do not vouch for", plain.Score, got.Score)
			}
		})
	}
	// The look-alike suggests the trusted domain, which nobody here ever
	// mailed: without the list it would be a new domain like any other.
	if _, ok := codes(d.Check(newMsg("t9", me, "kimura@group-co.com").m, t0))[finding.LookalikeDomain]; ok {
		t.Error("group-co.com is a look-alike without the trusted domains: the case proves nothing")
	}
	r := d.CheckWith(newMsg("t9", me, "kimura@group-co.com").m, t0, trustedOpts("group-co.co.jp"))
	if f := codes(r)[finding.LookalikeDomain]; f.Suggestion != "kimura@group-co.co.jp" {
		t.Errorf("suggestion %q, want kimura@group-co.co.jp", f.Suggestion)
	}
}

func mapsKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
