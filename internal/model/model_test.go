package model

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

func addr(a string) mail.Address { return mail.Address{Addr: a} }

func msg(id string, at time.Time, from string, to ...string) *mail.Message {
	m := &mail.Message{MessageID: id, Date: at, From: addr(from)}
	for _, t := range to {
		m.To = append(m.To, addr(t))
	}
	return m
}

func TestLearnContactsAndDomains(t *testing.T) {
	depts := map[string]string{"a@corp.example": "sales", "b@corp.example": "sales", "c@corp.example": "legal"}
	m := New(Config{OrgDomains: []string{"Corp.Example."}, Department: func(a string) string { return depts[a] }})
	m.Learn(msg("1", t0, "a@corp.example", "x@partner.example", "b@corp.example"))
	m.Learn(msg("2", t0.Add(time.Hour), "a@corp.example", "x@partner.example"))
	m.Learn(msg("3", t0.Add(2*time.Hour), "y@other.example", "c@corp.example"))
	m.Learn(msg("4", t0.Add(3*time.Hour), "b@corp.example", "z@partner.example"))
	announce := msg("5", t0.Add(3*time.Hour), "a@corp.example", "a@corp.example")
	announce.Bcc = []mail.Address{addr("p@one.example"), addr("q@two.example"), addr("c@corp.example")}
	m.Learn(announce)

	now := t0.Add(3 * time.Hour)
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"a sent to x twice", m.Contact("a@corp.example", "x@partner.example", now).Sent, 2},
		{"x never wrote to a", m.Contact("a@corp.example", "x@partner.example", now).Received, 0},
		{"b received from a", m.Contact("b@corp.example", "a@corp.example", now).Received, 1},
		{"outsider y known to c", m.Contact("c@corp.example", "y@other.example", now).Received, 1},
		{"a never mailed y", m.Contact("a@corp.example", "y@other.example", now).Total(), 0},
		{"a's domain partner.example", m.Domain("a@corp.example", "partner.example", now).Sent, 2},
		{"insiders who mailed x", float64(m.OrgAddress("x@partner.example")), 1},
		{"insiders who mailed partner.example", float64(m.OrgDomain("partner.example")), 2},
		{"sales members who mailed partner.example", float64(m.DeptDomain("b@corp.example", "partner.example")), 2},
		{"sales members who mailed x", float64(m.DeptAddress("b@corp.example", "x@partner.example")), 1},
		{"legal members who mailed partner.example", float64(m.DeptDomain("c@corp.example", "partner.example")), 0},
		{"x and b together for a", float64(m.Together("a@corp.example", "x@partner.example", "b@corp.example")), 1},
		{"a and x together for b (received)", float64(m.Together("b@corp.example", "a@corp.example", "x@partner.example")), 1},
		{"a sent to p in Bcc", m.Contact("a@corp.example", "p@one.example", now).Sent, 1},
		{"Bcc recipients not together for a", float64(m.Together("a@corp.example", "p@one.example", "q@two.example")), 0},
		{"Bcc recipients not together for c (received)", float64(m.Together("c@corp.example", "p@one.example", "q@two.example")), 0},
		{"hours to the organisation's last mail with x", m.OrgLastSeen("x@partner.example").Sub(t0).Hours(), 1},
		{"hours to the organisation's last mail from y", m.OrgLastSeen("y@other.example").Sub(t0).Hours(), 2},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-3 {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if !m.OrgLastSeen("nobody@partner.example").IsZero() {
		t.Error("an address nobody exchanged mail with has a last hour")
	}
	if m.IsSender("y@other.example") {
		t.Error("outsiders get no sender state")
	}
	if !m.IsInternal("q@mail.corp.example") || m.IsInternal("q@corp.example.evil") {
		t.Error("subdomains of the organisation are inside; lookalike suffixes are not")
	}
}

func TestDecay(t *testing.T) {
	m := New(Config{HalfLife: 30 * 24 * time.Hour})
	m.Learn(msg("1", t0, "a@x.example", "b@y.example"))
	for _, tt := range []struct {
		after time.Duration
		want  float64
	}{{0, 1}, {30 * 24 * time.Hour, 0.5}, {60 * 24 * time.Hour, 0.25}} {
		if got := m.Contact("a@x.example", "b@y.example", t0.Add(tt.after)).Sent; math.Abs(got-tt.want) > 1e-3 {
			t.Errorf("after %v: %v, want %v", tt.after, got, tt.want)
		}
	}
	// Out of order: a message 30 days older counts half, as if learned first.
	m.Learn(msg("0", t0.Add(-30*24*time.Hour), "a@x.example", "b@y.example"))
	if got := m.Contact("a@x.example", "b@y.example", t0).Sent; math.Abs(got-1.5) > 1e-3 {
		t.Errorf("out of order: %v, want 1.5", got)
	}
	c := m.Contact("a@x.example", "b@y.example", t0)
	if !c.First.Equal(t0.Add(-30*24*time.Hour).Truncate(time.Hour)) || !c.Last.Equal(t0) {
		t.Errorf("first/last = %v/%v", c.First, c.Last)
	}
}

