package reports

import (
	"context"
	"fmt"
	"hash/maphash"
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

// Decisions streams recorded decisions, each message once: a message
// decided more than once (an add-in checked the draft, then the gateway
// decided on the mail sent; or the milter and the gateway both saw it)
// comes as last decided, told apart by sender and Message-ID. Decisions on
// mail without a Message-ID come each.
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

// EachDecision streams decisions made in [since, until), oldest first,
// each message once. A first pass counts how often each (sender,
// Message-ID) was decided, keeping only a hash and a count per message; the
// second streams the rows and lets each message through at its last
// decision. Sorting the repeats out in SQL (a window function) was five
// times slower here.
func (t DecisionsTable) EachDecision(ctx context.Context, since, until time.Time, fn func(Decision) error) error {
	seen, err := t.repeats(ctx, since, until)
	if err != nil {
		return err
	}
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
		if d.MessageID != "" {
			k := messageKey(d.Sender, d.MessageID)
			if n, ok := seen[k]; ok {
				if n > 1 {
					seen[k] = n - 1
					continue // decided again later
				}
			}
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

// repeats returns, for each message decided more than once in the range,
// how many times it was.
func (t DecisionsTable) repeats(ctx context.Context, since, until time.Time) (map[uint64]uint32, error) {
	rows, err := t.DB.QueryContext(ctx, `SELECT sender, message_id FROM decisions WHERE at >= ? AND at < ? AND message_id != ''`,
		since.UnixMilli(), until.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("reports: read decisions: %w", err)
	}
	defer rows.Close()
	count := map[uint64]uint32{}
	var sender, id []byte
	for rows.Next() {
		if err := rows.Scan(&sender, &id); err != nil {
			return nil, fmt.Errorf("reports: read decisions: %w", err)
		}
		count[messageKeyBytes(sender, id)]++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reports: read decisions: %w", err)
	}
	for k, n := range count {
		if n == 1 {
			delete(count, k)
		}
	}
	return count, nil
}

var keySeed = maphash.MakeSeed()

func messageKeyBytes(sender, id []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(keySeed)
	h.Write(sender)
	h.WriteByte(0)
	h.Write(id)
	return h.Sum64()
}

func messageKey(sender, id string) uint64 {
	var h maphash.Hash
	h.SetSeed(keySeed)
	h.WriteString(sender)
	h.WriteByte(0)
	h.WriteString(id)
	return h.Sum64()
}
