// Package decisions records every verdict misend reaches, with its findings,
// for reports, audits and the web UI, and the feature vectors (numbers
// only) that package refit fits the weights on again.
//
// It is the only place operator-only finding fields (matched confidential
// terms) are kept after a message leaves; nothing here is shown to senders.
// It deliberately stores no message bodies or subjects, and does not decide
// anything: callers record what policy decided.
package decisions

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Record is one decision on one message.
type Record struct {
	At         time.Time
	Via        string // "smtp", "milter", "api", "check"
	MessageID  string
	QueueID    string // set when the message waits in misend's queue
	Sender     string
	Department string
	Decision   policy.Decision
	Score      float64
	Findings   []finding.Finding // operator view
	Err        string            // detection failure behind a fail-safe verdict
	// Features is the vector the score came from and FeatureSet the
	// build's name for its features (detect.FeatureSet). Kept for flagged
	// decisions and one passed decision in KeepPassEvery; never shown.
	Features   []float64
	FeatureSet string
}

// Log appends records to the decisions table.
//
// Append only queues the record: a writer goroutine stores records in
// batches, one transaction each. Writing each decision in its own
// transaction put SQLite's WAL checkpoints on the milter's answer path
// (tens of milliseconds at the 99th percentile under load); batching keeps
// that off the path and costs one commit per batch instead of per message.
type Log struct {
	db *store.DB
	// the inserts of one record and of rowsPerInsert records, prepared
	// once
	ins, insRows *sql.Stmt
	args         []any // the writer's, reused batch after batch
	log          *slog.Logger
	queue        chan Record
	flush        chan chan struct{}
	done         chan struct{}
	once         sync.Once
}

// batchMax bounds one transaction; queueLen bounds memory when the disk is
// slow, after which Append waits (back-pressure rather than loss).
const (
	batchMax = 256
	queueLen = 8192
	// linger is how long a record may wait for others to share its
	// transaction; reports do not need it sooner, and Flush does not wait.
	// A transaction costs SQLite about what four records do (a record
	// cost 136 µs written alone, 34 µs in tens, 19 µs in hundreds), and
	// at a few hundred messages a second 20 ms gathered only a handful.
	linger = 100 * time.Millisecond
	// rowsPerInsert is how many records one INSERT writes: each statement
	// executed costs database/sql and SQLite about as much again as the
	// row it writes.
	rowsPerInsert = 16
)

// Open applies the decisions schema to db and returns a Log writing there.
// Close it to flush what is queued.
func Open(ctx context.Context, db *store.DB) (*Log, error) {
	if err := Migrate(ctx, db); err != nil {
		return nil, err
	}
	ins, err := db.PrepareContext(ctx, insertSQL)
	if err != nil {
		return nil, fmt.Errorf("decisions: prepare insert: %w", err)
	}
	insRows, err := db.PrepareContext(ctx, insertSQL+strings.Repeat(", "+valuesSQL, rowsPerInsert-1))
	if err != nil {
		ins.Close()
		return nil, fmt.Errorf("decisions: prepare insert: %w", err)
	}
	l := &Log{db: db, ins: ins, insRows: insRows, log: slog.Default(), queue: make(chan Record, queueLen),
		flush: make(chan chan struct{}), done: make(chan struct{})}
	go l.writer()
	return l, nil
}

// Close writes every queued record and stops the writer; the database
// stays open.
func (l *Log) Close() error {
	l.once.Do(func() { close(l.queue) })
	<-l.done
	l.ins.Close()
	l.insRows.Close()
	return nil
}

// Append queues r for writing. It returns an error only when ctx ends
// while the queue is full.
func (l *Log) Append(ctx context.Context, r Record) error {
	select {
	case l.queue <- r:
		return nil
	default:
	}
	select {
	case l.queue <- r:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("decisions: append %s: %w", r.MessageID, ctx.Err())
	}
}

// Flush waits until every record appended before the call is written.
func (l *Log) Flush() {
	ack := make(chan struct{})
	select {
	case l.flush <- ack:
		<-ack
	case <-l.done:
	}
}

func (l *Log) writer() {
	defer close(l.done)
	batch := make([]Record, 0, batchMax)
	drain := func() {
		for len(batch) < batchMax {
			select {
			case r, ok := <-l.queue:
				if !ok {
					return
				}
				batch = append(batch, r)
			default:
				return
			}
		}
	}
	write := func() {
		for len(batch) > 0 {
			if err := l.write(batch); err != nil {
				l.log.Error("decisions: records lost", "n", len(batch), "err", err)
			}
			batch = batch[:0]
			drain()
		}
	}
	// gather waits a moment for more records after the first: mail
	// arrives one message at a time, and a transaction per record cost
	// more than the milter's own work on each message. It takes them
	// from the queue when the moment is over rather than as each
	// arrives, so the writer is not woken for every message.
	t := time.NewTimer(linger)
	t.Stop()
	gather := func() {
		t.Reset(linger)
		defer t.Stop()
		select {
		case ack := <-l.flush:
			drain()
			write()
			close(ack)
		case <-t.C:
			drain()
		}
	}
	for {
		select {
		case r, ok := <-l.queue:
			if !ok {
				return
			}
			batch = append(batch, r)
			gather()
			write()
		case ack := <-l.flush:
			drain()
			write()
			close(ack)
		}
	}
}

