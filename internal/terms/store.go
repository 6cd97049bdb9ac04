package terms

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the terms component's view of the database.
type Store struct {
	db  *store.DB
	now func() time.Time
}

// Open applies the component's migrations and returns its store.
func Open(ctx context.Context, db *store.DB) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("terms migrations: %w", err)
	}
	if err := db.Migrate(ctx, "terms", sub); err != nil {
		return nil, err
	}
	return &Store{db: db, now: time.Now}, nil
}

const timeFormat = time.RFC3339Nano

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// List returns the terms of scope, or of every scope when scope is "".
func (s *Store) List(ctx context.Context, scope Scope) ([]Term, error) {
	q := `SELECT scope, term, weight, added_by, added_at FROM terms_list`
	var args []any
	if scope != "" {
		q += ` WHERE scope = ?`
		args = append(args, string(scope))
	}
	q += ` ORDER BY scope, weight DESC, term`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list terms: %w", err)
	}
	defer rows.Close()
	var out []Term
	for rows.Next() {
		var t Term
		var sc, at string
		if err := rows.Scan(&sc, &t.Text, &t.Weight, &t.AddedBy, &at); err != nil {
			return nil, fmt.Errorf("list terms: %w", err)
		}
		t.Scope, t.AddedAt = Scope(sc), parseTime(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// Add puts a term on a list directly (the operator path), or updates its
// weight, and records the change.
func (s *Store) Add(ctx context.Context, scope Scope, term string, weight float64, by string) error {
	return s.apply(ctx, Change{Scope: scope, Action: ActionAdd, Term: term, Weight: weight, ProposedBy: by, Status: StatusDirect})
}

// Remove takes a term off a list directly and records the change.
func (s *Store) Remove(ctx context.Context, scope Scope, term string, by string) error {
	return s.apply(ctx, Change{Scope: scope, Action: ActionRemove, Term: term, ProposedBy: by, Status: StatusDirect})
}

// ErrNoSuchTerm is returned when removing or re-weighting a term not listed.
var ErrNoSuchTerm = errors.New("no such term on the list")

// applyTx changes the list as c says, inside tx.
func applyTx(ctx context.Context, tx *sql.Tx, c Change, now time.Time) error {
	switch c.Action {
	case ActionAdd, ActionReweight:
		if err := checkWeight(c.Weight); err != nil {
			return err
		}
		if c.Action == ActionReweight {
			res, err := tx.ExecContext(ctx, `UPDATE terms_list SET weight = ? WHERE scope = ? AND term = ?`, c.Weight, string(c.Scope), c.Term)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("%s on %s: %w", c.Term, c.Scope, ErrNoSuchTerm)
			}
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO terms_list (scope, term, weight, added_by, added_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (scope, term) DO UPDATE SET weight = excluded.weight`,
			string(c.Scope), c.Term, c.Weight, c.ProposedBy, fmtTime(now))
		return err
	case ActionRemove:
		res, err := tx.ExecContext(ctx, `DELETE FROM terms_list WHERE scope = ? AND term = ?`, string(c.Scope), c.Term)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s on %s: %w", c.Term, c.Scope, ErrNoSuchTerm)
		}
		return nil
	}
	return fmt.Errorf("unknown action %q", c.Action)
}

// Rule returns scope's rule (the default when none was set).
func (s *Store) Rule(ctx context.Context, scope Scope) (Rule, error) {
	r := Rule{Scope: scope, MeanAtLeast: DefaultThreshold}
	var anyMatch int
	err := s.db.QueryRowContext(ctx, `SELECT any_match, mean_at_least FROM terms_rules WHERE scope = ?`, string(scope)).Scan(&anyMatch, &r.MeanAtLeast)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("rule for %s: %w", scope, err)
	}
	r.Any = anyMatch != 0
	return r, nil
}

// SetRule sets scope's restriction rule.
func (s *Store) SetRule(ctx context.Context, r Rule) error {
	if !r.Any {
		if err := checkWeight(r.MeanAtLeast); err != nil {
			return fmt.Errorf("rule for %s: threshold: %w", r.Scope, err)
		}
	}
	anyMatch := 0
	if r.Any {
		anyMatch = 1
	}
	err := s.write(ctx, `INSERT INTO terms_rules (scope, any_match, mean_at_least) VALUES (?, ?, ?)
		ON CONFLICT (scope) DO UPDATE SET any_match = excluded.any_match, mean_at_least = excluded.mean_at_least`,
		string(r.Scope), anyMatch, r.MeanAtLeast)
	if err != nil {
		return fmt.Errorf("set rule for %s: %w", r.Scope, err)
	}
	return nil
}

func (s *Store) rules(ctx context.Context) (map[Scope]Rule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scope, any_match, mean_at_least FROM terms_rules`)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	defer rows.Close()
	out := map[Scope]Rule{}
	for rows.Next() {
		var r Rule
		var sc string
		var anyMatch int
		if err := rows.Scan(&sc, &anyMatch, &r.MeanAtLeast); err != nil {
			return nil, fmt.Errorf("load rules: %w", err)
		}
		r.Scope, r.Any = Scope(sc), anyMatch != 0
		out[r.Scope] = r
	}
	return out, rows.Err()
}

// Except exempts term for scope until the given time.
func (s *Store) Except(ctx context.Context, e Exception) error {
	if e.Until.IsZero() {
		return errors.New("exception needs an end time")
	}
	if e.By == "" {
		return errors.New("exception needs who grants it (--by)")
	}
	err := s.write(ctx, `INSERT INTO terms_exceptions (scope, term, until, by, reason) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (scope, term) DO UPDATE SET until = excluded.until, by = excluded.by, reason = excluded.reason`,
		string(e.Scope), e.Text, fmtTime(e.Until), e.By, e.Reason)
	if err != nil {
		return fmt.Errorf("except %s on %s: %w", e.Text, e.Scope, err)
	}
	return nil
}

// Exceptions returns every exception, expired ones included.
func (s *Store) Exceptions(ctx context.Context) ([]Exception, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scope, term, until, by, reason FROM terms_exceptions ORDER BY scope, term`)
	if err != nil {
		return nil, fmt.Errorf("load exceptions: %w", err)
	}
	defer rows.Close()
	var out []Exception
	for rows.Next() {
		var e Exception
		var sc, until string
		if err := rows.Scan(&sc, &e.Text, &until, &e.By, &e.Reason); err != nil {
			return nil, fmt.Errorf("load exceptions: %w", err)
		}
		e.Scope, e.Until = Scope(sc), parseTime(until)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Setting reads a terms setting; def when unset.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM terms_settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return def, fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting writes a terms setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == generationKey {
		return fmt.Errorf("set %s: reserved", key)
	}
	err := s.write(ctx, `INSERT INTO terms_settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}

// generationKey counts changes to anything a Checker is built from, so a
// long-running server can tell cheaply when to rebuild (see Live).
const generationKey = "generation"

func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO terms_settings (key, value) VALUES (?, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(terms_settings.value AS INTEGER) + 1 AS TEXT)`, generationKey)
	if err != nil {
		return fmt.Errorf("bump generation: %w", err)
	}
	return nil
}

// write runs one statement and bumps the generation in one transaction.
func (s *Store) write(ctx context.Context, q string, args ...any) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return err
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Generation returns a number that changes whenever lists, rules,
// exceptions or settings change.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM terms_settings WHERE key = ?`, generationKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("terms generation: %w", err)
	}
	return v.Int64, nil
}
