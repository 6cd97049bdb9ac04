package eval

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/misend/misend/internal/mail"
)

// FuzzStrategies feeds hostile addresses and names through the index and
// every strategy: no panic, and a wrong address is never one already on the
// message, never the sender, and (for lookalikes) keeps the local part.
func FuzzStrategies(f *testing.F) {
	for _, s := range [][3]string{
		{"Tanaka Taro", "taro.tanaka@corp.example", "ichiro.tanaka@asahi-shoji.co.jp"},
		{"田中太郎", "tanaka@xn--eckwd4c7c.xn--zckzah", "田中@例え.テスト"},
		{"", "@", "a@"},
		{"Smith, John", "john.smith@enron.com", "\"john smith\"@[127.0.0.1]"},
		{"x", "a@b@c", "a@.co.jp"},
		{"\x00\xff", "a@-.com", "rn@m.com"},
		{"", "noat", "x@co.jp"},
	} {
		f.Add(s[0], s[1], s[2], uint64(1))
	}
	f.Fuzz(func(t *testing.T, name, a, b string, seed uint64) {
		x := newIndex([]string{"corp.example", domainOf(a)})
		from := mail.Address{Name: name, Addr: a}
		to := mail.Address{Name: name, Addr: b}
		x.add(&mail.Message{From: from, To: []mail.Address{to, {Addr: "peer@corp.example"}}})
		x.add(&mail.Message{From: mail.Address{Addr: "peer@corp.example"}, To: []mail.Address{{Name: name, Addr: b + "x"}}})
		m := &mail.Message{From: from, To: []mail.Address{to}}
		for _, s := range Strategies() {
			i, w, ok := s.wrong(x, m, rand.New(rand.NewPCG(seed, 1)))
			if !ok {
				continue
			}
			if i != 0 || !usable(m, w.Addr) {
				t.Fatalf("%s: intended %d, wrong %q on message %v", s.Name(), i, w.Addr, m)
			}
			if s.Name() == "lookalike-domain" && (localOf(w.Addr) != localOf(b) || domainOf(w.Addr) == domainOf(b)) {
				t.Fatalf("lookalike %q of %q", w.Addr, b)
			}
		}
		for _, tok := range nameTokens(to) {
			if tok == "" || strings.ToLower(tok) != tok || (utf8.ValidString(name) && !utf8.ValidString(tok)) {
				t.Fatalf("token %q of %q", tok, name)
			}
		}
	})
}
