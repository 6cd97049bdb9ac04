package detect

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
)

var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

const me = "sato.ichiro@corp.example"

func a(s string) mail.Address {
	name, addr, ok := strings.Cut(s, " <")
	if !ok {
		return mail.Address{Addr: s}
	}
	return mail.Address{Name: name, Addr: strings.TrimSuffix(addr, ">")}
}

type mb struct{ m *mail.Message }

func newMsg(id string, from string, to ...string) mb {
	m := &mail.Message{MessageID: id, From: a(from)}
	for _, t := range to {
		m.To = append(m.To, a(t))
	}
	return mb{m}
}
func (b mb) cc(cc ...string) mb {
	for _, c := range cc {
		b.m.Cc = append(b.m.Cc, a(c))
	}
	return b
}
func (b mb) reply(to string) mb { b.m.InReplyTo = to; return b }
func (b mb) text(s string) mb   { b.m.Text = s; return b }
func (b mb) at(t time.Time) mb  { b.m.Date = t; return b }
func (b mb) attach(name string) mb {
	b.m.Attachments = append(b.m.Attachments, mail.Attachment{Filename: name})
	return b
}

// history is a small hand-built past for one sender in sales: a partner
// team at partner-a.co.jp, a colleague, a client who writes first, a thread
// among insiders, and a team mate's own partner.
func history(t *testing.T) *model.Model {
	t.Helper()
	dept := map[string]string{me: "sales", "kato.yumi@corp.example": "sales", "ito.jun@corp.example": "sales", "mori.ken@corp.example": "legal"}
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Department: func(s string) string { return dept[s] }})
	at := t0.Add(-60 * 24 * time.Hour)
	learn := func(b mb) {
		b.m.Date = at
		at = at.Add(3 * time.Hour)
		m.Learn(b.m)
	}
	for i := range 12 {
		learn(newMsg(fmt.Sprint("pa", i), me, "Tanaka Taro <tanaka@partner-a.co.jp>", "Suzuki Emi <suzuki@partner-a.co.jp>").cc("Kato Yumi <kato.yumi@corp.example>"))
		learn(newMsg(fmt.Sprint("pb", i), me, "Yamada Hanako <h.yamada@beta-trading.com>"))
		learn(newMsg(fmt.Sprint("in", i), me, "Kato Yumi <kato.yumi@corp.example>", "Ito Jun <ito.jun@corp.example>"))
	}
	for i := range 3 {
		learn(newMsg(fmt.Sprint("cl", i), "Client Person <client@gamma-bank.jp>", me))
		learn(newMsg(fmt.Sprint("mt", i), "ito.jun@corp.example", "Ogawa Mai <ogawa@delta-soft.com>"))
		learn(newMsg(fmt.Sprint("lg", i), "mori.ken@corp.example", "Abe Rie <abe@lawfirm.example>"))
		learn(newMsg(fmt.Sprint("fm", i), me, "friend@gmail.com"))
	}
	learn(newMsg("internal-root", "kato.yumi@corp.example", me, "Ito Jun <ito.jun@corp.example>"))
	learn(newMsg("ext-root", "田中 太郎 <tanaka@partner-a.co.jp>", me, "Kuroda Ken <kuroda@epsilon.example>"))
	return m
}

func codes(r Result) map[finding.Code]finding.Finding {
	out := map[finding.Code]finding.Finding{}
	for _, f := range r.Findings {
		if _, ok := out[f.Code]; !ok {
			out[f.Code] = f
		}
	}
	return out
}

