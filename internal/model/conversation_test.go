package model

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
)

// TestConversationBySubject: mail without References is threaded by its
// subject, for the people who took part in it only, whether subjects are
// hashed unkeyed or under an installation's key.
func TestConversationBySubject(t *testing.T) {
	for _, key := range [][]byte{nil, bytes.Repeat([]byte{7}, TopicKeySize)} {
		t.Run(fmt.Sprintf("key=%t", key != nil), func(t *testing.T) { conversationBySubject(t, key) })
	}
}

func conversationBySubject(t *testing.T, key []byte) {
	m := New(Config{OrgDomains: []string{"corp.example"}, TopicKey: key})
	at := time.Date(2001, 5, 1, 9, 0, 0, 0, time.UTC)
	a, b, c := mail.Address{Addr: "a@corp.example"}, mail.Address{Addr: "b@partner.example"}, mail.Address{Addr: "c@corp.example"}
	m.Learn(&mail.Message{MessageID: "1@x", Date: at, From: a, To: []mail.Address{b}, Subject: "Gas contract for May"})
	m.Learn(&mail.Message{MessageID: "2@x", Date: at.Add(time.Hour), From: b, To: []mail.Address{a, c}, Subject: "RE: Gas contract for May"})

	tests := []struct {
		name    string
		sender  string
		subject string
		irt     string
		want    bool
	}{
		{"reply by a participant", "a@corp.example", "Re: gas  contract for may", "", true},
		{"reply by someone copied in", "c@corp.example", "FW: Gas contract for May", "", true},
		{"same subject, not a reply", "a@corp.example", "Gas contract for May", "", false},
		{"someone else's conversation", "d@corp.example", "Re: Gas contract for May", "", false},
		{"another subject", "a@corp.example", "Re: Power contract", "", false},
		{"In-Reply-To names an unknown message", "a@corp.example", "Re: Gas contract for May", "9@x", false},
	}
	for _, tt := range tests {
		msg := &mail.Message{Subject: tt.subject, InReplyTo: tt.irt}
		people, ok := m.Conversation(tt.sender, msg)
		if ok != tt.want {
			t.Errorf("%s: found %v (%v), want %v", tt.name, ok, people, tt.want)
		}
		if ok && len(people) != 3 {
			t.Errorf("%s: people %v, want a, b and c", tt.name, people)
		}
	}
}

// TestSubjectJoinsOnlyItsPeople: a common subject names many conversations
// of people who never met; a message of one, with no header linking it,
// does not join another's, and a conversation of insiders found by its
// headers stays theirs.
func TestSubjectJoinsOnlyItsPeople(t *testing.T) {
	m := New(Config{OrgDomains: []string{"corp.example"}})
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	addr := func(s string) mail.Address { return mail.Address{Addr: s} }
	// Sales shares minutes with a partner; later, legal starts a
	// conversation of its own under the same subject, and answers it.
	m.Learn(&mail.Message{MessageID: "1@x", Date: at, From: addr("sales@corp.example"),
		To: []mail.Address{addr("p@partner.example")}, Subject: "議事録の共有"})
	m.Learn(&mail.Message{MessageID: "2@x", Date: at.Add(time.Hour), From: addr("legal1@corp.example"),
		To: []mail.Address{addr("legal2@corp.example")}, Subject: "議事録の共有"})
	people, ok := m.Thread("2@x", nil)
	if !ok || len(people) != 2 {
		t.Fatalf("legal's conversation holds %v, want its two people", people)
	}
	// A reply by subject, without headers, joins the conversation its
	// people had under that subject.
	m.Learn(&mail.Message{MessageID: "3@x", Date: at.Add(2 * time.Hour), From: addr("legal2@corp.example"),
		To: []mail.Address{addr("legal1@corp.example")}, Subject: "Re: 議事録の共有"})
	if people, _ := m.Thread("3@x", nil); len(people) != 2 {
		t.Errorf("legal's reply by subject joined %v, want legal's two people", people)
	}
}
