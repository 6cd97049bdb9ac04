// Package store opens misend's database and applies each component's schema.
//
// The default is one SQLite file (modernc.org/sqlite, pure Go, WAL mode). Each
// component (model, terms, directory, gateway, …) owns its tables and ships its
// migrations as embedded .sql files applied with Migrate, so packages never
// edit a shared schema file. A "postgres://" DSN opens PostgreSQL instead
// (postgres.go), for an organisation too large for one file or several
// misend processes sharing one database; components write the same SQL for
// both.
//
// It deliberately holds no domain logic and no mail bodies.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect tells components which SQL flavour to write.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

// DB is an open database.
type DB struct {
	*sql.DB
	Dialect Dialect
	DSN     string
}

// Open opens (creating if needed) the database named by dsn: a file path for
// SQLite, or a postgres:// URL.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := openPostgres(ctx, dsn)
		if err != nil {
			return nil, err
		}
		return prepare(ctx, &DB{DB: db, Dialect: Postgres, DSN: redact(dsn)})
	}
	// busy_timeout: concurrent writers (import + serve) wait instead of failing;
	// first, so that switching a new file to WAL waits too. synchronous(NORMAL)
	// with WAL is durable across process crashes; components that acknowledge
	// mail fsync their own spool.
	q := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	if err := createPrivate(dsn); err != nil {
		return nil, fmt.Errorf("open %s: %w", dsn, err)
	}
	db, err := sql.Open("sqlite", "file:"+dsn+q)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dsn, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", dsn, err)
	}
	return prepare(ctx, &DB{DB: db, Dialect: SQLite, DSN: dsn})
}

// createPrivate creates a new SQLite database file readable and writable
// by its owner only: it holds the audit log, learned contacts and the
// confidential-term lists. SQLite gives the -wal and -shm files it makes
// next to it the same mode. An existing file keeps its mode.
func createPrivate(path string) error {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?") || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, os.ErrExist):
		return nil
	case err != nil:
		return err
	}
	return f.Close()
}

// prepare creates the table of applied migrations, under the migration
// lock: CREATE TABLE IF NOT EXISTS is not safe against itself in another
// PostgreSQL session, as replicas starting together are.
func prepare(ctx context.Context, s *DB) (*DB, error) {
	err := s.migrationTx(ctx, func(tx migrationConn) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (component, name))`)
		return err
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: create schema_migrations: %w", s.DSN, err)
	}
	return s, nil
}

// Migrate applies, in file-name order, every *.sql file in files that has not
// been applied yet for component. Each file runs in its own transaction.
func (db *DB) Migrate(ctx context.Context, component string, files fs.FS) error {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return fmt.Errorf("migrate %s: %w", component, err)
	}
	sort.Strings(names)
	for _, name := range names {
		applied, err := migrated(ctx, db, component, name)
		if err == nil && !applied {
			err = db.migrate(ctx, component, name, files)
		}
		if err != nil {
			return fmt.Errorf("migrate %s/%s: %w", component, name, err)
		}
	}
	return nil
}

// migrate applies one file. Replicas starting together migrate one at a
// time; whoever comes second finds the file applied.
func (db *DB) migrate(ctx context.Context, component, name string, files fs.FS) error {
	body, err := fs.ReadFile(files, name)
	if err != nil {
		return err
	}
	ddl := string(body)
	if db.Dialect == Postgres {
		ddl = postgresDDL(ddl)
	}
	return db.migrationTx(ctx, func(tx migrationConn) error {
		if applied, err := migrated(ctx, tx, component, name); err != nil || applied {
			return err
		}
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, name) VALUES (?, ?)`, component, name)
		return err
	})
}

// migrated reports whether component's file name was applied.
func migrated(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, component, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE component = ? AND name = ?`, component, name).Scan(&n)
	return n > 0, err
}

// migrationConn is what a migration runs its statements on: a
// transaction, or on SQLite a connection inside BEGIN IMMEDIATE.
type migrationConn interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// migrationTx runs f in a transaction that holds the migration lock from
// its start, and commits it when f succeeds: on PostgreSQL an advisory
// lock; on SQLite the write lock (BEGIN IMMEDIATE, which waits out
// busy_timeout). A deferred SQLite transaction would read
// schema_migrations first and fail with SQLITE_BUSY_SNAPSHOT, which no
// timeout retries, when another process committed a migration meanwhile.
func (db *DB) migrationTx(ctx context.Context, f func(migrationConn) error) error {
	if db.Dialect == SQLite {
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
			return err
		}
		if err = f(conn); err == nil {
			_, err = conn.ExecContext(ctx, `COMMIT`)
		}
		if err != nil { // the connection goes back to the pool: not inside a transaction
			conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		}
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLock); err != nil {
		return err
	}
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// migrationLock is the PostgreSQL advisory lock migrations hold.
const migrationLock int64 = 0x6d6973656e64 // "misend"

// redact hides a password in a URL-shaped DSN for error messages.
func redact(dsn string) string {
	at := strings.LastIndexByte(dsn, '@')
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 {
		return dsn
	}
	return dsn[:scheme+3] + "…" + dsn[at:]
}
