package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/misend/misend/internal/store/pgtest"
)

// testDB names the database a test uses: a SQLite file in dir, or, with
// MISEND_TEST_DB=postgres (test.sh runs this package's tests both ways), a
// fresh database on a private PostgreSQL server.
func testDB(t testing.TB, dir string) string {
	t.Helper()
	if os.Getenv("MISEND_TEST_DB") == "postgres" {
		return pgtest.DSN(t)
	}
	return filepath.Join(dir, "m.db")
}
