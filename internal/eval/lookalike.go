package eval

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"

	"github.com/misend/misend/internal/mail"
)

// LookalikeDomain keeps a true recipient's local part and mistypes the
// domain: a substituted neighbouring key, two letters swapped, one left out
// or doubled, a homoglyph (0 for o, rn for m), or .co.jp and .com swapped.
// The result is never the true domain nor one seen in history, since a real
// domain there would be a real, different organisation.
type LookalikeDomain struct{}

func (LookalikeDomain) Name() string { return "lookalike-domain" }

func (LookalikeDomain) wrong(x *index, msg *mail.Message, r *rand.Rand) (int, mail.Address, bool) {
	rcpts := msg.Recipients()
	if len(rcpts) == 0 {
		return 0, mail.Address{}, false
	}
	start := r.IntN(len(rcpts))
	for k := range rcpts {
		i := (start + k) % len(rcpts)
		dom := domainOf(rcpts[i].Addr)
		for try := 0; try < 8; try++ {
			d, ok := typoDomain(dom, r)
			if !ok {
				break
			}
			a := localOf(rcpts[i].Addr) + "@" + d
			if d != dom && !x.knownDomain(d) && usable(msg, a) {
				return i, mail.Address{Name: rcpts[i].Name, Addr: a}, true
			}
		}
	}
	return 0, mail.Address{}, false
}

// knownDomain reports whether any address seen so far is at dom.
func (x *index) knownDomain(dom string) bool {
	if x.seenDomains == nil {
		x.seenDomains = map[string]bool{}
		for _, a := range x.addresses() {
			x.seenDomains[domainOf(a)] = true
		}
	}
	return x.seenDomains[dom]
}

// Typo kinds, in the order typoDomain draws from.
const (
	typoSubstitute = iota
	typoTranspose
	typoOmit
	typoInsert
	typoHomoglyph
	typoTLD
	numTypos
)

// keyboard neighbours on a QWERTY layout, for substitutions a finger makes.
var neighbours = map[byte]string{
	'q': "wa", 'w': "qes", 'e': "wrd", 'r': "etf", 't': "ryg", 'y': "tuh", 'u': "yij", 'i': "uok", 'o': "ipl", 'p': "ol",
	'a': "qsz", 's': "adwx", 'd': "sfec", 'f': "dgrv", 'g': "fhtb", 'h': "gjyn", 'j': "hkum", 'k': "jli", 'l': "kop",
	'z': "xas", 'x': "zcsd", 'c': "xvdf", 'v': "cbfg", 'b': "vngh", 'n': "bmhj", 'm': "nj",
	'0': "9o", '1': "2l", '2': "13", '3': "24", '4': "35", '5': "46", '6': "57", '7': "68", '8': "79", '9': "80",
}

// homoglyphs replace a substring with one that looks the same at a glance.
var homoglyphs = [][2]string{{"m", "rn"}, {"rn", "m"}, {"o", "0"}, {"l", "1"}, {"i", "l"}, {"l", "i"}, {"w", "vv"}, {"d", "cl"}, {"e", "c"}}

// typoDomain returns a mistyped dom. The registrable label is what gets
// mistyped (people mistype "exarnple.co.jp", not "example.co.jq"), except
// for the TLD swap. ok is false when dom has no label to mistype.
func typoDomain(dom string, r *rand.Rand) (string, bool) {
	reg, err := publicsuffix.EffectiveTLDPlusOne(dom)
	if err != nil || dom == "" {
		return "", false
	}
	suffix := reg[strings.IndexByte(reg, '.')+1:]
	label := reg[:strings.IndexByte(reg, '.')]
	sub := dom[:len(dom)-len(reg)] // "mail." of mail.example.com, or ""
	for try := 0; try < 16; try++ {
		l, s := label, suffix
		if k := r.IntN(numTypos); k == typoTLD {
			s = swapTLD(s, r)
		} else {
			l = mistype(l, k, r)
		}
		if (l != label || s != suffix) && validLabel(l) {
			return sub + l + "." + s, true
		}
	}
	return "", false
}

// mistype makes a slip of kind k (typoSubstitute … typoHomoglyph) in s; it
// may return s unchanged when s offers no place for that slip.
func mistype(l string, k int, r *rand.Rand) string {
	switch k {
	case typoSubstitute:
		i := r.IntN(len(l))
		if n := neighbours[l[i]]; n != "" {
			l = l[:i] + string(n[r.IntN(len(n))]) + l[i+1:]
		}
	case typoTranspose:
		if len(l) >= 2 {
			i := r.IntN(len(l) - 1)
			l = l[:i] + string(l[i+1]) + string(l[i]) + l[i+2:]
		}
	case typoOmit:
		if len(l) >= 3 {
			i := r.IntN(len(l))
			l = l[:i] + l[i+1:]
		}
	case typoInsert:
		i := r.IntN(len(l))
		l = l[:i+1] + l[i:] // a doubled key
	case typoHomoglyph:
		h := homoglyphs[r.IntN(len(homoglyphs))]
		if j := strings.Index(l, h[0]); j >= 0 {
			l = l[:j] + h[1] + l[j+len(h[0]):]
		}
	}
	return l
}

// tldSwaps are the public suffixes people confuse, each with what it is
// mistaken for: the country's company suffix for the generic one and back,
// and suffixes a finger or autocompletion turns into another.
var tldSwaps = map[string][]string{
	"co.jp": {"com", "jp", "ne.jp", "co"}, "com": {"co.jp", "co", "net", "cm", "org"}, "jp": {"co.jp", "com"},
	"ne.jp": {"co.jp", "net"}, "net": {"com", "ne.jp"}, "org": {"com", "net"}, "or.jp": {"co.jp", "org"},
	"co.uk": {"com", "uk"}, "de": {"com"}, "ac.jp": {"co.jp"}, "go.jp": {"co.jp"},
}

func swapTLD(s string, r *rand.Rand) string {
	if alt := tldSwaps[s]; len(alt) > 0 {
		return alt[r.IntN(len(alt))]
	}
	return s
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || !utf8.ValidString(l) || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c >= 0x80) {
			return false
		}
	}
	return true
}
