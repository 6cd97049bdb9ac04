package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/misend/misend/internal/store"
)

// Prune is the action of a retention sweep, recorded after it.
const Prune = "retention-prune"

// Prune deletes entries recorded before before, in batches so that a
// large first sweep does not hold the database's write lock for long. It
// is the one deletion of audit entries misend makes, on the organisation's
// retention policy, and the caller records that it happened.
func (l *Log) Prune(ctx context.Context, before time.Time) (int64, error) {
	n, err := store.DeleteBatched(ctx, l.db, "audit_log", "at < ?", before.UnixMilli())
	if err != nil {
		return n, fmt.Errorf("audit: prune: %w", err)
	}
	return n, nil
}
