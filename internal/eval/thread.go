package eval

import (
	"encoding/binary"
	"hash/fnv"
	"slices"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
)

// threadKey names the conversation m belongs to by its base subject and its
// people (sender and recipients, in any order), which the messages of one
// exchange share even in mail without References (Enron's has none).
// Fitting leaves out fit-window messages of a conversation that goes on in
// the test period, so no conversation is seen on both sides. The people
// keep two unrelated exchanges that happen to share a common subject
// ("Re: meeting") apart. 0 means no subject to tell.
func threadKey(m *mail.Message) uint64 {
	topic := model.TopicKey(m.Subject)
	if topic == 0 {
		return 0
	}
	people := []string{m.From.Addr}
	for _, r := range m.Recipients() {
		people = append(people, r.Addr)
	}
	slices.Sort(people)
	people = slices.Compact(people)
	h := fnv.New64a()
	h.Write(binary.BigEndian.AppendUint64(nil, topic))
	for _, p := range people {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return h.Sum64() | 1
}
