package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMigrateAppliesOnceInOrder(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files := fstest.MapFS{
		"002_b.sql": {Data: []byte(`INSERT INTO t VALUES (2);`)},
		"001_a.sql": {Data: []byte(`CREATE TABLE t (v INTEGER);`)},
	}
	for range 2 {
		if err := db.Migrate(ctx, "test", files); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("rows = %d, want 1 (second Migrate must be a no-op)", n)
	}
	bad := fstest.MapFS{"003_bad.sql": {Data: []byte(`NOT SQL`)}}
	if err := db.Migrate(ctx, "test", bad); err == nil {
		t.Fatal("bad migration accepted")
	}
}

func TestOpenRejectsPostgresForNow(t *testing.T) {
	_, err := Open(context.Background(), "postgres://u:secret@h/db")
	if err == nil {
		t.Fatal("expected error")
	}
	if got := err.Error(); strings.Contains(got, "secret") {
		t.Fatalf("error leaks password: %s", got)
	}
}
