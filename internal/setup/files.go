package setup

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned when a file to write is there already and
// overwriting was not asked for.
var ErrExists = errors.New("exists")

// WriteConfig writes b to path with mode 0640 (it names key files but
// holds no secret), refusing to replace an existing file unless force.
func WriteConfig(path string, b []byte, force bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w (give --force to replace it)", path, ErrExists)
		}
	}
	// Write beside it and rename, so a crash never leaves half a
	// configuration in place of a whole one.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".misend-init-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o640); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// NewKeyFile creates a random 32-byte key at path, as 64 hex digits with
// mode 0600, unless a file is there already: an existing key encrypts
// mail in the spool and must never be replaced. It reports whether it
// made one.
func NewKeyFile(path string) (bool, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("key %s: %w", path, err)
	}
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		return false, fmt.Errorf("key %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("key %s: %w", path, err)
	}
	if _, err := fmt.Fprintln(f, hex.EncodeToString(k[:])); err != nil {
		f.Close()
		return false, fmt.Errorf("key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("key %s: %w", path, err)
	}
	return true, nil
}
