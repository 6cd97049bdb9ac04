package model

import (
	"slices"
	"time"

	"github.com/misend/misend/internal/mail"
)

// Observation is what the model learns from one message: who wrote to whom
// and when, in which conversation, and which outside companies its opening
// named. It holds no subject and no text. Observe makes one; serve
// replicas sharing a database pass them to each other (package journal),
// so each learns the mail the others let through.
type Observation struct {
	// Key is the message's de-duplication key (MessageKey).
	Key        uint64         `json:"key"`
	Date       time.Time      `json:"date,omitzero"`
	From       mail.Address   `json:"from"`
	To         []mail.Address `json:"to,omitempty"`
	Cc         []mail.Address `json:"cc,omitempty"`
	Bcc        []mail.Address `json:"bcc,omitempty"`
	MessageID  string         `json:"message_id,omitempty"`
	InReplyTo  string         `json:"in_reply_to,omitempty"`
	References []string       `json:"references,omitempty"`
	// Topic is a hash of the base subject (TopicKeyed under the model's
	// key, else TopicKey): it threads mail that carries no References, as
	// Enron's and many gateways' does. A model under another key does not
	// find it.
	Topic uint64 `json:"topic,omitempty"`
	// Companies are the names the opening addressed (Config.Addressed),
	// set only for mail from an insider to one outside domain.
	Companies []string `json:"companies,omitempty"`
	// AttachKinds are the kinds of its attachments (AttachmentKinds).
	AttachKinds uint16 `json:"attach_kinds,omitempty"`
	// Terms are the message's words as keyed hashes (Model.Terms).
	Terms TermList `json:"terms,omitempty"`

	rcpts []mail.Address // To, Cc and Bcc merged, when Observe had them
}

// Observe takes from msg what Learn learns. The greeting is parsed here,
// outside the model's lock: it is the caller's code.
func (m *Model) Observe(msg *mail.Message) Observation {
	o := Observation{Key: MessageKey(msg), Date: msg.Date, From: msg.From, To: msg.To, Cc: msg.Cc, Bcc: msg.Bcc,
		MessageID: msg.MessageID, InReplyTo: msg.InReplyTo, References: msg.References, rcpts: msg.Recipients(),
		Topic: m.topicKey(msg.Subject), AttachKinds: AttachmentKinds(msg.Attachments),
		Terms: m.Terms(msg.Subject, msg.Text)}
	if m.cfg.Addressed != nil && m.outsideDomain(msg.From.Addr, o.rcpts) != "" {
		o.Companies = m.cfg.Addressed(msg)
	}
	return o
}

// Learn adds one message to the model, sent or received. It returns false,
// changing nothing, when the message was learned before (same Message-ID, or
// the same sender, date, subject and recipients when it has none).
func (m *Model) Learn(msg *mail.Message) bool {
	if msg == nil {
		return false
	}
	o := m.Observe(msg)
	return m.LearnObservation(&o)
}

// LearnObservation is Learn for what Observe took from a message, here or
// in another process.
func (m *Model) LearnObservation(o *Observation) bool {
	m.mu.Lock()
	learned := m.learn(o)
	due := learned && m.communitiesDue()
	m.mu.Unlock()
	if due {
		m.FindCommunities()
	}
	return learned
}

// learn (m.mu held) is LearnObservation.
func (m *Model) learn(o *Observation) bool {
	rcpts := o.rcpts
	if rcpts == nil {
		rcpts = mail.Recipients(o.To, o.Cc, o.Bcc) // from another process
	}
	if _, ok := m.seen[o.Key]; ok {
		m.dups++
		return false
	}
	m.seen[o.Key] = struct{}{}
	m.learned++
	m.gen++

	h := m.latest
	if !o.Date.IsZero() {
		h = hourOf(o.Date)
	} else if h == 0 {
		h = hourOf(time.Now())
	}
	if h > m.latest {
		m.latest = h
	}
	from := o.From.Addr
	if from == "" {
		return true
	}
	fromID := m.addr(from)
	m.addName(fromID, o.From.Name)

	ids := make([]uint32, 0, len(rcpts))
	for _, r := range rcpts {
		if r.Addr == from {
			continue
		}
		id := m.addr(r.Addr)
		m.addName(id, r.Name)
		ids = append(ids, id)
	}
	// Bcc recipients are sent to but not together with anyone: a
	// customer announcement Bcc'd to every client does not make two
	// clients people one mails together.
	visible := ids
	if len(o.Bcc) > 0 {
		visible = make([]uint32, 0, len(ids))
		for _, r := range rcpts {
			shown := func(a mail.Address) bool { return a.Addr == r.Addr }
			if r.Addr != from && (slices.ContainsFunc(o.To, shown) || slices.ContainsFunc(o.Cc, shown)) {
				visible = append(visible, m.addr(r.Addr))
			}
		}
	}

	if m.internalDomain(domainOf(from)) {
		m.learnSent(fromID, ids, visible, h)
		m.learnAttachments(m.person(fromID), ids, o.AttachKinds)
		m.learnCompanies(o.Companies, m.outsideDomain(from, rcpts))
	}
	for _, id := range ids {
		if m.internalDomain(m.domains.str[m.addrDom[id]]) {
			m.learnReceived(id, fromID, visible, h)
		}
	}
	m.threads.add(o, fromID, ids, h)
	m.learnTerms(o.Terms, fromID, ids)
	if m.learned%sweepEvery == 0 {
		m.threads.sweep(m.latest, uint32(m.cfg.ThreadDays*24))
	}
	return true
}