func TestDetectors(t *testing.T) {
	d := &Detector{Model: history(t)}
	tests := []struct {
		name       string
		msg        mb
		fires      finding.Code
		quiet      []finding.Code
		suggestion string // of the fired finding; "" = not checked
		recipient  string
		inMessage  string
	}{
		// NEW_RECIPIENT / NEW_DOMAIN
		{name: "new outside address and domain", msg: newMsg("n1", me, "x@zeta.example"),
			fires: finding.NewRecipient, recipient: "x@zeta.example", inMessage: "never mailed this address"},
		{name: "new domain nobody knows", msg: newMsg("n2", me, "x@zeta.example"),
			fires: finding.NewDomain, inMessage: "nobody in the organisation"},
		{name: "team mate's partner domain is softer", msg: newMsg("n3", me, "ogawa@delta-soft.com"),
			fires: finding.NewDomain, inMessage: "others in your team have"},
		{name: "known partner: quiet", msg: newMsg("q1", me, "tanaka@partner-a.co.jp", "suzuki@partner-a.co.jp"),
			quiet: []finding.Code{finding.NewRecipient, finding.NewDomain, finding.SimilarContact, finding.UnusualCombination}},
		{name: "wrote to me before: quiet", msg: newMsg("q2", me, "client@gamma-bank.jp"),
			quiet: []finding.Code{finding.NewRecipient, finding.NewDomain}},
		{name: "reply in thread with the recipient: quiet", msg: newMsg("q3", me, "kuroda@epsilon.example").reply("ext-root"),
			quiet: []finding.Code{finding.NewRecipient, finding.NewDomain, finding.ExternalInInternalThread}},

		// SIMILAR_CONTACT
		{name: "same local part at another domain", msg: newMsg("s1", me, "tanaka@partner-b.co.jp", "suzuki@partner-a.co.jp"),
			fires: finding.SimilarContact, suggestion: "tanaka@partner-a.co.jp", recipient: "tanaka@partner-b.co.jp"},
		{name: "namesake at a team mate's partner", msg: newMsg("s2", me, "Tanaka Kenji <k.tanaka@delta-soft.com>", "suzuki@partner-a.co.jp"),
			fires: finding.SimilarContact, suggestion: "tanaka@partner-a.co.jp"},
		{name: "autocomplete neighbour", msg: newMsg("s3", me, "kato.yuki@corp.example", "ito.jun@corp.example"),
			fires: finding.SimilarContact, suggestion: "kato.yumi@corp.example"},
		{name: "namesake next to the known one", msg: newMsg("s5", me, "Tanaka Taro <tanaka@partner-a.co.jp>", "Tanaka Jiro <j.tanaka@zeta.example>"),
			fires: finding.SimilarContact, recipient: "j.tanaka@zeta.example", inMessage: "never mailed them together"},
		{name: "the real contact: quiet", msg: newMsg("s4", me, "kato.yumi@corp.example", "ito.jun@corp.example"),
			quiet: []finding.Code{finding.SimilarContact, finding.NewRecipient}},

		// LOOKALIKE_DOMAIN
		{name: "typo of a partner domain", msg: newMsg("l1", me, "h.yamada@beta-tradng.com"),
			fires: finding.LookalikeDomain, suggestion: "h.yamada@beta-trading.com"},
		{name: ".co.jp swapped for .com", msg: newMsg("l2", me, "tanaka@partner-a.com"),
			fires: finding.LookalikeDomain, suggestion: "tanaka@partner-a.co.jp"},
		{name: "homoglyph (Cyrillic а)", msg: newMsg("l3", me, "tanaka@p\u0430rtner-a.co.jp"),
			fires: finding.LookalikeDomain},
		{name: "the organisation's own domain misspelt", msg: newMsg("l4", me, "ito.jun@corp.exmaple"),
			fires: finding.LookalikeDomain, suggestion: "ito.jun@corp.example"},
		{name: "unrelated domain: no lookalike", msg: newMsg("l5", me, "x@zeta.example"),
			quiet: []finding.Code{finding.LookalikeDomain}},
		{name: "one swap is one slip", msg: newMsg("l7", me, "h.yamada@beta-tarding.com"),
			fires: finding.LookalikeDomain, suggestion: "h.yamada@beta-trading.com"},

		// UNUSUAL_COMBINATION
		{name: "known recipient never with these others", msg: newMsg("u1", me, "tanaka@partner-a.co.jp", "suzuki@partner-a.co.jp", "h.yamada@beta-trading.com"),
			fires: finding.UnusualCombination, recipient: "h.yamada@beta-trading.com"},

		// EXTERNAL_IN_INTERNAL_THREAD
		{name: "outsider added to an internal thread", msg: newMsg("e1", me, "kato.yumi@corp.example", "ito.jun@corp.example", "h.yamada@beta-trading.com").reply("internal-root"),
			fires: finding.ExternalInInternalThread, recipient: "h.yamada@beta-trading.com"},

		// CROSS_COMPANY
		{name: "two clients who never met", msg: newMsg("c1", me, "tanaka@partner-a.co.jp", "h.yamada@beta-trading.com"),
			fires: finding.CrossCompany},
		{name: "one client: no cross-company", msg: newMsg("c2", me, "tanaka@partner-a.co.jp", "suzuki@partner-a.co.jp"),
			quiet: []finding.Code{finding.CrossCompany}},

		// BCC_RECOMMENDED
		{name: "many organisations in To", msg: newMsg("b1", me, "a@one.example", "b@two.example", "c@three.example", "d@four.example", "e@five.example"),
			fires: finding.BccRecommended},
		{name: "same organisations in Bcc: quiet", msg: mb{&mail.Message{MessageID: "b2", From: a(me), To: []mail.Address{a(me)},
			Bcc: []mail.Address{a("a@one.example"), a("b@two.example"), a("c@three.example"), a("d@four.example"), a("e@five.example")}}},
			quiet: []finding.Code{finding.BccRecommended, finding.CrossCompany}},

		// GREETING_MISMATCH
		{name: "greeting names another contact", msg: newMsg("g1", me, "Yamada Hanako <h.yamada@beta-trading.com>").text("田中様\n\nいつもお世話になっております。"),
			fires: finding.GreetingMismatch, suggestion: "tanaka@partner-a.co.jp"},
		{name: "kanji greeting to a partner the sender knows only by a romaji name", msg: newMsg("g8", me, "Yamada Hanako <h.yamada@beta-trading.com>").text("山田様\n\nいつもお世話になっております。"),
			quiet: []finding.Code{finding.GreetingMismatch}},
		{name: "English greeting names another contact", msg: newMsg("g2", me, "Yamada Hanako <h.yamada@beta-trading.com>").text("Dear Mr. Tanaka,\nthanks."),
			fires: finding.GreetingMismatch},
		{name: "greeting matches the recipient", msg: newMsg("g3", me, "Tanaka Taro <tanaka@partner-a.co.jp>").text("株式会社パートナーAの田中様\n"),
			quiet: []finding.Code{finding.GreetingMismatch}},
		{name: "the sender's own name opens the text", msg: newMsg("g6", "Sato Ichiro <"+me+">", "Yamada Hanako <h.yamada@beta-trading.com>").text("Hi Ichiro here,\n"),
			quiet: []finding.Code{finding.GreetingMismatch}},
		{name: "greeting names a stranger to an unnamed recipient: no evidence", msg: newMsg("g4", me, "friend@gmail.com").text("Dear Mr. Nobodyknows,\n"),
			quiet: []finding.Code{finding.GreetingMismatch}},
		{name: "greeting names nobody on a named recipient", msg: newMsg("g7", me, "h.yamada@beta-trading.com").text("Dear Mr. Nobodyknows,\n"),
			fires: finding.GreetingMismatch, inMessage: "nobodyknows"},
		{name: "greeting by nickname", msg: newMsg("g8", me, "Robert Kline <r.kline@zeta.example>").text("Hi Bob,\n"),
			quiet: []finding.Code{finding.GreetingMismatch}},
		{name: "bare opening names another contact", msg: newMsg("g9", me, "Yamada Hanako <h.yamada@beta-trading.com>").text("Tanaka,\nsee below."),
			fires: finding.GreetingMismatch, suggestion: "tanaka@partner-a.co.jp"},
		{name: "bare opening names the recipient", msg: newMsg("g10", me, "Yamada Hanako <h.yamada@beta-trading.com>").text("Hanako - see below."),
			quiet: []finding.Code{finding.GreetingMismatch}},
		{name: "bare opening names nobody the sender knows", msg: newMsg("g11", me, "h.yamada@beta-trading.com").text("Nobodyknows,\nsee below."),
			quiet: []finding.Code{finding.GreetingMismatch}},
		{name: "attachment names another client", msg: newMsg("g5", me, "tanaka@partner-a.co.jp").attach("見積書_beta-trading_2026.pdf"),
			fires: finding.GreetingMismatch, inMessage: "beta-trading.com"},

		// FREEMAIL_RECIPIENT
		{name: "new webmail address", msg: newMsg("f1", me, "someone@yahoo.co.jp"),
			fires: finding.FreemailRecipient},
		{name: "known webmail address: quiet", msg: newMsg("f2", me, "friend@gmail.com"),
			quiet: []finding.Code{finding.FreemailRecipient, finding.NewRecipient}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := d.Check(tt.msg.m, t0)
			for _, f := range res.Findings {
				if en, ok := finding.Text("en", f.Key, f.Args); !ok || en != f.Message {
					t.Errorf("%s finding not from the catalogue: key %q renders %q, message %q", f.Code, f.Key, en, f.Message)
				}
			}
			got := codes(res)
			if tt.fires != "" {
				f, ok := got[tt.fires]
				if !ok {
					t.Fatalf("%s did not fire; findings %+v", tt.fires, res.Findings)
				}
				if tt.suggestion != "" && f.Suggestion != tt.suggestion {
					t.Errorf("suggestion %q, want %q", f.Suggestion, tt.suggestion)
				}
				if tt.recipient != "" && f.Recipient != tt.recipient {
					t.Errorf("recipient %q, want %q", f.Recipient, tt.recipient)
				}
				if !strings.Contains(f.Message, tt.inMessage) {
					t.Errorf("message %q lacks %q", f.Message, tt.inMessage)
				}
				if f.Message == "" || f.Severity == "" {
					t.Errorf("finding without message or severity: %+v", f)
				}
			}
			for _, q := range tt.quiet {
				if f, ok := got[q]; ok {
					t.Errorf("%s fired: %+v", q, f)
				}
			}
			if res.Score < 0 || res.Score > 1 || len(res.Features) != len(FeatureNames) {
				t.Errorf("score %v, %d features", res.Score, len(res.Features))
			}
		})
	}
}

