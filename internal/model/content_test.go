package model

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
)

func TestSketchKeepsFrequentTerms(t *testing.T) {
	var s sketch
	for i := range 10 * sketchSize {
		s.add(1)                // a frequent term
		s.add(uint32(1000 + i)) // and a stream of one-off ones
	}
	if !s.has(1) {
		t.Error("the frequent term was evicted")
	}
	if int(s.n) != sketchSize {
		t.Errorf("sketch holds %d terms, want %d", s.n, sketchSize)
	}
}

// topicModel is an organisation whose insider mails one partner about gas
// pipelines and another about a wedding, among mail on many other things.
func topicModel() *Model {
	m := New(Config{OrgDomains: []string{"corp.example"}})
	at := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	learn := func(i int, to, text string) {
		m.Learn(&mail.Message{MessageID: fmt.Sprintf("<%d@corp.example>", i), Date: at.Add(time.Duration(i) * time.Hour),
			From: mail.Address{Addr: "me@corp.example"}, To: []mail.Address{{Addr: to}}, Text: text})
	}
	for i := range 1200 {
		learn(i, fmt.Sprintf("someone%d@other.example", i%50), fmt.Sprintf("notes on matter%d and case%d", i, i%97))
		switch i % 40 {
		case 0:
			learn(10000+i, "gas@pipeline.example", "pipeline capacity nominations compressor")
		case 20:
			learn(10000+i, "bride@wedding.example", "wedding cake flowers invitations")
		}
	}
	return m
}

func TestTopicFit(t *testing.T) {
	m := topicModel()
	q, ok := m.Topic(m.Terms("Re: capacity", "the compressor and pipeline nominations for May"))
	if !ok {
		t.Fatal("a message in known words has no topic")
	}
	gas, wedding := m.TopicFit(&q, "gas@pipeline.example"), m.TopicFit(&q, "bride@wedding.example")
	if gas < 0.5 || wedding != 0 {
		t.Errorf("pipeline message fits the pipeline partner %.2f and the wedding %.2f", gas, wedding)
	}
	if f := m.TopicFit(&q, "nobody@never.example"); f != 0 {
		t.Errorf("an address never seen fits %.2f", f)
	}
	if _, ok := m.Topic(m.Terms("hello", "thanks")); ok {
		t.Error("a message of words never seen has a topic")
	}
	if _, ok := New(Config{}).Topic(m.Terms("", "pipeline capacity nominations compressor")); ok {
		t.Error("an empty model found a topic")
	}
}

// TestTopicalFullCounter: past 1.3 million messages a twentieth of them is
// more than a counter holds; a word in every message must still not count
// as telling what one is about.
func TestTopicalFullCounter(t *testing.T) {
	m := New(Config{})
	common, rare := uint32(7), uint32(11)
	dfs := m.docFreqs()
	for _, x := range []uint32{common, rare} {
		a, b := dfSlots(x)
		dfs[a], dfs[b] = 65535, 65535
	}
	a, b := dfSlots(rare)
	dfs[a], dfs[b] = 40, 40
	m.docs = 2_000_000
	if got := m.topical([]uint32{common, rare}, 10, 1); !slices.Equal(got, []uint32{rare}) {
		t.Errorf("topical = %v, want only the rare term %d", got, rare)
	}
}
