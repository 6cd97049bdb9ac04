// Package mailgen generates a synthetic organisation's mail history in
// memory for tests and benchmarks of the model and the detectors: insiders
// in departments, partner companies whose people share surnames with each
// other and with insiders, recurring groups of recipients, threads, replies
// from outside, and the honest irregularities of real mail (a new contact at
// a known partner, a new partner, a colleague's contact).
//
// It also injects misdirected recipients by the four strategies misend is
// measured on. It is deliberately small and deterministic (seeded); the
// realistic organisation for demos and `misend eval` is package synth.
package mailgen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/mail"
)

// OrgDomain is the generated organisation's domain.
const OrgDomain = "corp.example"

var surnames = []string{"tanaka", "suzuki", "sato", "takahashi", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi", "kato",
	"yoshida", "yamada", "sasaki", "yamaguchi", "matsumoto", "inoue", "kimura", "hayashi", "shimizu", "yamazaki",
	"mori", "abe", "ikeda", "hashimoto", "yamashita", "ishikawa", "nakajima", "maeda", "fujita", "ogawa",
	"goto", "okada", "hasegawa", "murakami", "kondo", "ishii", "saito", "sakamoto", "endo", "aoki"}

var givens = []string{"taro", "hanako", "ichiro", "yuki", "kenji", "akiko", "hiroshi", "emi", "takeshi", "naoko",
	"satoshi", "yumi", "daisuke", "keiko", "makoto", "mika", "shota", "ayaka", "ryo", "haruka",
	"kazuya", "megumi", "tomoya", "sayaka", "yuta", "nana", "koji", "rie", "jun", "mai"}

var words = []string{"asahi", "fuji", "sakura", "nippon", "tokai", "kansai", "hokuto", "meiji", "taisei", "daiwa",
	"sanko", "tohoku", "chuo", "kyowa", "seiko", "toyo", "nichi", "hikari", "midori", "aozora",
	"global", "pacific", "summit", "vertex", "orbit", "nova", "delta", "apex", "zenith", "harbor"}

var kinds = []string{"shoji", "denki", "kogyo", "systems", "trading", "logistics", "partners", "soft", "tech", "bank"}

// Person is one mailbox.
type Person struct {
	Addr, Name string
	Dept       int // -1 for outsiders
	Company    int // -1 for insiders
}

// Org is a generated organisation and its partners.
type Org struct {
	People   []Person
	Insiders []int
	ByDept   [][]int
	Company  []string // partner domains
	Staff    [][]int  // partner → people
	groups   [][][]int
	r        *rand.Rand
	start    time.Time
	seq      int
	threads  []*thread
	byAddr   map[string]int
	openness []float64 // per insider: multiplies the rate of honest first contacts
}

type thread struct {
	id     string
	people []int
}

// Config sizes an organisation.
type Config struct {
	Seed     uint64
	Insiders int // 0 means 200
	Days     int // days of history; 0 means 180
	PerDay   int // messages per insider per working day; 0 means 4
}

// New makes an organisation.
func New(cfg Config) *Org {
	if cfg.Insiders == 0 {
		cfg.Insiders = 200
	}
	o := &Org{r: rand.New(rand.NewPCG(cfg.Seed, 7)), start: time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)}
	o.byAddr = map[string]int{}
	seen := map[string]bool{}
	mk := func(local, dom string) string {
		a := local + "@" + dom
		for i := 2; seen[a]; i++ {
			a = fmt.Sprintf("%s%d@%s", local, i, dom)
		}
		seen[a] = true
		return a
	}
	nDept := max(1, cfg.Insiders/20)
	o.ByDept = make([][]int, nDept)
	for i := 0; i < cfg.Insiders; i++ {
		s, g := surnames[o.r.IntN(len(surnames))], givens[o.r.IntN(len(givens))]
		d := i % nDept
		o.People = append(o.People, Person{Addr: mk(g+"."+s, OrgDomain), Name: title(s) + " " + title(g), Dept: d, Company: -1})
		o.Insiders = append(o.Insiders, i)
		o.ByDept[d] = append(o.ByDept[d], i)
	}
	nComp := max(4, cfg.Insiders/4)
	for c := 0; c < nComp; c++ {
		var dom string
		for dom == "" || slices.Contains(o.Company, dom) {
			suffix := []string{".co.jp", ".com", ".jp", ".net"}[o.r.IntN(4)]
			dom = words[o.r.IntN(len(words))] + "-" + kinds[o.r.IntN(len(kinds))] + suffix
		}
		o.Company = append(o.Company, dom)
		var staff []int
		for k := 0; k < 3+o.r.IntN(6); k++ {
			s, g := surnames[o.r.IntN(len(surnames))], givens[o.r.IntN(len(givens))]
			local := s
			if o.r.IntN(2) == 0 {
				local = g[:1] + "." + s
			}
			staff = append(staff, len(o.People))
			o.People = append(o.People, Person{Addr: mk(local, dom), Name: title(s) + " " + title(g), Dept: -1, Company: c})
		}
		o.Staff = append(o.Staff, staff)
	}
	for i, p := range o.People {
		o.byAddr[p.Addr] = i
	}
	for range o.Insiders {
		o.openness = append(o.openness, []float64{0.3, 1, 2, 4}[o.r.IntN(4)])
	}
	// Each insider's recurring groups: team mates, and people of a few
	// partners their department works with.
	deptPartners := make([][]int, nDept)
	for d := range deptPartners {
		for k := 0; k < 8; k++ {
			deptPartners[d] = append(deptPartners[d], o.r.IntN(nComp))
		}
	}
	o.groups = make([][][]int, cfg.Insiders)
	for _, i := range o.Insiders {
		d := o.People[i].Dept
		for g := 0; g < 10; g++ {
			var grp []int
			if g < 4 {
				grp = append(grp, o.pickOther(o.ByDept[d], i, 1+o.r.IntN(3))...)
			} else {
				c := deptPartners[d][o.r.IntN(len(deptPartners[d]))]
				grp = append(grp, o.pick(o.Staff[c], 1+o.r.IntN(2))...)
				if o.r.IntN(2) == 0 {
					grp = append(grp, o.pickOther(o.ByDept[d], i, 1)...)
				}
			}
			o.groups[i] = append(o.groups[i], grp)
		}
	}
	return o
}

