package decisions

import (
	"fmt"
	"io/fs"
)

func fsSub() (fs.FS, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("decisions: migrations: %w", err)
	}
	return sub, nil
}
