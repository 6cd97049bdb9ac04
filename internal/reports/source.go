package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
)

// Decision is what a report needs of one recorded decision.
type Decision struct {
	At         time.Time
	MessageID  string
	QueueID    string
	Sender     string
	Department string
	Verdict    policy.Verdict // what happened
	Decided    policy.Verdict // what the rules said (differs in shadow mode)
	Codes      []finding.Code
}

// Decisions streams recorded decisions.
type Decisions interface {
	EachDecision(ctx context.Context, since, until time.Time, fn func(Decision) error) error
}

// Feedback streams recorded answers; *feedback.Log implements it.
type Feedback interface {
	Each(ctx context.Context, since time.Time, fn func(feedback.Event) error) error
}

// DecisionsTable reads the table internal/decisions writes. It selects only
// the columns reports need (the codes column, not the findings JSON), so
// operator-only fields are never loaded. Callers flush the decisions log
// first when they need the latest records.
type DecisionsTable struct {
	DB *store.DB
}

// EachDecision streams decisions made in [since, until), oldest first.
func (t DecisionsTable) EachDecision(ctx context.Context, since, until time.Time, fn func(Decision) error) error {
	rows, err := t.DB.QueryContext(ctx, `SELECT at, message_id, queue_id, sender, department, verdict, decided, codes
		FROM decisions WHERE at >= ? AND at < ? ORDER BY at, id`, since.UnixMilli(), until.UnixMilli())
	if err != nil {
		return fmt.Errorf("reports: read decisions: %w", err)
	}
	defer rows.Close()
	var codes []finding.Code
	for rows.Next() {
		var d Decision
		var at int64
		var verdict, decided, cs string
		if err := rows.Scan(&at, &d.MessageID, &d.QueueID, &d.Sender, &d.Department, &verdict, &decided, &cs); err != nil {
			return fmt.Errorf("reports: read decisions: %w", err)
		}
		d.At, d.Verdict, d.Decided = time.UnixMilli(at), policy.Verdict(verdict), policy.Verdict(decided)
		codes = codes[:0]
		for _, c := range strings.Fields(cs) {
			codes = append(codes, finding.Code(c))
		}
		d.Codes = codes
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reports: read decisions: %w", err)
	}
	return nil
}