// TestScoreOrdersEvidence: with the default weights, a known partner scores
// low and the wrong Tanaka at a lookalike domain scores high.
func TestScoreOrdersEvidence(t *testing.T) {
	d := &Detector{Model: history(t)}
	honest := d.Check(newMsg("h", me, "tanaka@partner-a.co.jp", "suzuki@partner-a.co.jp").cc("kato.yumi@corp.example").m, t0)
	wrong := d.Check(newMsg("w", me, "tanaka@partner-a.com", "suzuki@partner-a.co.jp").cc("kato.yumi@corp.example").m, t0)
	if honest.Score >= 0.5 || wrong.Score < 0.5 {
		t.Errorf("honest %.3f, misdirected %.3f", honest.Score, wrong.Score)
	}
	// A sender without history (a new employee) finds everyone new: that
	// alone must not hold their mail, though the findings are reported.
	newbie := d.Check(newMsg("n", "newbie@corp.example", "someone@zeta.example").m, t0)
	if newbie.Score >= 0.5 || len(newbie.Findings) == 0 {
		t.Errorf("sender without history: score %.3f, findings %+v", newbie.Score, newbie.Findings)
	}
}

// TestGreetingEvidence checks what the opening line says about the rarest
// recipient: a name that fits it speaks for it, unless another newcomer
// sits next to it unnamed, or a better-known namesake fits the name too.
func TestGreetingEvidence(t *testing.T) {
	d := &Detector{Model: history(t)}
	tests := []struct {
		name                     string
		msg                      mb
		rarest, namesake, nobody bool
	}{
		{name: "greets the one newcomer", msg: newMsg("ge1", me, "Mori Aki <aki.mori@zeta.example>").text("Mori様\n"),
			rarest: true},
		{name: "another newcomer next to the greeted one", msg: newMsg("ge2", me, "Mori Aki <aki.mori@zeta.example>", "Abe Ken <ken.abe@eta.example>").text("Mori様\n"),
			rarest: false},
		{name: "greets both newcomers", msg: newMsg("ge3", me, "Mori Aki <aki.mori@zeta.example>", "Abe Ken <ken.abe@eta.example>").text("Mori様、Abe様\n"),
			rarest: true},
		{name: "the name fits a known namesake too", msg: newMsg("ge4", me, "Tanaka Jiro <j.tanaka@zeta.example>", "suzuki@partner-a.co.jp").text("Tanaka様\n"),
			rarest: true, namesake: true},
		{name: "greets someone else", msg: newMsg("ge5", me, "Mori Aki <aki.mori@zeta.example>").text("Dear Mr. Nobodyknows,\n"),
			nobody: true},
		{name: "greets the newcomer in kanji, whom mail knows in Latin letters", msg: newMsg("ge6", me, "Mori Aki <aki.mori@zeta.example>").text("森様\n"),
			rarest: true},
		{name: "greets in kanji a name the newcomer's reading is not", msg: newMsg("ge7", me, "Abe Ken <ken.abe@eta.example>").text("森様\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := d.Check(tt.msg.m, t0).Features
			if got := f[fGreetRarest] > 0; got != tt.rarest {
				t.Errorf("greeting_names_rarest %v, want %v", f[fGreetRarest], tt.rarest)
			}
			if got := f[fGreetNamesake] > 0; got != tt.namesake {
				t.Errorf("greeting_fits_namesake %v, want %v", f[fGreetNamesake], tt.namesake)
			}
			if got := f[fGreetNobody] > 0; got != tt.nobody {
				t.Errorf("greeting_names_nobody %v, want %v", f[fGreetNobody], tt.nobody)
			}
		})
	}
}

