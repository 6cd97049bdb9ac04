package setup

import (
	"errors"
	"fmt"
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
