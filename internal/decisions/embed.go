package decisions

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/misend/misend/internal/store"
)

// Migrate applies the decisions schema to db, for readers of the table
// that do not write it (the SIEM export).
func Migrate(ctx context.Context, db *store.DB) error {
	sub, err := fsSub()
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx, "decisions", sub); err != nil {
		return fmt.Errorf("decisions: %w", err)
	}
	return nil
}

func fsSub() (fs.FS, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("decisions: migrations: %w", err)
	}
	return sub, nil
}
