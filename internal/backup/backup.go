// Package backup copies a live SQLite database to a file and puts such a
// copy back. The copy is made with VACUUM INTO, which reads the database
// in one transaction: mail keeps being decided while it runs, and the copy
// is consistent as of its start. PostgreSQL has pg_dump for this; misend
// does not wrap it.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/misend/misend/internal/store"
)

// ErrPostgres is returned for a database that is not a SQLite file.
var ErrPostgres = errors.New("the database is PostgreSQL: back it up with pg_dump (see the README)")

// Save copies the database db to dst, which must not exist, and checks
// the copy. The file is mode 0600: it holds the audit log, the decisions
// and the accounts.
func Save(ctx context.Context, db *store.DB, dst string) (int64, error) {
	if db.Dialect != store.SQLite {
		return 0, ErrPostgres
	}
	if _, err := os.Lstat(dst); err == nil {
		return 0, fmt.Errorf("backup: %s exists; give a new file name", dst)
	}
	// VACUUM INTO a name beside dst, then rename: a copy cut short by a
	// full disk or a signal never looks like a whole backup.
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".part")
	os.Remove(tmp)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := Verify(ctx, tmp); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("backup to %s: %w", dst, err)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", dst, err)
	}
	return fi.Size(), nil
}

// Verify checks that path is a whole misend SQLite database: SQLite's
// integrity check passes and misend's migrations table is there.
func Verify(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("verify %s: not a SQLite database: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("verify %s: damaged: %s", path, res)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("verify %s: not a misend database", path)
	}
	return nil
}

// Restore puts the backup src in place of the SQLite database at dst.
// misend must not be running on dst. An existing dst is only replaced
// with force, and then kept beside it as dst.replaced-TIME (with its
// write-ahead log) until the administrator removes it. It returns that
// name, "" when there was none.
func Restore(ctx context.Context, src, dst string, force bool, now time.Time) (string, error) {
	if err := Verify(ctx, src); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	_, err := os.Lstat(dst)
	exists := err == nil
	if exists && !force {
		return "", fmt.Errorf("restore: %s exists; stop misend and give --force to replace it (it is kept beside)", dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".restoring")
	if err := copyFile(src, tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("restore: %w", err)
	}
	var kept string
	if exists {
		kept = dst + ".replaced-" + now.UTC().Format("20060102T150405Z")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dst+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				os.Remove(tmp)
				return "", fmt.Errorf("restore: keep the replaced database: %w", err)
			}
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return kept, fmt.Errorf("restore: %w", err)
	}
	return kept, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
