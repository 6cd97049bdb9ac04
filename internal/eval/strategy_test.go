package eval

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
)

func addr(name, a string) mail.Address { return mail.Address{Name: name, Addr: a} }

func msg(day int, from mail.Address, to ...mail.Address) *mail.Message {
	return &mail.Message{From: from, To: to, Date: time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, day)}
}

var (
	taro   = addr("Tanaka Taro", "taro.tanaka@corp.example")
	hanako = addr("Suzuki Hanako", "hanako.suzuki@corp.example")
	kenji  = addr("Sato Kenji", "kenji.sato@corp.example")
	cust   = addr("Tanaka Ichiro", "ichiro.tanaka@asahi-shoji.co.jp")
	other  = addr("Yamada Emi", "emi.yamada@fuji-denki.com")
	john   = addr("John Smith", "john.smith@vertex.com")
	johnny = addr("John Doe", "john.doe@orbit.net")
	jsm    = addr("", "john.smithers@corp.example")
)

// history: taro mails hanako and cust; hanako mails kenji and other;
// kenji mails john and johnny; jsm is known from a Cc.
func testIndex() *index {
	x := newIndex([]string{"corp.example"})
	for _, m := range []*mail.Message{
		msg(0, taro, hanako, cust),
		msg(1, hanako, kenji, other),
		msg(2, kenji, john, johnny),
		{From: kenji, To: []mail.Address{hanako}, Cc: []mail.Address{jsm}, Date: time.Now()},
	} {
		x.add(m)
	}
	return x
}

func TestStrategiesPickPlausibleWrongAddress(t *testing.T) {
	x := testIndex()
	for _, tc := range []struct {
		strategy Strategy
		msg      *mail.Message
		check    func(intended, wrong mail.Address) bool
		why      string
	}{
		{ColleagueContact{}, msg(9, taro, hanako), func(_, w mail.Address) bool {
			return w.Addr == kenji.Addr || w.Addr == other.Addr
		}, "a contact of hanako (taro's co-worker) that taro never mailed"},
		{SameName{}, msg(9, taro, cust), nil, "none: taro is the sender, so no Tanaka is left"},
		{SameName{}, msg(9, kenji, john), func(i, w mail.Address) bool {
			return w.Addr == johnny.Addr || w.Addr == jsm.Addr
		}, "another John (display name or local part)"},
		{LookalikeDomain{}, msg(9, taro, cust), func(i, w mail.Address) bool {
			return localOf(w.Addr) == localOf(cust.Addr) && domainOf(w.Addr) != domainOf(cust.Addr) &&
				lookalike(domainOf(w.Addr), domainOf(cust.Addr))
		}, "same local part, domain one slip away"},
		{Autocomplete{}, msg(9, kenji, john), func(i, w mail.Address) bool { return w.Addr == jsm.Addr },
			"john.smithers shares 'john.smith' with john.smith"},
		{RecentContact{}, msg(9, kenji, john), func(i, w mail.Address) bool {
			return w.Addr == johnny.Addr || w.Addr == hanako.Addr || w.Addr == jsm.Addr
		}, "someone else kenji mailed: johnny, hanako or jsm"},
		{RecentContact{}, msg(9, taro, hanako, cust), nil, "none: taro mailed no one else"},
	} {
		t.Run(tc.strategy.Name()+"/"+tc.msg.To[0].Addr, func(t *testing.T) {
			i, w, ok := tc.strategy.wrong(x, tc.msg, rand.New(rand.NewPCG(1, 2)))
			if tc.check == nil {
				if ok {
					t.Fatalf("got %v, want no candidate", w)
				}
				return
			}
			if !ok {
				t.Fatalf("no candidate; want %s", tc.why)
			}
			intended := tc.msg.Recipients()[i]
			if w.Addr == intended.Addr || !usable(tc.msg, w.Addr) {
				t.Fatalf("wrong address %q is on the message already", w.Addr)
			}
			if !tc.check(intended, w) {
				t.Errorf("intended %s, wrong %s; want %s", intended.Addr, w.Addr, tc.why)
			}
		})
	}
}