// stranger adds a person at a company nobody has mailed before.
func (o *Org) stranger() int {
	s, g := surnames[o.r.IntN(len(surnames))], givens[o.r.IntN(len(givens))]
	dom := fmt.Sprintf("%s%d-%s.co.jp", words[o.r.IntN(len(words))], len(o.People), kinds[o.r.IntN(len(kinds))])
	o.People = append(o.People, Person{Addr: s + "@" + dom, Name: title(s) + " " + title(g), Dept: -1, Company: -1})
	o.byAddr[s+"@"+dom] = len(o.People) - 1
	return len(o.People) - 1
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func (o *Org) pick(from []int, n int) []int {
	n = min(n, len(from))
	perm := o.r.Perm(len(from))
	out := make([]int, n)
	for i := range out {
		out[i] = from[perm[i]]
	}
	return out
}

func (o *Org) pickOther(from []int, not int, n int) []int {
	var out []int
	for _, p := range o.pick(from, n+1) {
		if p != not && len(out) < n {
			out = append(out, p)
		}
	}
	return out
}

func (o *Org) addr(i int) mail.Address {
	return mail.Address{Name: o.People[i].Name, Addr: o.People[i].Addr}
}

// Message makes one honest message on day from a random insider.
func (o *Org) Message(day int) *mail.Message {
	from := o.Insiders[o.r.IntN(len(o.Insiders))]
	return o.MessageFrom(from, day)
}

// MessageFrom makes one honest message from insider from on day.
func (o *Org) MessageFrom(from, day int) *mail.Message {
	o.seq++
	// Working hours in Japan: 00–10 UTC.
	date := o.start.AddDate(0, 0, day).Add(time.Duration(o.r.IntN(10*3600)) * time.Second)
	m := &mail.Message{MessageID: fmt.Sprintf("%d.%d@gen.example", o.seq, o.r.Uint32()), Date: date}
	var people []int
	// How often this person honestly mails someone new: a buyer meets new
	// suppliers every week, an accountant rarely does.
	nov := 0.05
	if from < len(o.openness) {
		nov *= o.openness[from]
	}
	switch x := o.r.Float64(); {
	case x < 0.25 && len(o.threads) > 0:
		// A reply in a recent thread, possibly from outside.
		t := o.threads[len(o.threads)-1-o.r.IntN(min(len(o.threads), 50))]
		m.InReplyTo = t.id
		m.References = []string{t.id}
		author := t.people[o.r.IntN(len(t.people))]
		from = author
		for _, p := range t.people {
			if p != author {
				people = append(people, p)
			}
		}
	case x < 0.25+0.6*nov:
		// Honest novelty: a new contact at a partner the sender knows.
		g := o.groups[from][4+o.r.IntN(6)]
		c := o.People[g[0]].Company
		if c >= 0 {
			people = append(people, o.Staff[c][o.r.IntN(len(o.Staff[c]))])
		}
		people = append(people, g...)
	case x < 0.25+0.8*nov:
		// Honest novelty: a partner new to the sender, half the time one
		// nobody in the organisation has mailed yet.
		if o.r.IntN(2) == 0 {
			people = append(people, o.stranger())
		} else {
			c := o.r.IntN(len(o.Company))
			people = append(people, o.Staff[c][0])
		}
	case x < 0.25+nov:
		// Honest novelty: a colleague in another department, first time.
		people = append(people, o.Insiders[o.r.IntN(len(o.Insiders))])
	default:
		g := o.groups[from][zipf(o.r, len(o.groups[from]))]
		people = append(people, o.pick(g, 1+o.r.IntN(len(g)))...)
	}
	m.From = o.addr(from)
	seen := map[int]bool{from: true}
	for _, p := range people {
		if seen[p] {
			continue
		}
		seen[p] = true
		if len(m.To) == 0 || o.r.IntN(3) > 0 {
			m.To = append(m.To, o.addr(p))
		} else {
			m.Cc = append(m.Cc, o.addr(p))
		}
	}
	if len(m.To) == 0 {
		m.To = append(m.To, o.addr(o.pickOther(o.ByDept[max(0, o.People[from].Dept)], from, 1)[0]))
	}
	m.Text = o.greeting(o.byAddr[m.To[0].Addr]) + "\nお世話になっております。\n"
	m.Subject = "件名 " + fmt.Sprint(o.seq%97)
	if m.InReplyTo == "" {
		ps := []int{from}
		for p := range seen {
			if p != from {
				ps = append(ps, p)
			}
		}
		slices.Sort(ps[1:])
		o.threads = append(o.threads, &thread{id: m.MessageID, people: ps})
		if len(o.threads) > 200 {
			o.threads = o.threads[len(o.threads)-200:]
		}
	}
	return m
}