// TestOrgStale: a newcomer to the sender whom the organisation last mailed
// long ago weighs more than one it mails this week.
func TestOrgStale(t *testing.T) {
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	for i := range 60 {
		m.Learn(newMsg(fmt.Sprint("h", i), me, "kato@corp.example").at(t0.Add(-time.Duration(60-i) * 24 * time.Hour)).m)
	}
	m.Learn(newMsg("old", "kato@corp.example", "old@partner.example").at(t0.Add(-300 * 24 * time.Hour)).m)
	m.Learn(newMsg("fresh", "kato@corp.example", "fresh@partner.example").at(t0.Add(-2 * 24 * time.Hour)).m)
	d := &Detector{Model: m}
	stale := func(to string) float64 { return d.Check(newMsg("x-"+to, me, to).m, t0).Features[fOrgStale] }
	if old, fresh := stale("old@partner.example"), stale("fresh@partner.example"); old < 0.9 || fresh > 0.05 {
		t.Errorf("org_stale: mailed 300 days ago %.3f, 2 days ago %.3f", old, fresh)
	}
	if f := stale("never@partner.example"); f != 0 {
		t.Errorf("org_stale of an address nobody mailed: %v", f)
	}
}

type stubContent struct{ fs []finding.Finding }

func (s stubContent) CheckContent(*mail.Message) []finding.Finding { return s.fs }