// lookalike reports whether a and b differ by one typo as typoDomain makes them.
func lookalike(a, b string) bool {
	if strings.TrimSuffix(a, ".com") == strings.TrimSuffix(b, ".co.jp") ||
		strings.TrimSuffix(a, ".co.jp") == strings.TrimSuffix(b, ".com") {
		return true
	}
	return editDistance(a, b) <= 2 // a homoglyph like rn for m is two edits
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev = cur
	}
	return prev[len(b)]
}

// TestRecentContactForgets: the wrong address comes from the sender's
// latest recipients only, the way a client's recent list offers them, and
// an address mailed again comes back to the front.
func TestRecentContactForgets(t *testing.T) {
	x := newIndex([]string{"corp.example"})
	first := addr("", "first@client.example")
	x.add(msg(0, taro, first))
	for i := range recentKept {
		x.add(msg(1+i, taro, addr("", fmt.Sprintf("p%02d@client.example", i))))
	}
	m := msg(99, taro, hanako)
	seen := map[string]bool{}
	for seed := uint64(0); seed < 300; seed++ {
		_, w, ok := RecentContact{}.wrong(x, m, rand.New(rand.NewPCG(seed, 7)))
		if !ok {
			t.Fatal("no recent contact")
		}
		seen[w.Addr] = true
	}
	if seen[first.Addr] || len(seen) != recentKept {
		t.Errorf("picked %d addresses (first one mailed among them: %v), want the %d latest", len(seen), seen[first.Addr], recentKept)
	}
	x.add(msg(50, taro, first))
	if got := x.recent[taro.Addr]; got[len(got)-1] != first.Addr || len(got) != recentKept || slices.Contains(got, "p00@client.example") {
		t.Errorf("after mailing %s again: %v", first.Addr, got)
	}
}

func TestStrategiesDeterministicAndVaried(t *testing.T) {
	x := testIndex()
	m := msg(9, taro, cust)
	for seed := uint64(0); seed < 20; seed++ {
		_, a, ok1 := LookalikeDomain{}.wrong(x, m, rand.New(rand.NewPCG(seed, 5)))
		_, b, ok2 := LookalikeDomain{}.wrong(x, m, rand.New(rand.NewPCG(seed, 5)))
		if !ok1 || !ok2 || a != b {
			t.Fatalf("seed %d: %v/%v then %v/%v", seed, a, ok1, b, ok2)
		}
	}
	seen := map[string]bool{}
	for seed := uint64(0); seed < 200; seed++ {
		_, w, ok := LookalikeDomain{}.wrong(x, m, rand.New(rand.NewPCG(seed, 5)))
		if !ok {
			t.Fatal("no lookalike")
		}
		if domainOf(w.Addr) == domainOf(cust.Addr) || x.knownDomain(domainOf(w.Addr)) {
			t.Fatalf("lookalike %s is a known domain", w.Addr)
		}
		seen[domainOf(w.Addr)] = true
	}
	if len(seen) < 20 {
		t.Errorf("only %d different lookalikes in 200 seeds: %v", len(seen), seen)
	}
	if !seen["asahi-shoji.com"] {
		t.Error("no .co.jp → .com swap in 200 seeds")
	}
}

func TestTypoDomainKinds(t *testing.T) {
	kinds := map[string]bool{}
	r := rand.New(rand.NewPCG(3, 3))
	for range 500 {
		d, ok := typoDomain("mail.example.co.jp", r)
		if !ok || !strings.HasPrefix(d, "mail.") || d == "mail.example.co.jp" {
			t.Fatalf("typo %q %v", d, ok)
		}
		l := strings.TrimPrefix(strings.TrimSuffix(strings.TrimSuffix(d, ".co.jp"), ".com"), "mail.")
		switch {
		case strings.HasSuffix(d, ".com"):
			kinds["tld"] = true
		case len(l) == 6:
			kinds["omit"] = true
		case len(l) == 8:
			kinds["insert or homoglyph"] = true
		case strings.ContainsAny(l, "01"):
			kinds["homoglyph"] = true
		}
	}
	if len(kinds) < 4 {
		t.Errorf("typo kinds seen: %v", kinds)
	}
	for _, bad := range []string{"", "localhost", "com"} {
		if d, ok := typoDomain(bad, r); ok {
			t.Errorf("typoDomain(%q) = %q, want none", bad, d)
		}
	}
}

