// Package model keeps what misend learns about each sender: whom they mail,
// who mails them, which recipients appear together, which domains they and
// their department know, in which threads, at which hours and volumes.
//
// Counters are updated one message at a time (Learn) and decay with age, so
// the model is always current without a batch retraining step. Decay is lazy:
// a counter stores its value as of the hour it was last touched and is scaled
// by 2^(-age/HalfLife) when read or updated, so old history costs nothing to
// age. Addresses, domains, departments and display names are interned to
// integer ids; per-sender state exists only for the organisation's own people
// (everyone, when no organisation domain is configured).
//
// Sent and received mail both count: a message from an outsider to an insider
// makes that outsider known to that insider. Messages are de-duplicated by a
// hash of their Message-ID (or of sender, date, subject and recipients when it
// has none), so a copy in the sender's Sent folder and another in a
// recipient's Inbox count once, and importing twice changes nothing.
//
// It stores no bodies and no subjects (a subject threads mail only as a hash
// keyed with the installation's secret, Config.TopicKey): only addresses, display names, counts
// and times, which outside organisation names the openings of sent mail
// address at which domain ("東洋電機株式会社\n田中様" sent to
// toyo-denki.co.jp), so a greeting can be checked against the recipients,
// and what each address's mail is about as the 32-bit keyed hashes of the
// words it uses most (content.go), so a check can tell a message that
// belongs to another conversation.
// It deliberately does not judge messages; package detect does.
package model

import (
	"crypto/cipher"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/misend/misend/internal/mail"
)

// DepartmentFunc maps an address to its department ("" if unknown).
type DepartmentFunc func(addr string) string

// Config sets up a Model.
type Config struct {
	OrgDomains []string      // the organisation's own domains
	HalfLife   time.Duration // age at which a count weighs half; 0 means 180 days
	Department DepartmentFunc
	// ThreadDays is how long a thread is remembered after its last message;
	// 0 means 120 days. It bounds the memory of the thread index.
	ThreadDays int
	// Addressed, when set, returns the outside organisations the opening
	// of a message names, normalised (detect.AddressedCompanies). Sent
	// mail to a single outside domain teaches the model that the domain
	// goes by those names.
	Addressed func(*mail.Message) []string
	// TopicKey, when set, keys the hashes of subjects that thread mail
	// without References (TopicKeyed), so someone holding the database
	// without the key cannot test guessed subjects against them. Every
	// process learning or checking on one database needs the same key:
	// under another, threads by subject are not found. nil hashes them
	// unkeyed (TopicKey), as models built in memory for a replay do.
	TopicKey []byte
}

// Caps that keep one message from costing unbounded memory or time: a
// mailing-list post to 500 people must not add 125,000 co-recipient pairs.
const (
	maxPairRecipients = 12 // co-recipient pairs use at most this many recipients
	maxThreadPeople   = 32 // participants remembered per thread
	maxReceivedGroup  = 8  // recipients of received mail whose pairs are learned
	maxNamesPerAddr   = 4  // display names remembered per address
	maxCompanyNames   = 4  // company names learned from one message
	maxCompanyName    = 96 // octets; longer is not a company name
	sweepEvery        = 1 << 16
)

// Model is the learned per-sender statistics. Safe for concurrent use: Learn
// takes a write lock, every query a read lock.
type Model struct {
	mu sync.RWMutex

	cfg     Config
	hlHours float64
	own     []string // normalised organisation domains

	addrs   interner // addresses
	domains interner // domains
	depts   interner // departments
	names   interner // display names
	addrDom []uint32 // address id → domain id
	// addrLast is address id → the hour an insider last exchanged mail
	// with the address (0: never): whether a correspondent is one of the
	// organisation's current ones or a name from years ago. The newest of
	// the insiders' contacts' last hours, kept apart so a check reads one
	// number (lastFromContacts rebuilds it on loading).
	addrLast []uint32

	people  map[uint32]*person // per-sender state, insiders only
	addrNm  map[uint32][]nameCount
	orgAddr map[uint32]uint32 // address → distinct insiders who exchanged mail with it
	orgDom  map[uint32]uint32 // domain → distinct insiders who mailed it
	deptKn  map[uint64]uint32 // dept<<32|address → distinct insiders of dept who exchanged mail with it
	deptDom map[uint64]uint32 // dept<<32|domain → same, per domain
	compDom map[uint64]uint32 // company name<<32|domain → sent messages whose opening named it
	compTop map[uint32]uint32 // company name → its domain with the most such messages

	seen    map[uint64]struct{} // message hashes learned
	threads threadIndex

	latest  uint32 // newest hour seen
	journal int64  // position in the shared journal learned up to (SetJournalPosition)
	learned int
	// gen changes whenever what a query answers may have (learning, Reload):
	// lastContacts is good only for the gen it was made at.
	gen          uint64
	lastContacts contactsMemo
	dups         int
	popular      []uint32 // cached domains mailed by several insiders; nil when stale

	comm   []uint32 // address id → its circle of the mail graph (community.go)
	commAt int      // learned when comm was found

	topicMACs sync.Pool // HMACs under Config.TopicKey (topicKeyedWith)

	terms    cipher.Block       // keys word hashes into terms (terms.go)
	dfs      []uint16           // term → messages with it, hashed; nil before any
	docs     int                // messages counted in dfs
	sketches map[uint32]*sketch // address id → what its mail is about
	slab     []sketch           // sketches allocated, not yet used (newSketch)
}

