package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/store"
)

// A backup taken while the database is open and written to holds what was
// there, restores into a fresh place and over an existing database (kept
// beside), and a file that is no misend database is refused.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	db, err := store.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	al, err := audit.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	record := func(l *audit.Log, target string) {
		if err := l.Record(ctx, audit.Entry{Actor: "boss@corp.example", Action: audit.Release, Target: target}); err != nil {
			t.Fatal(err)
		}
	}
	record(al, "before-backup")
	file := filepath.Join(dir, "b", "misend-backup.db")
	os.Mkdir(filepath.Dir(file), 0o700)
	if _, err := Save(ctx, db, file); err != nil {
		t.Fatal(err)
	}
	record(al, "after-backup") // the live database goes on
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", fi.Mode().Perm())
	}
	if _, err := Save(ctx, db, file); err == nil {
		t.Error("backup over an existing file")
	}

	targets := func(path string) []string {
		t.Helper()
		d, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		l, err := audit.Open(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		es, err := l.Query(ctx, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Target)
		}
		return out
	}
	fresh := filepath.Join(dir, "fresh", "misend.db")
	if kept, err := Restore(ctx, file, fresh, false, time.Now()); err != nil || kept != "" {
		t.Fatalf("restore into a fresh install: %q %v", kept, err)
	}
	if got := targets(fresh); strings.Join(got, ",") != "before-backup" {
		t.Errorf("restored %v, want only what was there at the backup", got)
	}

	if _, err := Restore(ctx, file, fresh, false, time.Now()); err == nil {
		t.Error("restore over an existing database without force")
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	kept, err := Restore(ctx, file, fresh, true, at)
	if err != nil || !strings.HasSuffix(kept, ".replaced-20261201T090000Z") {
		t.Fatalf("forced restore: %q %v", kept, err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("replaced database not kept: %v", err)
	}

	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database at all, just text\n"), 0o600)
	if _, err := Restore(ctx, junk, filepath.Join(dir, "x.db"), false, at); err == nil {
		t.Error("restored a file that is no database")
	}
}

func TestPostgresIsForPgDump(t *testing.T) {
	if _, err := Save(context.Background(), &store.DB{Dialect: store.Postgres}, filepath.Join(t.TempDir(), "x")); !errors.Is(err, ErrPostgres) {
		t.Errorf("err = %v", err)
	}
}
