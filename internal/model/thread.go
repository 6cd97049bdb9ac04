package model

import (
	"hash"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/mail"
)

// MessageKey is the de-duplication key of msg: a hash of its Message-ID, or
// when it has none, of its sender, date, subject and recipients.
func MessageKey(msg *mail.Message) uint64 {
	h := fnv.New64a()
	if id := strings.TrimSpace(msg.MessageID); id != "" {
		h.Write([]byte("id:"))
		h.Write([]byte(id))
		return h.Sum64()
	}
	h.Write([]byte("nm:"))
	h.Write([]byte(msg.From.Addr))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(msg.Date.Unix(), 10)))
	h.Write([]byte{0})
	h.Write([]byte(msg.Subject))
	rs := msg.Recipients()
	addrs := make([]string, len(rs))
	for i, r := range rs {
		addrs[i] = r.Addr
	}
	slices.Sort(addrs)
	for _, a := range addrs {
		h.Write([]byte{0})
		h.Write([]byte(a))
	}
	return h.Sum64()
}

// TopicKey is the thread-index key of the conversation a subject names:
// a hash of its base subject, in a key space of its own beside the
// Message-ID hashes. 0 for subjects too short to name a conversation.
// It is unkeyed: anyone can compute it for a guessed subject, so what a
// model saves uses TopicKeyed instead when Config.TopicKey is set.
func TopicKey(subject string) uint64 {
	base, ok := topicBase(subject)
	if !ok {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte("topic:"))
	h.Write([]byte(base))
	return h.Sum64()
}

// topicBase is the base subject that names a conversation, and whether
// it is long enough to.
func topicBase(subject string) (string, bool) {
	base, _ := mail.BaseSubject(subject)
	return base, len([]rune(base)) >= 3
}

// topicKey is TopicKeyed under the model's key, else TopicKey.
func (m *Model) topicKey(subject string) uint64 {
	if len(m.cfg.TopicKey) == 0 {
		return TopicKey(subject)
	}
	mac := m.topicMACs.Get().(hash.Hash)
	defer m.topicMACs.Put(mac)
	return topicKeyedWith(mac, subject)
}

// idHash keys Message-IDs in the thread index. Unkeyed, unlike subjects:
// a Message-ID is a random token that names no topic, so testing guesses
// against it reveals nothing, and keying it would make the threads of an
// older snapshot unreachable for no gain. MessageKey, the de-duplication
// key, stays unkeyed for a stronger reason: keyed, a history imported
// again after the key changed would be learned twice.
func idHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte("id:"))
	h.Write([]byte(strings.TrimSpace(id)))
	return h.Sum64()
}

// thread is the set of people who took part in one conversation.
type thread struct {
	people []uint32
	last   uint32 // hour of the newest message
}

// threadIndex maps Message-ID hashes to their thread, so a reply finds who
// was in the conversation it answers. Threads not touched for ThreadDays are
// forgotten by sweep, which bounds its memory.
type threadIndex struct {
	byMsg map[uint64]*thread
}

func newThreadIndex() threadIndex { return threadIndex{byMsg: map[uint64]*thread{}} }

func (ti *threadIndex) parent(inReplyTo string, refs []string) *thread {
	if inReplyTo != "" {
		if t := ti.byMsg[idHash(inReplyTo)]; t != nil {
			return t
		}
	}
	for i := len(refs) - 1; i >= 0; i-- {
		if t := ti.byMsg[idHash(refs[i])]; t != nil {
			return t
		}
	}
	return nil
}

func (ti *threadIndex) add(o *Observation, from uint32, rcpts []uint32, h uint32) {
	if o.MessageID == "" && o.InReplyTo == "" && len(o.References) == 0 && o.Topic == 0 {
		return
	}
	t := ti.parent(o.InReplyTo, o.References)
	if t == nil && o.Topic != 0 {
		// No header links it to a message we know: the conversation is
		// the latest one its subject names, if someone on this message
		// took part in it. A common subject ("議事録の共有", "Meeting")
		// names many conversations of people who never met: joined, they
		// would make one thread of half the organisation and its partners.
		if s := ti.byMsg[o.Topic]; s != nil && s.hasAny(from, rcpts) {
			t = s
		}
	}
	if t == nil {
		t = &thread{}
	}
	if o.Topic != 0 {
		ti.byMsg[o.Topic] = t
	}
	t.join(from)
	for _, r := range rcpts {
		t.join(r)
	}
	if h > t.last {
		t.last = h
	}
	if o.MessageID != "" {
		ti.byMsg[idHash(o.MessageID)] = t
	}
	// The parent may be missing from the history (not imported, or sent from
	// another system); remembering the references lets later replies in the
	// same conversation still find each other.
	if o.InReplyTo != "" {
		if _, ok := ti.byMsg[idHash(o.InReplyTo)]; !ok {
			ti.byMsg[idHash(o.InReplyTo)] = t
		}
	}
}

// hasAny reports whether from or one of rcpts took part in t.
func (t *thread) hasAny(from uint32, rcpts []uint32) bool {
	if slices.Contains(t.people, from) {
		return true
	}
	for _, r := range rcpts {
		if slices.Contains(t.people, r) {
			return true
		}
	}
	return false
}

func (t *thread) join(id uint32) {
	if len(t.people) >= maxThreadPeople || slices.Contains(t.people, id) {
		return
	}
	t.people = append(t.people, id)
}

// sweep forgets threads whose newest message is older than keep hours before now.
func (ti *threadIndex) sweep(now, keep uint32) {
	if now <= keep {
		return
	}
	cut := now - keep
	for k, t := range ti.byMsg {
		if t.last < cut {
			delete(ti.byMsg, k)
		}
	}
}
