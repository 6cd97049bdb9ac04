package model

import (
	"bytes"
	"os"
	"slices"
	"testing"
)

// FuzzDecode feeds Decode damaged snapshots: a database row can be cut
// short or overwritten, and loading must then fail with an error, not
// panic or build a model with dangling ids.
func FuzzDecode(f *testing.F) {
	m := New(Config{OrgDomains: []string{"corp.example"}})
	m.Learn(msg("1", t0, "a@corp.example", "b@y.example", "c@corp.example"))
	r := msg("2", t0, "c@corp.example", "a@corp.example")
	r.InReplyTo = "1"
	m.Learn(r)
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	// A model with term sketches and word counts (content.go).
	var words bytes.Buffer
	if err := topicModel().Encode(&words); err != nil {
		f.Fatal(err)
	}
	f.Add(words.Bytes())
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"))
	// The format before streaming, as older databases hold it.
	if v1, err := os.ReadFile("testdata/snapshot-v1.gz"); err == nil {
		f.Add(v1)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Decode(bytes.NewReader(b), Config{})
		if err != nil {
			return
		}
		// Whatever decoded must answer queries without panicking.
		l.Contacts("a@corp.example", t0)
		l.Thread("1", nil)
		l.Names("b@y.example")
		l.Habits("a@corp.example", t0)
		if q, ok := l.Topic(l.Terms("", "pipeline capacity nominations compressor")); ok {
			l.TopicFit(&q, "gas@pipeline.example")
		}
		l.Learn(msg("3", t0, "a@corp.example", "b@y.example"))
	})
}

// FuzzTerms reads any text for words: whatever the octets, the terms are
// distinct, no more than the text has words, and the same every time.
func FuzzTerms(f *testing.F) {
	f.Add("Re: 見積書", "Quarterly revenue, forecast; 請求書\r\n\xff\xfe")
	f.Add("", "")
	m := New(Config{TopicKey: []byte("k")})
	f.Fuzz(func(t *testing.T, subject, text string) {
		a := m.Terms(subject, text)
		if !slices.Equal(a, m.Terms(subject, text)) {
			t.Fatal("two readings gave different terms")
		}
		if len(a) > len(subject)+len(text) {
			t.Fatalf("%d terms of %d octets", len(a), len(subject)+len(text))
		}
		seen := map[uint32]bool{}
		for _, x := range a {
			if seen[x] {
				t.Fatalf("term %d twice", x)
			}
			seen[x] = true
		}
	})
}
