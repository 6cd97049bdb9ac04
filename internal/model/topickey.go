package model

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TopicKeySize is the size of a topic key in bytes.
const TopicKeySize = 32

// TopicKeyed is TopicKey keyed with key: the first 64 bits of
// HMAC-SHA256 of the base subject. Without key, nobody can tell which
// subject a stored hash is of, even by hashing guesses. 0 for subjects too
// short to name a conversation, as for TopicKey.
func TopicKeyed(key []byte, subject string) uint64 {
	base, ok := topicBase(subject)
	if !ok {
		return 0
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("topic:"))
	mac.Write([]byte(base))
	k := binary.BigEndian.Uint64(mac.Sum(nil))
	if k == 0 {
		return 1 // 0 means "no topic"
	}
	return k
}

// LoadTopicKey reads the topic key at path: 32 raw bytes, or 64 hex digits
// (as `openssl rand -hex 32` writes). When the file does not exist and
// create is set it makes one (32 random bytes, mode 0600); two processes
// starting at once agree on one. A key others may read is refused: with
// it, the subject hashes in the database can be tested against guesses.
func LoadTopicKey(path string, create bool) ([]byte, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil:
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("topic key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("topic key: %w", err)
		}
		if t := bytes.TrimSpace(b); len(t) == 2*TopicKeySize {
			if k, err := hex.DecodeString(string(t)); err == nil {
				return k, nil
			}
		}
		if len(b) != TopicKeySize {
			return nil, fmt.Errorf("topic key %s has %d bytes, need %d raw bytes or %d hex digits", path, len(b), TopicKeySize, 2*TopicKeySize)
		}
		return b, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("topic key: %w", err)
	case !create:
		// Only on a shared database, where a key made here would not
		// be the other hosts'.
		return nil, fmt.Errorf("topic key %s: %w; make it once and give every replica a copy", path, fs.ErrNotExist)
	}
	key := make([]byte, TopicKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("topic key: make: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".topickey-*")
	if err != nil {
		return nil, fmt.Errorf("topic key: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(key)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("topic key: write %s: %w", path, err)
	}
	// Link, not rename: of two processes starting at once, the second
	// finds the first's key and uses it.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadTopicKey(path, false)
		}
		return nil, fmt.Errorf("topic key: write %s: %w", path, err)
	}
	return key, nil
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