func TestDeduplication(t *testing.T) {
	m := New(Config{})
	sent := msg("abc@host", t0, "a@x.example", "b@y.example")
	inbox := msg("abc@host", t0, "a@x.example", "b@y.example") // the recipient's copy
	noID := msg("", t0, "a@x.example", "b@y.example")
	noID.Subject = "hello"
	noIDOther := msg("", t0, "a@x.example", "b@y.example")
	noIDOther.Subject = "other"
	for i, tt := range []struct {
		m    *mail.Message
		want bool
	}{{sent, true}, {inbox, false}, {noID, true}, {noID, false}, {noIDOther, true}, {nil, false}} {
		if got := m.Learn(tt.m); got != tt.want {
			t.Errorf("step %d: Learn = %v, want %v", i, got, tt.want)
		}
	}
	if got := m.Contact("a@x.example", "b@y.example", t0).Sent; got != 3 {
		t.Errorf("sent = %v, want 3", got)
	}
	if s := m.Stats(); s.Learned != 3 || s.Duplicates != 2 {
		t.Errorf("stats = %+v", s)
	}
}

func TestCoRecipientCap(t *testing.T) {
	m := New(Config{})
	var to []string
	for i := range 500 {
		to = append(to, fmt.Sprintf("r%d@list.example", i))
	}
	m.Learn(msg("1", t0, "a@x.example", to...))
	p := m.people[m.addrs.ids["a@x.example"]]
	if want := maxPairRecipients * (maxPairRecipients - 1) / 2; p.pairs.len() != want {
		t.Errorf("%d pairs for a 500-recipient message, want the cap %d", p.pairs.len(), want)
	}
}

func TestThreads(t *testing.T) {
	m := New(Config{ThreadDays: 10})
	m.Learn(msg("root", t0, "a@x.example", "b@x.example"))
	reply := msg("r1", t0.Add(time.Hour), "b@x.example", "a@x.example", "c@y.example")
	reply.InReplyTo = "root"
	m.Learn(reply)
	// A reply to a message never imported still joins by References.
	lost := msg("r2", t0.Add(2*time.Hour), "c@y.example", "a@x.example")
	lost.InReplyTo = "missing"
	lost.References = []string{"root", "missing"}
	m.Learn(lost)

	got, ok := m.Thread("r2", nil)
	slices.Sort(got)
	if want := []string{"a@x.example", "b@x.example", "c@y.example"}; !ok || !slices.Equal(got, want) {
		t.Errorf("thread = %v %v, want %v", got, ok, want)
	}
	if _, ok := m.Thread("unknown", []string{"also-unknown"}); ok {
		t.Error("unknown thread found")
	}
	// Threads idle longer than ThreadDays are forgotten.
	m.Learn(msg("late", t0.Add(30*24*time.Hour), "a@x.example", "b@x.example"))
	m.threads.sweep(m.latest, uint32(m.cfg.ThreadDays*24))
	if _, ok := m.Thread("root", nil); ok {
		t.Error("old thread kept")
	}
	if _, ok := m.Thread("late", nil); !ok {
		t.Error("recent thread forgotten")
	}
}

func TestNamesAndHabits(t *testing.T) {
	m := New(Config{})
	for i := range 6 {
		x := msg(fmt.Sprint(i), t0.Add(time.Duration(i)*24*time.Hour), "a@x.example", "b@y.example")
		x.To[0].Name = []string{"Tanaka Taro", "Tanaka Taro", "田中 太郎", "T. Tanaka", "Taro", "Tanaka Taro"}[i]
		m.Learn(x)
	}
	names := m.Names("b@y.example")
	if len(names) != maxNamesPerAddr || names[0] != "Tanaka Taro" {
		t.Errorf("names = %v", names)
	}
	hb := m.Habits("a@x.example", t0)
	if hb.Hours[9] != 6 || hb.ActiveDays != 6 || hb.DailyMean != 1 || hb.Today != 1 {
		t.Errorf("habits = %+v", hb)
	}
}

