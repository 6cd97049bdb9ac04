package queue

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
)

// magic starts an encrypted body file: "MSQE" and a format version. A body
// without it was written in the clear (before a key was configured) and is
// read as is.
var magic = []byte("MSQE\x01")

// ErrNoKey means an encrypted body was found but the queue has no key.
var ErrNoKey = errors.New("queue: body is encrypted and no key is configured")

// sealer encrypts bodies and metadata with AES-256-GCM. The file's role and
// message id are the additional data, so a file moved to another id or
// swapped between body and metadata does not decrypt.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("queue: encryption key has %d bytes, need 32 (AES-256)", len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("queue: encryption key: %w", err)
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		return nil, fmt.Errorf("queue: encryption key: %w", err)
	}
	return &sealer{aead: a}, nil
}

// seal returns what is written to disk for raw; ad names the file
// ("msg:"+id or "meta:"+id).
func (q *Queue) seal(ad string, raw []byte) ([]byte, error) {
	if q.crypt == nil {
		return raw, nil
	}
	ns := q.crypt.aead.NonceSize()
	out := make([]byte, len(magic)+ns, len(magic)+ns+len(raw)+q.crypt.aead.Overhead())
	copy(out, magic)
	nonce := out[len(magic):]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("queue: nonce: %w", err)
	}
	return q.crypt.aead.Seal(out, nonce, raw, []byte(ad)), nil
}

// open reverses seal.
func (q *Queue) open(ad string, b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, magic) {
		return b, nil
	}
	if q.crypt == nil {
		return nil, ErrNoKey
	}
	ns := q.crypt.aead.NonceSize()
	if len(b) < len(magic)+ns {
		return nil, fmt.Errorf("queue: %s is truncated", ad)
	}
	nonce, ct := b[len(magic):len(magic)+ns], b[len(magic)+ns:]
	raw, err := q.crypt.aead.Open(nil, nonce, ct, []byte(ad))
	if err != nil {
		return nil, fmt.Errorf("queue: decrypt %s: %w", ad, err)
	}
	return raw, nil
}

// LoadKey reads a 32-byte spool encryption key from path. The file holds
// the raw bytes or 64 hex digits; it must not be readable by others.
func LoadKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("queue: key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("queue: key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("queue: key: %w", err)
	}
	if t := bytes.TrimSpace(b); len(t) == 64 {
		if k, err := hex.DecodeString(string(t)); err == nil {
			return k, nil
		}
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("queue: key %s has %d bytes, need 32 raw bytes or 64 hex digits", path, len(b))
	}
	return b, nil
}