func TestContentAndProblemsPassThrough(t *testing.T) {
	conf := finding.Finding{Code: finding.ConfidentialTerms, Severity: finding.High, Message: "confidential terms of your department", Terms: []string{"秘密"}}
	d := &Detector{Model: history(t), Content: []ContentChecker{stubContent{[]finding.Finding{conf}}}}
	m := newMsg("c", me, "tanaka@partner-a.co.jp").m
	m.Problems = []string{"unknown charset x-foo"}
	res := d.Check(m, t0)
	got := codes(res)
	if got[finding.ConfidentialTerms].Terms == nil || got[finding.ParseProblem].Message == "" || res.Features[fContent] != 1 {
		t.Errorf("findings %+v, content feature %v", res.Findings, res.Features[fContent])
	}
}

func TestNoPanicOnOddMessages(t *testing.T) {
	d := &Detector{Model: history(t)}
	for _, m := range []*mail.Message{
		{},
		{From: a(me)},
		{From: a(me), To: []mail.Address{a("no-at-sign"), a(""), a(me)}},
		{From: a("@"), To: []mail.Address{a("@"), a("x@")}, InReplyTo: "x", References: []string{"", "y"}},
		{From: a(me), To: []mail.Address{a("x@xn--80ak6aa92e.com"), a("y@..")}, Text: strings.Repeat("様", 10000)},
	} {
		r := d.Check(m, t0)
		if r.Score < 0 || r.Score > 1 {
			t.Errorf("%+v: score %v", m, r.Score)
		}
	}
	if r := (&Detector{}).Check(newMsg("x", me, "y@z.example").m, t0); r.Score < 0 || r.Score > 1 {
		t.Error("a detector without a model must still answer")
	}
}

// TestCheckWhileLearning runs Check and Learn at once (go test -race).
func TestCheckWhileLearning(t *testing.T) {
	m := history(t)
	d := &Detector{Model: m}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 500 {
			m.Learn(newMsg(fmt.Sprint("live", i), me, fmt.Sprintf("p%d@partner-a.co.jp", i%30), "tanaka@partner-a.co.jp").m)
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		default:
		}
		d.Check(newMsg("c", me, fmt.Sprintf("p%d@partner-a.co.jp", i%40), "tanaka@partner-b.co.jp").m, t0)
	}
}

