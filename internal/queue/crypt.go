package queue

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
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
