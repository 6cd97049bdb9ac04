package model

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
)

// TestTopicKeyed: a subject hashes the same under one key, differently
// under another and unkeyed, so a database leaked without its key gives
// nothing a guessed subject can be compared with.
func TestTopicKeyed(t *testing.T) {
	k1 := bytes.Repeat([]byte{1}, TopicKeySize)
	k2 := bytes.Repeat([]byte{2}, TopicKeySize)
	tests := []struct {
		name      string
		a, b      func() uint64
		wantEqual bool
	}{
		{"same key, same subject", func() uint64 { return TopicKeyed(k1, "Project Orion merger") },
			func() uint64 { return TopicKeyed(k1, "Project Orion merger") }, true},
		{"same key, reply to it", func() uint64 { return TopicKeyed(k1, "Project Orion merger") },
			func() uint64 { return TopicKeyed(k1, "RE: Project Orion merger") }, true},
		{"another key", func() uint64 { return TopicKeyed(k1, "Project Orion merger") },
			func() uint64 { return TopicKeyed(k2, "Project Orion merger") }, false},
		{"unkeyed", func() uint64 { return TopicKeyed(k1, "Project Orion merger") },
			func() uint64 { return TopicKey("Project Orion merger") }, false},
		{"another subject", func() uint64 { return TopicKeyed(k1, "Project Orion merger") },
			func() uint64 { return TopicKeyed(k1, "Project Lyra merger") }, false},
	}
	for _, tt := range tests {
		a, b := tt.a(), tt.b()
		if a == 0 || b == 0 {
			t.Errorf("%s: a zero key (%x, %x) threads nothing", tt.name, a, b)
		}
		if (a == b) != tt.wantEqual {
			t.Errorf("%s: %x and %x, want equal %v", tt.name, a, b, tt.wantEqual)
		}
	}
	if k := TopicKeyed(k1, "Re: ok"); k != 0 {
		t.Errorf("a two-letter subject names no conversation, got %x", k)
	}
}

// TestKeyedModelsAgree: an observation made by one model finds its thread
// in another under the same key (serve replicas sharing a journal), and
// not under another key: the key, not the subject, decides.
func TestKeyedModelsAgree(t *testing.T) {
	k1 := bytes.Repeat([]byte{1}, TopicKeySize)
	k2 := bytes.Repeat([]byte{2}, TopicKeySize)
	at := time.Date(2001, 5, 1, 9, 0, 0, 0, time.UTC)
	first := &mail.Message{MessageID: "1@x", Date: at, From: mail.Address{Addr: "a@corp.example"},
		To: []mail.Address{{Addr: "b@partner.example"}}, Subject: "Project Orion merger"}
	reply := &mail.Message{Subject: "Re: Project Orion merger"}
	tests := []struct {
		name     string
		observer []byte
		learner  []byte
		want     bool
	}{
		{"same key", k1, k1, true},
		{"another key", k1, k2, false},
		{"keyed observer, unkeyed learner", k1, nil, false},
		{"both unkeyed", nil, nil, true},
	}
	for _, tt := range tests {
		obs := New(Config{OrgDomains: []string{"corp.example"}, TopicKey: tt.observer}).Observe(first)
		learner := New(Config{OrgDomains: []string{"corp.example"}, TopicKey: tt.learner})
		learner.LearnObservation(&obs)
		if _, ok := learner.Conversation("a@corp.example", reply); ok != tt.want {
			t.Errorf("%s: conversation found %v, want %v", tt.name, ok, tt.want)
		}
	}
}

// BenchmarkTopicKeyed measures what keying adds to every message learned
// or checked, beside the unkeyed hash.
func BenchmarkTopicKeyed(b *testing.B) {
	key := bytes.Repeat([]byte{1}, TopicKeySize)
	const subject = "RE: FW: Project Orion merger: draft term sheet for review"
	b.Run("keyed", func(b *testing.B) {
		for b.Loop() {
			TopicKeyed(key, subject)
		}
	})
	b.Run("unkeyed", func(b *testing.B) {
		for b.Loop() {
			TopicKey(subject)
		}
	})
}

// TestUnkeyedSnapshotUnderAKey: a snapshot saved before subjects were
// keyed loads under a key as it did; its Message-ID threads and
// de-duplication keys still work, and only the threads it knew by their
// subject are not found, to be learned again.
func TestUnkeyedSnapshotUnderAKey(t *testing.T) {
	at := time.Date(2001, 5, 1, 9, 0, 0, 0, time.UTC)
	first := &mail.Message{MessageID: "1@x", Date: at, From: mail.Address{Addr: "a@corp.example"},
		To: []mail.Address{{Addr: "b@partner.example"}}, Subject: "Gas contract for May"}
	old := New(Config{OrgDomains: []string{"corp.example"}})
	old.Learn(first)
	var buf bytes.Buffer
	if err := old.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	m, err := Decode(&buf, Config{OrgDomains: []string{"corp.example"}, TopicKey: bytes.Repeat([]byte{3}, TopicKeySize)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		msg  *mail.Message
		want bool
	}{
		{"reply by In-Reply-To", &mail.Message{Subject: "Re: Gas contract for May", InReplyTo: "1@x"}, true},
		{"reply by subject alone", &mail.Message{Subject: "Re: Gas contract for May"}, false},
	}
	for _, tt := range tests {
		if _, ok := m.Conversation("a@corp.example", tt.msg); ok != tt.want {
			t.Errorf("%s: found %v, want %v", tt.name, ok, tt.want)
		}
	}
	if m.Learn(first) {
		t.Error("the message learned before the key was learned again")
	}
}

// The key's place follows the database, the same for every command and
// for config check.
func TestTopicKeyPath(t *testing.T) {
	tests := []struct {
		dsn, configured, want string
		create                bool
	}{
		{"/var/lib/misend/misend.db", "", "/var/lib/misend/misend.db.topic.key", true},
		{"file:/var/lib/misend/misend.db?_pragma=busy_timeout(5000)", "", "/var/lib/misend/misend.db.topic.key", true},
		{":memory:", "", "", false},
		{"postgres://misend@db/misend", "", "", false},
		{"postgres://misend@db/misend", "/etc/misend/topic.key", "/etc/misend/topic.key", false},
		{"/srv/m.db", "/etc/misend/topic.key", "/etc/misend/topic.key", true},
	}
	for _, tt := range tests {
		path, create := TopicKeyPath(tt.dsn, tt.configured)
		if path != tt.want || create != tt.create {
			t.Errorf("TopicKeyPath(%q, %q) = %q, %v; want %q, %v", tt.dsn, tt.configured, path, create, tt.want, tt.create)
		}
	}
}

// TestModelTopicKeyReusesMAC: the model's hashes, made with HMACs it
// keeps between subjects, are those of HMAC-SHA256 keyed afresh.
func TestModelTopicKeyReusesMAC(t *testing.T) {
	key := bytes.Repeat([]byte{7}, TopicKeySize)
	m := New(Config{TopicKey: key})
	for _, subject := range []string{"Project Orion merger", "Re: Project Orion merger", "Gas desk schedule", "Re: ok", "Project Lyra"} {
		want := uint64(0)
		if base, ok := topicBase(subject); ok {
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte("topic:" + base))
			want = binary.BigEndian.Uint64(mac.Sum(nil))
		}
		for range 3 {
			if got := m.topicKey(subject); got != want || TopicKeyed(key, subject) != want {
				t.Errorf("%q: model %x, TopicKeyed %x, want %x", subject, got, TopicKeyed(key, subject), want)
			}
		}
	}
}