func TestSaveLoad(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	empty, err := Load(ctx, db, Config{})
	if err != nil || empty.Stats().Learned != 0 {
		t.Fatalf("load of nothing: %v %+v", err, empty.Stats())
	}
	depts := func(a string) string { return map[string]string{"a@corp.example": "sales"}[a] }
	m := New(Config{OrgDomains: []string{"corp.example"}, Department: depts})
	var to []string
	for i := range 3000 { // enough to span several chunks
		to = append(to[:0], fmt.Sprintf("p%d@partner%d.example", i, i%50), "b@corp.example")
		x := msg(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Minute), "a@corp.example", to...)
		x.To[0].Name = fmt.Sprint("Person ", i)
		if i > 0 {
			x.InReplyTo = fmt.Sprint(i - 1)
		}
		m.Learn(x)
	}
	defer func(n int) { chunkSize = n }(chunkSize)
	chunkSize = 4096
	if err := m.Save(ctx, db); err != nil {
		t.Fatal(err)
	}
	var chunks int
	db.QueryRow(`SELECT count(*) FROM model_snapshot`).Scan(&chunks)
	l, err := Load(ctx, db, Config{Department: depts})
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(3000 * time.Minute)
	if !slices.Equal(l.OrgDomains(), []string{"corp.example"}) {
		t.Errorf("org domains = %v", l.OrgDomains())
	}
	if d, _ := StoredOrgDomains(ctx, db); !slices.Equal(d, []string{"corp.example"}) {
		t.Errorf("stored org domains = %v", d)
	}
	for _, q := range []func(*Model) any{
		func(m *Model) any { return m.Stats() },
		func(m *Model) any { return m.Contact("a@corp.example", "p17@partner17.example", now) },
		func(m *Model) any { return m.Contact("b@corp.example", "a@corp.example", now) },
		func(m *Model) any { return m.Domain("a@corp.example", "partner3.example", now) },
		func(m *Model) any { return m.DeptDomain("a@corp.example", "partner3.example") },
		func(m *Model) any { return m.OrgAddress("p5@partner5.example") },
		func(m *Model) any { return m.Together("a@corp.example", "p5@partner5.example", "b@corp.example") },
		func(m *Model) any { return m.Names("p9@partner9.example") },
		func(m *Model) any { p, _ := m.Thread("2999", nil); slices.Sort(p); return p },
		func(m *Model) any { return m.Habits("a@corp.example", now) },
		func(m *Model) any { return len(m.Contacts("a@corp.example", now)) },
	} {
		if a, b := fmt.Sprint(q(m)), fmt.Sprint(q(l)); a != b {
			t.Errorf("after load %s, before %s", b, a)
		}
	}
	if l.Learn(msg("5", t0, "a@corp.example", "zz@new.example")) {
		t.Error("a message learned before saving was learned again after loading")
	}
	if chunks < 2 {
		t.Errorf("snapshot in %d chunk(s); the test wants several", chunks)
	}
}

func TestDecodeDamaged(t *testing.T) {
	m := New(Config{})
	m.Learn(msg("1", t0, "a@x.example", "b@y.example"))
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for name, b := range map[string][]byte{
		"truncated": good[:len(good)/2],
		"garbage":   []byte("\x1f\x8b\x08\x00garbage"),
		"not gzip":  []byte("hello"),
	} {
		if _, err := Decode(bytes.NewReader(b), Config{}); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

func TestConcurrentLearnAndQuery(t *testing.T) {
	m := New(Config{OrgDomains: []string{"x.example"}})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 2000 {
			m.Learn(msg(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Minute), "a@x.example", fmt.Sprintf("r%d@y.example", i%20)))
		}
	}()
	go func() {
		defer wg.Done()
		for i := range 2000 {
			m.Contact("a@x.example", fmt.Sprintf("r%d@y.example", i%20), t0)
			m.Contacts("a@x.example", t0)
			m.PopularDomains(2)
		}
	}()
	wg.Wait()
	if got := len(m.Contacts("a@x.example", t0)); got != 20 {
		t.Errorf("%d contacts, want 20", got)
	}
}

func TestFirstContactRate(t *testing.T) {
	m := New(Config{HalfLife: 10000 * 24 * time.Hour})
	if got := m.FirstContactRate("a@x.example", t0); got != 0.1 {
		t.Errorf("no history: %v, want the prior 0.1", got)
	}
	// 90 messages to one regular and 10 to someone new each time.
	for i := range 100 {
		to := "regular@y.example"
		if i%10 == 0 {
			to = fmt.Sprintf("new%d@y.example", i)
		}
		m.Learn(msg(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Hour), "a@x.example", to))
	}
	// Firsts: the regular once, plus 10 new = 11 of 100, pulled towards 0.1.
	want := (11 + 1.0) / (100 + 10.0)
	if got := m.FirstContactRate("a@x.example", t0.Add(100*time.Hour)); math.Abs(got-want) > 1e-3 {
		t.Errorf("rate %v, want %v", got, want)
	}
}

