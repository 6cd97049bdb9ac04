//go:build unix

package setup

import (
	"fmt"
	"os"
	"syscall"
)

// GiveTo makes the files at paths belong to the owner of dir, when run as
// root: `misend init` is run by an administrator with sudo, while the
// service runs as its own user (the package's "misend"), which must read
// its keys and write its database. Elsewhere it does nothing.
func GiveTo(dir string, paths ...string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("owner of %s: %w", dir, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return nil
	}
	for _, p := range paths {
		if err := os.Lchown(p, int(st.Uid), int(st.Gid)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("give %s to the owner of %s: %w", p, dir, err)
		}
	}
	return nil
}