func (l *Log) write(batch []Record) error {
	ctx := context.Background()
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("decisions: begin: %w", err)
	}
	defer tx.Rollback() // closes the statements too
	one, rows := tx.StmtContext(ctx, l.ins), tx.StmtContext(ctx, l.insRows)
	for len(batch) > 0 {
		st, n := one, 1
		if len(batch) >= rowsPerInsert {
			st, n = rows, rowsPerInsert
		}
		args := l.args[:0]
		for _, r := range batch[:n] {
			if args, err = appendRow(args, r); err != nil {
				return err
			}
		}
		l.args = args
		_, err := st.ExecContext(ctx, args...)
		clear(args) // nothing of the batch kept alive until the next
		if err != nil {
			return fmt.Errorf("decisions: append %s: %w", batch[0].MessageID, err)
		}
		batch = batch[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("decisions: commit: %w", err)
	}
	return nil
}

const (
	insertSQL = `INSERT INTO decisions
	(at, via, message_id, queue_id, sender, department, verdict, decided, shadow, rule, score, codes, findings, error,
	features, feature_set)
	VALUES ` + valuesSQL
	valuesSQL = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// appendRow appends the insert's arguments for r.
func appendRow(args []any, r Record) ([]any, error) {
	fs := r.Findings
	js := "[]" // most mail has no findings
	if len(fs) > 0 {
		b, err := json.Marshal(fs)
		if err != nil {
			return args, fmt.Errorf("decisions: encode findings of %s: %w", r.MessageID, err)
		}
		js = string(b)
	}
	codes := make([]string, 0, len(fs))
	for _, f := range fs {
		codes = append(codes, string(f.Code))
	}
	shadow := 0
	if r.Decision.Shadow {
		shadow = 1
	}
	var feats []byte
	set := ""
	if r.KeepsFeatures() {
		feats, set = EncodeFeatures(r.Features), r.FeatureSet
	}
	return append(args, r.At.UnixMilli(), r.Via, r.MessageID, r.QueueID, r.Sender, r.Department,
		string(r.Decision.Verdict), string(r.Decision.Decided), shadow, r.Decision.Rule, r.Score,
		strings.Join(codes, " "), js, r.Err, feats, set), nil
}

// Recent returns up to n records, newest first, made at or after since.
func (l *Log) Recent(ctx context.Context, since time.Time, n int) ([]Record, error) {
	l.Flush()
	rows, err := l.db.QueryContext(ctx, `SELECT at, via, message_id, queue_id, sender, department, verdict, decided,
		shadow, rule, score, findings, error FROM decisions WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?`,
		since.UnixMilli(), n)
	if err != nil {
		return nil, fmt.Errorf("decisions: query: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var at int64
		var shadow int
		var verdict, decided, js string
		if err := rows.Scan(&at, &r.Via, &r.MessageID, &r.QueueID, &r.Sender, &r.Department, &verdict, &decided,
			&shadow, &r.Decision.Rule, &r.Score, &js, &r.Err); err != nil {
			return nil, fmt.Errorf("decisions: scan: %w", err)
		}
		r.At = time.UnixMilli(at)
		r.Decision.Verdict, r.Decision.Decided, r.Decision.Shadow = policy.Verdict(verdict), policy.Verdict(decided), shadow != 0
		if err := json.Unmarshal([]byte(js), &r.Findings); err != nil {
			return nil, fmt.Errorf("decisions: decode findings of %s: %w", r.MessageID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("decisions: query: %w", err)
	}
	return out, nil
}

// Count is the number of decisions for one (department, verdict) pair.
type Count struct {
	Department string
	Decided    policy.Verdict
	Shadow     bool
	N          int
}

// Counts returns decision counts since a time, by department and decided
// verdict, for reports and for judging a shadow-mode roll-out.
func (l *Log) Counts(ctx context.Context, since time.Time) ([]Count, error) {
	l.Flush()
	rows, err := l.db.QueryContext(ctx, `SELECT department, decided, shadow, count(*) FROM decisions
		WHERE at >= ? GROUP BY department, decided, shadow ORDER BY department, decided, shadow`, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("decisions: counts: %w", err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		var shadow int
		var v string
		if err := rows.Scan(&c.Department, &v, &shadow, &c.N); err != nil {
			return nil, fmt.Errorf("decisions: counts: %w", err)
		}
		c.Decided, c.Shadow = policy.Verdict(v), shadow != 0
		out = append(out, c)
	}
	return out, rows.Err()
}
