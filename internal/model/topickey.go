package model

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io"
	"strings"
)

// TopicKeySize is the size of a topic key in bytes.
const TopicKeySize = 32

// TopicKeyed is TopicKey keyed with key: the first 64 bits of
// HMAC-SHA256 of the base subject. Without key, nobody can tell which
// subject a stored hash is of, even by hashing guesses. 0 for subjects too
// short to name a conversation, as for TopicKey.
func TopicKeyed(key []byte, subject string) uint64 {
	return topicKeyedWith(newTopicMAC(key), subject)
}

func newTopicMAC(key []byte) hash.Hash { return hmac.New(sha256.New, key) }

// topicKeyedWith is TopicKeyed with mac, an HMAC-SHA256 under the key
// (newTopicMAC), in any state: keying one takes three times as long as
// hashing a subject, so a model keeps them (Model.topicMACs).
func topicKeyedWith(mac hash.Hash, subject string) uint64 {
	base, ok := topicBase(subject)
	if !ok {
		return 0
	}
	mac.Reset()
	mac.Write([]byte("topic:"))
	io.WriteString(mac, base)
	var sum [sha256.Size]byte
	k := binary.BigEndian.Uint64(mac.Sum(sum[:0]))
	if k == 0 {
		return 1 // 0 means "no topic"
	}
	return k
}

// TopicKeyPath names the topic key for the database dsn: configured if
// given, else on SQLite a file beside the database, which only processes
// on its host can open and so all find. On PostgreSQL there is no default:
// replicas on several hosts would each make a key of their own and not
// find each other's threads, so the path is "" (subjects are hashed
// unkeyed), and a key given there must exist already: create tells whether
// misend may make it.
func TopicKeyPath(dsn, configured string) (path string, create bool) {
	shared := strings.Contains(dsn, "://")
	if configured != "" {
		return configured, !shared
	}
	db := strings.TrimPrefix(dsn, "file:")
	db, _, _ = strings.Cut(db, "?")
	if shared || db == "" || db == ":memory:" {
		return "", false // nothing beside it outlives the process
	}
	return db + ".topic.key", true
}
