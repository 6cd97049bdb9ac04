package model

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/misend/misend/internal/mail"
)

// Contact is what a sender exchanged with one address or domain, as seen at
// the time asked about. Sent and Received are decayed message counts.
type Contact struct {
	Addr        string
	Sent        float64
	Received    float64
	First, Last time.Time // zero when never seen
}

// Known reports whether the sender ever exchanged mail with it.
func (c Contact) Known() bool { return !c.First.IsZero() }

// Total is Sent plus Received.
func (c Contact) Total() float64 { return c.Sent + c.Received }

func (m *Model) contactOut(addr string, c contact, h uint32) Contact {
	out := Contact{Addr: addr, Sent: c.sent.value(h, m.hlHours), Received: c.recv.value(h, m.hlHours)}
	if c.first != 0 {
		out.First = time.Unix(int64(c.first)*3600, 0).UTC()
		out.Last = time.Unix(int64(c.last)*3600, 0).UTC()
	}
	return out
}

// IsSender reports whether the model has any history for sender.
func (m *Model) IsSender(sender string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.addrs.lookup(sender)
	return ok && m.people[id] != nil
}

// SentTotal is the sender's decayed count of messages sent, at now.
func (m *Model) SentTotal(sender string, now time.Time) float64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.personOf(sender)
	if p == nil {
		return 0
	}
	return p.sent.value(hourOf(now), m.hlHours)
}

// FirstContactRate is the share of sender's messages that reached someone
// for the first time, decayed like every count and pulled towards 10% while
// there are few messages: how used the sender is to mailing new people.
func (m *Model) FirstContactRate(sender string, now time.Time) float64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	const prior, weight = 0.1, 10.0
	p := m.personOf(sender)
	if p == nil {
		return prior
	}
	h := hourOf(now)
	return (p.firsts.value(h, m.hlHours) + prior*weight) / (p.sent.value(h, m.hlHours) + weight)
}

func (m *Model) personOf(addr string) *person {
	id, ok := m.addrs.lookup(addr)
	if !ok {
		return nil
	}
	return m.people[id]
}

// Contact returns what sender exchanged with addr, as of now.
func (m *Model) Contact(sender, addr string, now time.Time) Contact {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.personOf(sender)
	id, ok := m.addrs.lookup(addr)
	if p == nil || !ok {
		return Contact{Addr: addr}
	}
	return m.contactOut(addr, p.contacts[id], hourOf(now))
}

// Domain returns what sender exchanged with anyone at dom, as of now.
func (m *Model) Domain(sender, dom string, now time.Time) Contact {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.personOf(sender)
	id, ok := m.domains.lookup(dom)
	if p == nil || !ok {
		return Contact{Addr: dom}
	}
	return m.contactOut(dom, p.domains[id], hourOf(now))
}

// Contacts returns every address sender exchanged mail with, most exchanged
// first, as of now. The slice is shared: callers must not change it.
//
// The last answer is kept until the model learns again: a replay checks
// one message many times over (clean and with each kind of slip put in),
// and sorting thousands of contacts each time was the largest cost of
// import's fit after the checks themselves.
func (m *Model) Contacts(sender string, now time.Time) []Contact {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.addrs.lookup(sender)
	p := m.people[id]
	if !ok || p == nil {
		return nil
	}
	h := hourOf(now)
	key := contactsKey{id: id, hour: h, gen: m.gen}
	if out, ok := m.lastContacts.get(key); ok {
		return out
	}
	out := make([]Contact, 0, len(p.contacts))
	for id, c := range p.contacts {
		out = append(out, m.contactOut(m.addrs.str[id], c, h))
	}
	slices.SortFunc(out, func(a, b Contact) int {
		if d := b.Total() - a.Total(); d != 0 {
			return int(math.Copysign(1, d))
		}
		if a.Addr < b.Addr {
			return -1
		}
		return 1
	})
	m.lastContacts.put(key, out)
	return out
}

// contactsKey is what one answer of Contacts depends on: whose contacts,
// at which hour (counts decay), and what the model had learned.
type contactsKey struct {
	id, hour uint32
	gen      uint64
}

