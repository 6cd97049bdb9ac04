package notify

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreateKey reads the link-signing key at path, creating it (32
// random bytes, mode 0600) when it does not exist. Links outlive a process,
// so the key must survive restarts; anyone holding it can forge links, so
// it is refused when others may read it.
func LoadOrCreateKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil:
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("notify: key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
		}
		key, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("notify: read key: %w", err)
		}
		if len(key) < 32 {
			return nil, fmt.Errorf("notify: key %s has %d bytes, need at least 32", path, len(key))
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("notify: key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("notify: make key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".linkkey-*")
	if err != nil {
		return nil, fmt.Errorf("notify: write key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("notify: write key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("notify: write key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("notify: write key: %w", err)
	}
	// Link, not rename: two processes starting at once agree on one key.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateKey(path)
		}
		return nil, fmt.Errorf("notify: write key: %w", err)
	}
	return key, nil
}
