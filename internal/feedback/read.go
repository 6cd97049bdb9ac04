package feedback

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/misend/misend/internal/finding"
)

// Each calls fn for every event recorded at or after since, oldest first,
// streaming so a year of feedback never sits in memory at once.
func (l *Log) Each(ctx context.Context, since time.Time, fn func(Event) error) error {
	rows, err := l.db.QueryContext(ctx, `SELECT at, kind, message_id, queue_id, sender, department, recipient, by_whom, codes
		FROM feedback WHERE at >= ? ORDER BY at, id`, since.UnixMilli())
	if err != nil {
		return fmt.Errorf("feedback: query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var at int64
		var kind, codes string
		if err := rows.Scan(&at, &kind, &e.MessageID, &e.QueueID, &e.Sender, &e.Department, &e.Recipient, &e.By, &codes); err != nil {
			return fmt.Errorf("feedback: scan: %w", err)
		}
		e.At, e.Kind = time.UnixMilli(at), Kind(kind)
		for _, c := range strings.Fields(codes) {
			e.Codes = append(e.Codes, finding.Code(c))
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("feedback: query: %w", err)
	}
	return nil
}
