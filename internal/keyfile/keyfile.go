// Package keyfile reads and makes the secret files misend keeps on disk:
// the spool key, the topic key, the link-signing key, the confirmation
// stamp key, and the password and token files an administrator writes. A
// file others may read is refused, not used: whoever can read a key can
// read held mail, forge links or stamps, or test subject hashes against
// guesses. A key misend makes is 32 random octets, mode 0600, written
// whole or not at all, and of two processes making one at once, both end
// up with the same.
//
// It does not say what a key is for, choose where it lives, or derive
// anything from it; each caller names its format (Exact32 or AtLeast32)
// so files written by earlier versions read as they did.
package keyfile

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Size is the length in octets of the keys misend makes.
const Size = 32

// ErrReadable is returned for a file group or others may read.
var ErrReadable = errors.New("readable by others")

// Read returns the content of the secret file at path, refusing one that
// group or others may read or write.
func Read(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is %w (mode %v); chmod 600 it", path, ErrReadable, fi.Mode().Perm())
	}
	return os.ReadFile(path)
}

// Format is how a key file's content becomes the key.
type Format int

const (
	// Exact32 is 32 raw octets, or 64 hex digits (as `openssl rand -hex
	// 32` writes, white space around them allowed): the spool and topic
	// keys.
	Exact32 Format = iota
	// AtLeast32 is 32 or more octets, used as they are: the link and
	// stamp keys, which key an HMAC and were always read this way.
	AtLeast32
)

func (f Format) decode(path string, b []byte) ([]byte, error) {
	if f == AtLeast32 {
		if len(b) < Size {
			return nil, fmt.Errorf("%s has %d octets, need at least %d", path, len(b), Size)
		}
		return b, nil
	}
	if t := bytes.TrimSpace(b); len(t) == 2*Size {
		if k, err := hex.DecodeString(string(t)); err == nil {
			return k, nil
		}
	}
	if len(b) != Size {
		return nil, fmt.Errorf("%s has %d octets, need %d raw octets or %d hex digits", path, len(b), Size, 2*Size)
	}
	return b, nil
}

// Load reads the key at path in format f. When the file does not exist
// and create is set, it makes one (32 random raw octets); without create
// the error wraps fs.ErrNotExist.
func Load(path string, f Format, create bool) ([]byte, error) {
	b, err := Read(path)
	if err == nil {
		return f.decode(path, b)
	}
	if !create || !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, Size)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make %s: %w", path, err)
	}
	made, err := write(path, key)
	if err != nil {
		return nil, err
	}
	if !made {
		// Another process made it first: its key is the one.
		return Load(path, f, false)
	}
	return key, nil
}

// New makes a key at path as 64 hex digits and a newline, which an
// administrator can copy to a replica or a backup as text, unless a file
// is there already: an existing key encrypts mail or hashes and must
// never be replaced. It makes the directory if needed and reports
// whether it made the key.
func New(path string) (bool, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("key %s: %w", path, err)
	}
	var k [Size]byte
	if _, err := rand.Read(k[:]); err != nil {
		return false, fmt.Errorf("key %s: %w", path, err)
	}
	return write(path, []byte(hex.EncodeToString(k[:])+"\n"))
}

// write puts b at path with mode 0600 unless a file is there; it reports
// whether it did. The key is written beside path and linked into place:
// nobody reads half a key, and of two processes, the second finds the
// first's (a rename would replace it).
func write(path string, b []byte) (bool, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}
