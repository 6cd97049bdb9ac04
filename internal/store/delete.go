package store

import (
	"context"
	"fmt"
)

// deleteBatch is how many rows one DELETE of DeleteBatched removes: small
// enough that mail being decided meanwhile waits milliseconds, not
// seconds, for SQLite's write lock.
const deleteBatch = 5000

// DeleteBatched deletes the rows of table (which has an integer id
// column) matching where, deleteBatch rows per statement, and returns how
// many went. table and where are the caller's constants, never input.
func DeleteBatched(ctx context.Context, db *DB, table, where string, args ...any) (int64, error) {
	q := fmt.Sprintf(`DELETE FROM %s WHERE id IN (SELECT id FROM %s WHERE %s LIMIT %d)`, table, table, where, deleteBatch)
	var total int64
	for {
		res, err := db.ExecContext(ctx, q, args...)
		if err != nil {
			return total, fmt.Errorf("delete from %s: %w", table, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("delete from %s: %w", table, err)
		}
		total += n
		if n < deleteBatch {
			return total, nil
		}
	}
}