// contactsMemo is the last answer of Contacts. It has a lock of its own:
// Contacts holds the model's only for reading.
type contactsMemo struct {
	mu   sync.Mutex
	key  contactsKey
	list []Contact
	ok   bool
}

func (c *contactsMemo) get(k contactsKey) ([]Contact, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ok || c.key != k {
		return nil, false
	}
	return c.list, true
}

func (c *contactsMemo) put(k contactsKey, l []Contact) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key, c.list, c.ok = k, l, true
}

// Domains returns every domain sender exchanged mail with.
func (m *Model) Domains(sender string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.personOf(sender)
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(p.domains))
	for id := range p.domains {
		out = append(out, m.domains.str[id])
	}
	slices.Sort(out)
	return out
}

// OrgAddress is how many distinct insiders have exchanged mail with addr.
func (m *Model) OrgAddress(addr string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.addrs.lookup(addr)
	if !ok {
		return 0
	}
	return int(m.orgAddr[id])
}

// OrgLastSeen is when an insider last exchanged mail with addr; zero if
// none ever did.
func (m *Model) OrgLastSeen(addr string) time.Time {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.addrs.lookup(addr)
	if !ok || m.addrLast[id] == 0 {
		return time.Time{}
	}
	return time.Unix(int64(m.addrLast[id])*3600, 0).UTC()
}

// OrgDomain is how many distinct insiders have mailed anyone at dom.
func (m *Model) OrgDomain(dom string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.domains.lookup(dom)
	if !ok {
		return 0
	}
	return int(m.orgDom[id])
}

// DeptAddress is how many insiders of sender's department (other than
// possibly sender) have exchanged mail with addr; 0 when sender has no department.
func (m *Model) DeptAddress(sender, addr string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	dept := m.deptOf(sender)
	id, ok := m.addrs.lookup(addr)
	if dept == 0 || !ok {
		return 0
	}
	return int(m.deptKn[uint64(dept)<<32|uint64(id)])
}

// HasDepartment reports whether the model knows sender's department.
func (m *Model) HasDepartment(sender string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.deptOf(sender) != 0 || (m.cfg.Department != nil && m.cfg.Department(sender) != "")
}

// DeptDomain is how many insiders of sender's department have mailed dom.
func (m *Model) DeptDomain(sender, dom string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	dept := m.deptOf(sender)
	id, ok := m.domains.lookup(dom)
	if dept == 0 || !ok {
		return 0
	}
	return int(m.deptDom[uint64(dept)<<32|uint64(id)])
}

// Department is addr's department by the directory, "" when unknown.
func (m *Model) Department(addr string) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if p := m.personOf(addr); p != nil && p.dept != 0 {
		return m.depts.str[p.dept-1]
	}
	if m.cfg.Department != nil {
		return m.cfg.Department(addr)
	}
	return ""
}

// Departments lists the departments of the people the model knows.
func (m *Model) Departments() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.depts.str)
}

// deptOf is sender's interned department + 1, 0 for none. The department
// function is asked at query time too, so a directory imported after the
// history still places a sender.
func (m *Model) deptOf(sender string) uint32 {
	if p := m.personOf(sender); p != nil && p.dept != 0 {
		return p.dept
	}
	if m.cfg.Department == nil {
		return 0
	}
	d := m.cfg.Department(sender)
	if d == "" {
		return 0
	}
	id, ok := m.depts.lookup(d)
	if !ok {
		return 0
	}
	return id + 1
}

// Names returns the display names seen for addr, most used first.
func (m *Model) Names(addr string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.addrs.lookup(addr)
	if !ok {
		return nil
	}
	l := slices.Clone(m.addrNm[id])
	slices.SortStableFunc(l, func(a, b nameCount) int { return int(b.n) - int(a.n) })
	out := make([]string, len(l))
	for i, n := range l {
		out[i] = m.names.str[n.name]
	}
	return out
}

// Together is how many of sender's messages (sent, or received and so
// answerable to all) had both a and b among their participants.
func (m *Model) Together(sender, a, b string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.personOf(sender)
	ia, ok1 := m.addrs.lookup(a)
	ib, ok2 := m.addrs.lookup(b)
	if p == nil || !ok1 || !ok2 || ia == ib {
		return 0
	}
	return int(p.pairs.get(pairKey(ia, ib)))
}