// person is what the model knows about one insider as a sender and recipient.
type person struct {
	dept     uint32 // interned department + 1; 0 none
	contacts map[uint32]contact
	domains  map[uint32]contact
	pairs    pairCounts // a<<32|b (a<b) → messages with both
	hours    [24]uint32
	days     map[uint32]uint16 // day number → messages sent that day
	sent     counter
	firsts   counter // messages sent that reached someone for the first time
	// attach is outside domain → attachment kinds sent there (AttachPDF,
	// …); nil for the many who never sent an attachment outside.
	attach map[uint32]uint16
}

type nameCount struct {
	name uint32
	n    uint32
}

// New returns an empty model.
func New(cfg Config) *Model {
	m := &Model{
		cfg:     cfg,
		people:  map[uint32]*person{},
		addrNm:  map[uint32][]nameCount{},
		orgAddr: map[uint32]uint32{},
		orgDom:  map[uint32]uint32{},
		deptKn:  map[uint64]uint32{},
		deptDom: map[uint64]uint32{},
		compDom: map[uint64]uint32{},
		compTop: map[uint32]uint32{},
		seen:    map[uint64]struct{}{},
		threads: newThreadIndex(),

		sketches: map[uint32]*sketch{},
	}
	key := slices.Clone(cfg.TopicKey)
	m.topicMACs.New = func() any { return newTopicMAC(key) }
	m.terms = termCipher(key)
	m.addrs.init()
	m.domains.init()
	m.depts.init()
	m.names.init()
	hl := cfg.HalfLife
	if hl <= 0 {
		hl = 180 * 24 * time.Hour
	}
	m.hlHours = hl.Hours()
	for _, d := range cfg.OrgDomains {
		d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if d != "" && !slices.Contains(m.own, d) {
			m.own = append(m.own, d)
		}
	}
	if m.cfg.ThreadDays <= 0 {
		m.cfg.ThreadDays = 120
	}
	return m
}

// OrgDomains returns the organisation's own domains the model was set up with.
func (m *Model) OrgDomains() []string { return append([]string(nil), m.own...) }

// IsInternal tells whether addr is at one of the organisation's domains (or a
// subdomain). With no organisation domain configured everyone is internal.
func (m *Model) IsInternal(addr string) bool { return m.internalDomain(domainOf(addr)) }

