package mailgen

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/misend/misend/internal/mail"
)

// zipf picks an index in [0,n) with weight 1/(i+1): a few groups get most mail.
func zipf(r *rand.Rand, n int) int {
	h := 0.0
	for i := 1; i <= n; i++ {
		h += 1 / float64(i)
	}
	x := r.Float64() * h
	for i := 1; i <= n; i++ {
		x -= 1 / float64(i)
		if x <= 0 {
			return i - 1
		}
	}
	return n - 1
}

// greeting is the opening line a Japanese business mail to p would have.
func (o *Org) greeting(p int) string {
	pp := o.People[p]
	sur := strings.ToLower(strings.Fields(pp.Name)[0])
	if pp.Company >= 0 && o.r.IntN(2) == 0 {
		return "Dear Mr. " + title(sur) + ","
	}
	return title(sur) + "様"
}

// History calls fn with every message of days working days, perDay
// messages per insider per day on average, in time order.
func (o *Org) History(days, perDay int, fn func(*mail.Message)) {
	for day := 0; day < days; day++ {
		o.Day(day, perDay, fn)
	}
}

// Day calls fn with one day's messages.
func (o *Org) Day(day, perDay int, fn func(*mail.Message)) {
	if wd := o.start.AddDate(0, 0, day).Weekday(); wd == 0 || wd == 6 {
		return
	}
	for _, i := range o.Insiders {
		n := poisson(o.r, float64(perDay))
		for k := 0; k < n; k++ {
			fn(o.MessageFrom(i, day))
		}
	}
}

func poisson(r *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// Strategy is a way a recipient gets misdirected.
type Strategy string

const (
	Colleague    Strategy = "colleague"    // a contact of a colleague in another department
	Namesake     Strategy = "namesake"     // someone with the same surname or given name
	Lookalike    Strategy = "lookalike"    // a typo of the true domain
	Autocomplete Strategy = "autocomplete" // an address with the same local-part prefix
)

// Strategies lists every strategy.
var Strategies = []Strategy{Colleague, Namesake, Lookalike, Autocomplete}

// Inject returns a copy of m with one To recipient replaced by a wrong one
// chosen by s, and the wrong address; ok is false when s has no candidate.
func (o *Org) Inject(m *mail.Message, s Strategy) (out *mail.Message, wrong string, ok bool) {
	if len(m.To) == 0 {
		return nil, "", false
	}
	k := o.r.IntN(len(m.To))
	truth := m.To[k]
	ti, known := o.byAddr[truth.Addr]
	present := map[string]bool{m.From.Addr: true}
	for _, a := range m.Recipients() {
		present[a.Addr] = true
	}
	var cands []int
	var repl mail.Address
	switch s {
	case Colleague:
		from := o.byAddr[m.From.Addr]
		fromDept := o.People[from].Dept
		mine := map[int]bool{}
		if from < len(o.groups) {
			for _, g := range o.groups[from] {
				for _, p := range g {
					mine[p] = true
				}
			}
		}
		for _, c := range o.Insiders {
			if o.People[c].Dept == fromDept || c >= len(o.groups) {
				continue
			}
			for _, g := range o.groups[c] {
				for _, p := range g {
					if !mine[p] && !present[o.People[p].Addr] {
						cands = append(cands, p)
					}
				}
			}
			if len(cands) > 50 {
				break
			}
		}
	case Namesake:
		if !known {
			return nil, "", false
		}
		tn := strings.Fields(strings.ToLower(o.People[ti].Name))
		for i, p := range o.People {
			pn := strings.Fields(strings.ToLower(p.Name))
			if i != ti && !present[p.Addr] && (pn[0] == tn[0] || pn[1] == tn[1]) {
				cands = append(cands, i)
			}
		}
	case Autocomplete:
		tl := truth.Local()
		for i, p := range o.People {
			pl := localOf(p.Addr)
			if i != ti && !present[p.Addr] && len(tl) >= 3 && len(pl) >= 3 && pl[:3] == tl[:3] {
				cands = append(cands, i)
			}
		}
	case Lookalike:
		repl = mail.Address{Name: truth.Name, Addr: truth.Local() + "@" + typo(o.r, truth.Domain())}
		if present[repl.Addr] || repl.Addr == truth.Addr {
			return nil, "", false
		}
	}
	if s != Lookalike {
		if len(cands) == 0 {
			return nil, "", false
		}
		p := o.People[cands[o.r.IntN(len(cands))]]
		repl = mail.Address{Name: p.Name, Addr: p.Addr}
	}
	c := *m
	c.MessageID = m.MessageID + ".inj"
	c.To = append([]mail.Address(nil), m.To...)
	c.To[k] = repl
	return &c, repl.Addr, true
}

func localOf(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return a[:i]
	}
	return a
}

// typo makes a lookalike of dom: a swapped ending, a doubled, dropped or
// swapped letter of its name.
func typo(r *rand.Rand, dom string) string {
	label, suffix, _ := strings.Cut(dom, ".")
	switch r.IntN(4) {
	case 0:
		if suffix == "co.jp" {
			return label + ".com"
		}
		return label + ".co.jp"
	case 1:
		i := r.IntN(len(label))
		return label[:i] + label[i:i+1] + label[i:] + "." + suffix
	case 2:
		i := 1 + r.IntN(len(label)-1)
		return label[:i-1] + label[i:] + "." + suffix
	default:
		i := r.IntN(len(label) - 1)
		b := []byte(label)
		b[i], b[i+1] = b[i+1], b[i]
		if string(b) == label {
			return label + "s." + suffix
		}
		return string(b) + "." + suffix
	}
}
