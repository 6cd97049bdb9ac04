// Package journal lets several `misend serve` replicas on one database
// learn as one. Each replica learns in memory from the mail it lets
// through; without the journal, each would also save its model over the
// others' and learning seen by one would be lost. With it, a replica
// appends the observation of every message it learned (model.Observation:
// addresses, dates, thread ids, addressed company names; never a subject or
// text) and applies, every second or so, what the others appended. The
// model's snapshot records the journal position it covers, so a replica
// starting from any replica's snapshot applies just the rest.
//
// It deliberately does not order learning across replicas beyond the
// journal's sequence (counts decay by the message's own date, so the order
// in which two replicas' mail is learned barely matters), and it does not
// replace snapshots: entries are pruned once a snapshot covers them and a
// day has passed, and in any case once older than the retention's
// journal_days (PruneOlder, run by the retention sweep). A replica that was stopped for longer than that starts
// from the snapshot, which covers what it missed; one that kept running but
// could not reach the database that long reloads the snapshot when it finds
// the entries it missed pruned.
package journal

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// rowsPerInsert is how many entries one INSERT statement carries (three
// parameters each, well under SQLite's and PostgreSQL's limits).
const rowsPerInsert = 200

// Journal is the shared table of observations.
type Journal struct {
	db     *store.DB
	origin string
}

// Entry is one observation another process appended.
type Entry struct {
	Seq    int64
	Origin string
	Obs    model.Observation
}

// Open prepares db's journal for the process named origin (unique per
// running replica: its own entries are not read back).
func Open(ctx context.Context, db *store.DB, origin string) (*Journal, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("journal migrations: %w", err)
	}
	if err := db.Migrate(ctx, "journal", sub); err != nil {
		return nil, err
	}
	// The model's tables hold the snapshot's journal position.
	if err := model.Migrate(ctx, db); err != nil {
		return nil, err
	}
	return &Journal{db: db, origin: origin}, nil
}

// Append adds obs in one transaction. On PostgreSQL the table is locked for
// the transaction, so entries commit in the order of their sequence
// numbers: a reader that saw entry n has seen every entry before it.
// (SQLite has one writer at a time anyway.)
func (j *Journal) Append(ctx context.Context, obs []model.Observation) error {
	if len(obs) == 0 {
		return nil
	}
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("journal append: %w", err)
	}
	defer tx.Rollback()
	if j.db.Dialect == store.Postgres {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE model_journal IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("journal append: %w", err)
		}
	}
	// Many rows per statement: an import appends millions.
	now := time.Now().Unix()
	for start := 0; start < len(obs); start += rowsPerInsert {
		chunk := obs[start:min(start+rowsPerInsert, len(obs))]
		q := strings.Builder{}
		q.WriteString(`INSERT INTO model_journal (origin, at, obs) VALUES `)
		args := make([]any, 0, 3*len(chunk))
		for i := range chunk {
			b, err := json.Marshal(&chunk[i])
			if err != nil {
				return fmt.Errorf("journal append: %w", err)
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?)")
			args = append(args, j.origin, now, b)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("journal append: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("journal append: %w", err)
	}
	return nil
}

// After returns the entries other processes appended after position pos,
// in order, reading at most limit rows; the position the rows read reach
// (past this process's own entries too); and whether rows may remain. An
// entry that does not decode is skipped: one bad row must not stop
// learning.
func (j *Journal) After(ctx context.Context, pos int64, limit int) (entries []Entry, reached int64, more bool, err error) {
	rows, err := j.db.QueryContext(ctx, `SELECT seq, origin, obs FROM model_journal WHERE seq > ? ORDER BY seq LIMIT ?`, pos, limit)
	if err != nil {
		return nil, pos, false, fmt.Errorf("journal read: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		var e Entry
		var b []byte
		if err := rows.Scan(&e.Seq, &e.Origin, &b); err != nil {
			return nil, pos, false, fmt.Errorf("journal read: %w", err)
		}
		pos = e.Seq
		if e.Origin == j.origin || json.Unmarshal(b, &e.Obs) != nil {
			continue
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, pos, false, fmt.Errorf("journal read: %w", err)
	}
	return entries, pos, n == limit, nil
}

// first is the position of the oldest entry kept; false when there is none.
func (j *Journal) first(ctx context.Context) (int64, bool, error) {
	var seq sql.NullInt64
	if err := j.db.QueryRowContext(ctx, `SELECT min(seq) FROM model_journal`).Scan(&seq); err != nil {
		return 0, false, fmt.Errorf("journal read: %w", err)
	}
	return seq.Int64, seq.Valid, nil
}

// Prune deletes the entries up to position upTo appended before before.
func (j *Journal) Prune(ctx context.Context, upTo int64, before time.Time) (int64, error) {
	res, err := j.db.ExecContext(ctx, `DELETE FROM model_journal WHERE seq <= ? AND at < ?`, upTo, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("journal prune: %w", err)
	}
	return res.RowsAffected()
}

// pruneBatch is how many entries one DELETE of PruneOlder removes, so
// that mail decided meanwhile waits milliseconds for SQLite's write lock.
const pruneBatch = 5000

// PruneOlder deletes every entry appended before before, whether or not a
// saved model covers it: the retention sweep's cap on how long the
// journal keeps who wrote to whom. Learning a replica already applied
// stays in its model; a replica that had not yet applied an entry so old
// reloads the stored snapshot instead (Sharer.Sync). It creates the table
// when missing, so it works on a database that never shared.
func PruneOlder(ctx context.Context, db *store.DB, before time.Time) (int64, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0, fmt.Errorf("journal migrations: %w", err)
	}
	if err := db.Migrate(ctx, "journal", sub); err != nil {
		return 0, err
	}
	var total int64
	for {
		res, err := db.ExecContext(ctx, `DELETE FROM model_journal WHERE seq IN (SELECT seq FROM model_journal WHERE at < ? LIMIT ?)`,
			before.Unix(), pruneBatch)
		if err != nil {
			return total, fmt.Errorf("journal prune: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("journal prune: %w", err)
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}
