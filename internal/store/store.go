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
	"fmt"
	"io/fs"
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
	// busy_timeout: concurrent writers (import + serve) wait instead of failing.
	// synchronous(NORMAL) with WAL is durable across process crashes; components
	// that acknowledge mail fsync their own spool.
	q := "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
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

// prepare creates the table of applied migrations. On PostgreSQL it holds
// the migration lock meanwhile: CREATE TABLE IF NOT EXISTS is not safe
// against itself in another session, as replicas starting together are.
func prepare(ctx context.Context, s *DB) (*DB, error) {
	fail := func(err error) (*DB, error) {
		s.Close()
		return nil, fmt.Errorf("open %s: create schema_migrations: %w", s.DSN, err)
	}
	tx, err := s.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	if s.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLock); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (component, name))`); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
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
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE component = ? AND name = ?`, component, name).Scan(&n); err != nil {
			return fmt.Errorf("migrate %s/%s: %w", component, name, err)
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			return fmt.Errorf("migrate %s/%s: %w", component, name, err)
		}
		ddl := string(body)
		if db.Dialect == Postgres {
			ddl = postgresDDL(ddl)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s/%s: %w", component, name, err)
		}
		if db.Dialect == Postgres {
			// Replicas starting together migrate one at a time; whoever
			// comes second finds the file applied.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLock); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate %s/%s: %w", component, name, err)
			}
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE component = ? AND name = ?`, component, name).Scan(&n); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate %s/%s: %w", component, name, err)
			}
			if n > 0 {
				tx.Rollback()
				continue
			}
		}
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s/%s: %w", component, name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, name) VALUES (?, ?)`, component, name); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s/%s: %w", component, name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s/%s: %w", component, name, err)
		}
	}
	return nil
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