// Thread returns the participants of the conversation a message with these
// In-Reply-To and References headers answers, if the model knows it.
func (m *Model) Thread(inReplyTo string, refs []string) ([]string, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.threads.parent(inReplyTo, refs)
	if t == nil {
		return nil, false
	}
	out := make([]string, len(t.people))
	for i, id := range t.people {
		out[i] = m.addrs.str[id]
	}
	return out, true
}

// Conversation returns the participants of the conversation msg answers:
// the one its In-Reply-To or References name, else, for a reply by its
// subject ("Re: …") that carries no such header, the latest conversation
// under that subject in which sender took part. A subject alone does not
// make a conversation the sender's: "Re: meeting" of other people is
// someone else's.
func (m *Model) Conversation(sender string, msg *mail.Message) ([]string, bool) {
	if people, ok := m.Thread(msg.InReplyTo, msg.References); ok || msg.InReplyTo != "" || len(msg.References) > 0 {
		return people, ok
	}
	if _, reply := mail.BaseSubject(msg.Subject); !reply {
		return nil, false
	}
	key := m.topicKey(msg.Subject)
	if key == 0 {
		return nil, false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.threads.byMsg[key]
	id, ok := m.addrs.lookup(sender)
	if t == nil || !ok || !slices.Contains(t.people, id) {
		return nil, false
	}
	out := make([]string, len(t.people))
	for i, p := range t.people {
		out[i] = m.addrs.str[p]
	}
	return out, true
}

// Habits are when and how much a sender usually sends.
type Habits struct {
	Hours      [24]int // messages sent per hour of day (UTC)
	ActiveDays int     // days with at least one message sent
	DailyMean  float64 // over active days
	DailyStd   float64
	Today      int // messages sent on the day asked about
}

// Habits returns sender's sending habits, with Today for now's day.
func (m *Model) Habits(sender string, now time.Time) Habits {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var hb Habits
	p := m.personOf(sender)
	if p == nil {
		return hb
	}
	for i, n := range p.hours {
		hb.Hours[i] = int(n)
	}
	var sum, sq float64
	for _, n := range p.days {
		sum += float64(n)
		sq += float64(n) * float64(n)
	}
	hb.ActiveDays = len(p.days)
	if hb.ActiveDays > 0 {
		hb.DailyMean = sum / float64(hb.ActiveDays)
		hb.DailyStd = math.Sqrt(math.Max(0, sq/float64(hb.ActiveDays)-hb.DailyMean*hb.DailyMean))
	}
	hb.Today = int(p.days[hourOf(now)/24])
	return hb
}

// PopularDomains returns the domains at least min insiders have mailed,
// sorted; min below 2 counts as 2. The list is cached until the next Learn
// that adds a domain.
func (m *Model) PopularDomains(min int) []string {
	min = max(min, 2)
	m.mu.RLock()
	pop := m.popular
	m.mu.RUnlock()
	if pop == nil {
		m.mu.Lock()
		if m.popular == nil {
			m.popular = make([]uint32, 0)
			for d, n := range m.orgDom {
				if n >= 2 {
					m.popular = append(m.popular, d)
				}
			}
		}
		pop = m.popular
		m.mu.Unlock()
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(pop))
	for _, d := range pop {
		if int(m.orgDom[d]) >= min {
			out = append(out, m.domains.str[d])
		}
	}
	slices.Sort(out)
	return out
}

// Stats describes the model's size.
type Stats struct {
	Learned    int // messages learned
	Duplicates int // messages refused as already learned
	Senders    int // insiders with state, as senders or recipients
	Sent       int // insiders who sent at least one message learned
	Addresses  int
	Domains    int
	Threads    int // message ids in the thread index
}

// Stats returns the model's size.
func (m *Model) Stats() Stats {
	m.mu.RLock()
	defer m.mu.RUnlock()
	sent := 0
	for _, p := range m.people {
		if p.sent.v > 0 {
			sent++
		}
	}
	return Stats{Learned: m.learned, Duplicates: m.dups, Senders: len(m.people), Sent: sent, Addresses: len(m.addrs.str), Domains: len(m.domains.str), Threads: len(m.threads.byMsg)}
}