// TestOtherCircle: a newcomer from the circle of someone on the message is
// no stranger to it; one from a circle nobody on it works in is.
func TestOtherCircle(t *testing.T) {
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	desks := [][]string{{me, "kato@corp.example", "ito@corp.example"}, {"mori@corp.example", "abe@corp.example", "ueda@law.example"}}
	n := 0
	for day := range 40 {
		for _, desk := range desks {
			for i, from := range desk[:2] {
				m.Learn(newMsg(fmt.Sprint("c", n), from, desk[(i+1+day%2)%3]).at(t0.Add(time.Duration(n-400) * time.Hour)).m)
				n++
			}
		}
	}
	m.FindCommunities()
	d := &Detector{Model: m}
	other := func(to ...string) float64 {
		return d.Check(newMsg(fmt.Sprint("x", to), me, to...).m, t0).Features[fOtherCircle]
	}
	if f := other("ueda@law.example"); f == 0 {
		t.Error("a newcomer from another desk's circle is not in another circle")
	}
	if f := other("abe@corp.example", "ueda@law.example"); f != 0 {
		t.Errorf("a newcomer from a co-recipient's circle: other_circle %v", f)
	}

	// The sender is told why, in their language; a newcomer from a
	// co-recipient's circle keeps the plain sentence.
	said := func(to ...string) (finding.Finding, bool) {
		for _, f := range d.Check(newMsg(fmt.Sprint("x", to), me, to...).m, t0).Findings {
			if f.Code == finding.NewRecipient && f.Recipient == "ueda@law.example" {
				return f, true
			}
		}
		return finding.Finding{}, false
	}
	f, ok := said("ueda@law.example")
	if !ok || f.Key != "new_recipient.unfamiliar" || !strings.Contains(f.Message, "work apart from everyone on this message") {
		t.Errorf("newcomer from another circle: %+v", f)
	}
	if ja := finding.Localize(f, "ja").Message; !strings.Contains(ja, "ふだん関わりがありません") {
		t.Errorf("in Japanese: %q", ja)
	}
	if f, ok := said("abe@corp.example", "ueda@law.example"); !ok || f.Key != "new_recipient.org" {
		t.Errorf("newcomer from a co-recipient's circle: %+v", f)
	}
}

// TestToldLongAgo: a sender writing to someone the organisation last dealt
// with months ago is told when.
func TestToldLongAgo(t *testing.T) {
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	m.Learn(newMsg("old", "kato@corp.example", "ueda@law.example").at(t0.Add(-100 * 24 * time.Hour)).m)
	for i := range 60 {
		m.Learn(newMsg(fmt.Sprint("h", i), me, "ito@corp.example").at(t0.Add(time.Duration(i-60) * time.Hour)).m)
	}
	d := &Detector{Model: m}
	for _, tt := range []struct {
		to, key, en, ja string
	}{
		{"ueda@law.example", "new_recipient.unfamiliar", "last exchanged mail with them 3 months ago", "約3か月前"},
		{"kato@corp.example", "new_recipient.colleague", "you have never mailed this colleague", "社内のこの方"},
	} {
		var got finding.Finding
		for _, f := range d.Check(newMsg("x", me, tt.to).m, t0).Findings {
			if f.Code == finding.NewRecipient {
				got = f
			}
		}
		if got.Key != tt.key || !strings.Contains(got.Message, tt.en) || !strings.Contains(finding.Localize(got, "ja").Message, tt.ja) {
			t.Errorf("to %s: %+v (ja %q)", tt.to, got, finding.Localize(got, "ja").Message)
		}
	}
	// Without a directory there is no team: a domain a colleague mailed is
	// one others in the organisation have mailed, not one "your team" has not.
	said := false
	for _, f := range d.Check(newMsg("y", me, "ueda@law.example").m, t0).Findings {
		if f.Code == finding.NewDomain {
			said = true
			if f.Key != "new_domain.org" || strings.Contains(f.Message, "team") {
				t.Errorf("new domain without a directory: %+v", f)
			}
		}
	}
	if !said {
		t.Error("no NEW_DOMAIN for a domain the sender never mailed")
	}
}
