package decisions

import (
	"context"
	"fmt"
	"time"

	"github.com/misend/misend/internal/store"
)

// Prune deletes the decisions made before before, in batches (see
// store.DeleteBatched). The reports of those days are gone with them.
func Prune(ctx context.Context, db *store.DB, before time.Time) (int64, error) {
	n, err := store.DeleteBatched(ctx, db, "decisions", "at < ?", before.UnixMilli())
	if err != nil {
		return n, fmt.Errorf("decisions: prune: %w", err)
	}
	return n, nil
}