func TestNameTokens(t *testing.T) {
	for _, tc := range []struct {
		a    mail.Address
		want string
	}{
		{addr("Smith, John", "x@y"), "smith john"},
		{addr("田中　太郎", "x@y"), "田中 太郎"},
		{addr("田中太郎", "x@y"), "田中"},
		{addr("", "john.smith@enron.com"), "john smith"},
		{addr("", "jsmith@enron.com"), ""},
		{addr("jsmith@enron.com", "jsmith@enron.com"), ""},
		{addr("J Smith (Legal)", "x@y"), "smith legal"},
		{addr("", "enron_update@concureworkplace.com"), "enron"},
		{addr("", "administration.enron@enron.com"), ""},
		{addr("", "sales.team@x.com"), ""},
		{addr("", "houston.main@roberthalf.com"), "houston"},
	} {
		if got := strings.Join(nameTokens(tc.a), " "); got != tc.want {
			t.Errorf("nameTokens(%v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	var msgs []*mail.Message
	for _, d := range []int{5, 1, 3, 2, 4, 6, 8, 7, 9, 10} {
		msgs = append(msgs, msg(d, taro, hanako))
	}
	undated := &mail.Message{From: taro, To: []mail.Address{hanako}}
	msgs = append(msgs, undated)
	h, te := Split(msgs, 0.8)
	if len(h) != 9 || len(te) != 2 {
		t.Fatalf("split %d/%d, want 9/2 (1 undated + 8 dated / 2)", len(h), len(te))
	}
	if h[0] != undated {
		t.Error("undated message not first in history")
	}
	if te[0].Date.Day() != 10 || te[1].Date.Day() != 11 {
		t.Errorf("test days %d %d, want the two latest", te[0].Date.Day(), te[1].Date.Day())
	}
	for i := 2; i < len(h); i++ {
		if h[i].Date.Before(h[i-1].Date) {
			t.Fatal("history not in date order")
		}
	}
	if h, te := Split(msgs, 1.5); len(h) != len(msgs) || len(te) != 0 {
		t.Error("frac above 1 not clamped")
	}
	if got := MostCommonSenderDomain(append(msgs, msg(1, cust, taro))); got != "corp.example" {
		t.Errorf("most common sender domain %q", got)
	}
}

// TestIndexKeepsEveryNameAndAddress checks the index against what it
// would hold if every sighting were indexed afresh: the tokens of every
// name each address came with, in first-seen order, and every address
// in order, however sightings and lookups interleave.
func TestIndexKeepsEveryNameAndAddress(t *testing.T) {
	names := []string{"", "", "Tanaka Taro", "Taro", "Smith, John", "j@x.example", "John Smith"}
	addrs := []string{"taro.tanaka@corp.example", "john.smith@x.example", "jsmith@x.example", "b.c@y.example", "a_b@y.example", "info.team@z.example"}
	r := rand.New(rand.NewPCG(1, 2))
	x := newIndex([]string{"corp.example"})
	wantByName := map[string][]string{}
	wantSorted := map[string]bool{}
	for i := range 2000 {
		a := addr(names[r.IntN(len(names))], addrs[r.IntN(len(addrs))])
		if i%7 == 0 {
			a.Addr = "n" + strings.Repeat("x", r.IntN(40)) + a.Addr
		}
		x.address(a)
		wantSorted[a.Addr] = true
		for _, tok := range nameTokens(a) {
			if !slices.Contains(wantByName[tok], a.Addr) {
				wantByName[tok] = append(wantByName[tok], a.Addr)
			}
		}
		if r.IntN(50) == 0 {
			x.addresses() // a lookup while the history is being added
		}
	}
	if got, want := x.addresses(), slices.Sorted(maps.Keys(wantSorted)); !slices.Equal(got, want) {
		t.Errorf("addresses: got %d %q…, want %d", len(got), got[:min(3, len(got))], len(want))
	}
	if len(x.byName) != len(wantByName) {
		t.Errorf("got %d name tokens, want %d", len(x.byName), len(wantByName))
	}
	for tok, want := range wantByName {
		if s := x.byName[tok]; s == nil || !slices.Equal(s.list, want) {
			t.Errorf("token %q: got %v, want %q", tok, s, want)
		}
	}
}