func (m *Model) internalDomain(dom string) bool {
	if len(m.own) == 0 {
		return true
	}
	for _, o := range m.own {
		if dom == o || (len(dom) > len(o) && strings.HasSuffix(dom, o) && dom[len(dom)-len(o)-1] == '.') {
			return true
		}
	}
	return false
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

// hourOf converts t to whole hours since the Unix epoch, the model's clock.
func hourOf(t time.Time) uint32 {
	s := t.Unix()
	if s <= 0 {
		return 1
	}
	h := s / 3600
	if h > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(h)
}

// SetDepartments replaces the department mapping, after a new directory
// was imported while serving: each known insider is placed in their
// department as it now is, and people seen later too. What departments
// learned so far (which addresses and domains their members mailed) stays
// with the departments that learned it until history is imported again.
func (m *Model) SetDepartments(f DepartmentFunc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg.Department = f
	for id, p := range m.people {
		p.dept = m.deptID(id)
	}
}

func (m *Model) addr(a string) uint32 {
	id, isNew := m.addrs.id(a)
	if isNew {
		d, _ := m.domains.id(domainOf(a))
		m.addrDom = append(m.addrDom, d)
		m.addrLast = append(m.addrLast, 0)
	}
	return id
}

func (m *Model) person(id uint32) *person {
	p := m.people[id]
	if p == nil {
		p = &person{contacts: map[uint32]contact{}, domains: map[uint32]contact{}, days: map[uint32]uint16{}}
		p.dept = m.deptID(id)
		m.people[id] = p
	}
	return p
}

// deptID (m.mu held) is the interned department + 1 of address id by
// Config.Department, 0 for none.
func (m *Model) deptID(id uint32) uint32 {
	if m.cfg.Department == nil {
		return 0
	}
	d := m.cfg.Department(m.addrs.str[id])
	if d == "" {
		return 0
	}
	di, _ := m.depts.id(d)
	return di + 1
}

// learnSent records that fromID sent to rcpts, of whom the visible ones
// (To and Cc) were on the message together.
func (m *Model) learnSent(fromID uint32, rcpts, visible []uint32, h uint32) {
	p := m.person(fromID)
	p.sent.add(h, m.hlHours)
	p.hours[h%24]++
	day := h / 24
	if p.days[day] < 1<<16-1 {
		p.days[day]++
	}
	first := false
	for _, r := range rcpts {
		c, had := p.contacts[r]
		if !had || c.sent.at == 0 {
			first = true
		}
		if !had || (c.sent.at == 0 && c.recv.at == 0) {
			m.knownBy(p, r)
		}
		c.sent.add(h, m.hlHours)
		c.touch(h)
		p.contacts[r] = c
		m.addrLast[r] = max(m.addrLast[r], h)

		d := m.addrDom[r]
		dc, had := p.domains[d]
		if !had || dc.sent.at == 0 {
			m.orgDom[d]++
			m.popular = nil
			if p.dept != 0 {
				m.deptDom[uint64(p.dept)<<32|uint64(d)]++
			}
		}
		dc.sent.add(h, m.hlHours)
		dc.touch(h)
		p.domains[d] = dc
	}
	if first {
		p.firsts.add(h, m.hlHours)
	}
	addPairs(&p.pairs, visible)
}

// learnReceived records, for insider rcpt, that from wrote to them together
// with the other visible recipients: those are people rcpt may reply to
// all at once.
func (m *Model) learnReceived(rcpt, from uint32, all []uint32, h uint32) {
	p := m.person(rcpt)
	c, had := p.contacts[from]
	if !had || (c.sent.at == 0 && c.recv.at == 0) {
		m.knownBy(p, from)
	}
	c.recv.add(h, m.hlHours)
	c.touch(h)
	p.contacts[from] = c
	m.addrLast[from] = max(m.addrLast[from], h)
	d := m.addrDom[from]
	dc := p.domains[d]
	dc.recv.add(h, m.hlHours)
	dc.touch(h)
	p.domains[d] = dc

	group := make([]uint32, 0, maxPairRecipients)
	group = append(group, from)
	for _, r := range all {
		if r != rcpt && len(group) < maxPairRecipients {
			group = append(group, r)
		}
	}
	if len(all) <= maxReceivedGroup {
		addPairs(&p.pairs, group)
		return
	}
	// Of a broadcast, only its sender with each of the others: whom one
	// may reply to all at once without the pairs among everyone copied,
	// which, kept for every insider it reached, would be most of the model
	// (5.6 million pairs for half of Enron's mail).
	for _, r := range group[1:] {
		p.pairs.inc(pairKey(from, r))
	}
}

// knownBy counts that insider p exchanged mail with addr for the first
// time: someone who wrote to the organisation is no stranger to it,
// whether or not anyone wrote back.
func (m *Model) knownBy(p *person, addr uint32) {
	m.orgAddr[addr]++
	if p.dept != 0 {
		m.deptKn[uint64(p.dept)<<32|uint64(addr)]++
	}
}

// addPairs counts every unordered pair among the first maxPairRecipients ids.
func addPairs(pairs *pairCounts, ids []uint32) {
	if len(ids) > maxPairRecipients {
		ids = ids[:maxPairRecipients]
	}
	for i := 0; i < len(ids); i++ {
		for j := i + 1; j < len(ids); j++ {
			pairs.inc(pairKey(ids[i], ids[j]))
		}
	}
}

func pairKey(a, b uint32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(b)
}

func (m *Model) addName(id uint32, name string) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 || strings.EqualFold(name, m.addrs.str[id]) {
		return
	}
	nid, _ := m.names.id(name)
	l := m.addrNm[id]
	for i := range l {
		if l[i].name == nid {
			l[i].n++
			return
		}
	}
	if len(l) >= maxNamesPerAddr {
		// Replace the rarest so a renamed contact is eventually known by
		// the new name, without an unbounded list for a shared mailbox.
		min := 0
		for i := range l {
			if l[i].n < l[min].n {
				min = i
			}
		}
		l[min] = nameCount{nid, 1}
		return
	}
	m.addrNm[id] = append(l, nameCount{nid, 1})
}