// TestCompanyNames: sent mail to one outside domain teaches which domain
// the names in its opening belong to; mail to two outside organisations,
// received mail and internal mail teach nothing.
func TestCompanyNames(t *testing.T) {
	greeting := map[string][]string{}
	m := New(Config{OrgDomains: []string{"corp.example"}, Addressed: func(x *mail.Message) []string { return greeting[x.MessageID] }})
	learn := func(id, from string, names []string, to ...string) {
		greeting[id] = names
		m.Learn(msg(id, t0, from, to...))
	}
	learn("1", "a@corp.example", []string{"東洋電機"}, "tanaka@toyo-denki.co.jp")
	learn("2", "b@corp.example", []string{"東洋電機"}, "honda@toyo-denki.co.jp", "c@corp.example")
	learn("3", "a@corp.example", []string{"東洋電機"}, "tanaka@yamada-shoji.co.jp")
	learn("4", "a@corp.example", []string{"山田商事"}, "tanaka@yamada-shoji.co.jp", "x@toyo-denki.co.jp")
	learn("5", "tanaka@yamada-shoji.co.jp", []string{"山田商事"}, "a@corp.example")
	learn("6", "a@corp.example", []string{"社内"}, "b@corp.example")
	learn("7", "a@corp.example", []string{strings.Repeat("長", 40)}, "tanaka@toyo-denki.co.jp")

	dom, n := m.CompanyDomain("東洋電機")
	if dom != "toyo-denki.co.jp" || n != 2 {
		t.Errorf("東洋電機 is %q in %d messages, want toyo-denki.co.jp in 2", dom, n)
	}
	if n := m.CompanyAt("東洋電機", "yamada-shoji.co.jp"); n != 1 {
		t.Errorf("東洋電機 at yamada-shoji.co.jp: %d, want 1 (one mistaken opening)", n)
	}
	for _, name := range []string{"山田商事", "社内", strings.Repeat("長", 40), "unknown"} {
		if dom, n := m.CompanyDomain(name); dom != "" || n != 0 {
			t.Errorf("%q learned as %q (%d)", name, dom, n)
		}
	}
}

// TestSetDepartments: after a new directory moves a person, the model
// answers for their new department, whose members' mail it learned.
func TestSetDepartments(t *testing.T) {
	depts := map[string]string{"a@corp.example": "sales", "b@corp.example": "sales", "c@corp.example": "legal"}
	m := New(Config{OrgDomains: []string{"corp.example"}, Department: func(a string) string { return depts[a] }})
	m.Learn(msg("1", t0, "a@corp.example", "x@partner.example"))
	m.Learn(msg("2", t0, "c@corp.example", "y@law.example"))
	m.Learn(msg("3", t0, "b@corp.example", "a@corp.example"))
	if n := m.DeptDomain("b@corp.example", "partner.example"); n != 1 {
		t.Fatalf("sales knows partner.example through %d members, want 1", n)
	}
	moved := map[string]string{"a@corp.example": "sales", "b@corp.example": "legal", "c@corp.example": "legal"}
	m.SetDepartments(func(a string) string { return moved[a] })
	if n := m.DeptDomain("b@corp.example", "partner.example"); n != 0 {
		t.Errorf("b, now in legal, still counts sales' partner (%d)", n)
	}
	if n := m.DeptDomain("b@corp.example", "law.example"); n != 1 {
		t.Errorf("b, now in legal, does not know legal's law firm (%d)", n)
	}
}

// TestContactsAfterLearning checks that the kept answer of Contacts never
// outlives what the model learns or the hour it is asked at.
func TestContactsAfterLearning(t *testing.T) {
	m := New(Config{OrgDomains: []string{"corp.example"}})
	m.Learn(msg("1", t0, "a@corp.example", "x@partner.example"))
	now := t0.Add(time.Hour)
	addrs := func(at time.Time) string {
		var s []string
		for _, c := range m.Contacts("a@corp.example", at) {
			s = append(s, fmt.Sprintf("%s:%.3f", c.Addr, c.Total()))
		}
		return strings.Join(s, " ")
	}
	if got := addrs(now); got != "x@partner.example:1.000" {
		t.Fatalf("contacts = %q", got)
	}
	m.Learn(msg("2", t0, "a@corp.example", "y@partner.example"))
	m.Learn(msg("3", t0, "a@corp.example", "y@partner.example"))
	if got := addrs(now); got != "y@partner.example:2.000 x@partner.example:1.000" {
		t.Errorf("after learning, contacts = %q", got)
	}
	later := t0.Add(180 * 24 * time.Hour) // one half-life
	if got := addrs(later); got != "y@partner.example:1.000 x@partner.example:0.500" {
		t.Errorf("half a year on, contacts = %q", got)
	}
	if got := addrs(now); got != "y@partner.example:2.000 x@partner.example:1.000" {
		t.Errorf("asked again at the first hour, contacts = %q", got)
	}
	if got := m.Contacts("nobody@corp.example", now); got != nil {
		t.Errorf("contacts of a stranger = %v", got)
	}
}
