// Package siem sends misend's decisions and audit entries to a security
// team's SIEM (Microsoft Sentinel, Splunk, any syslog collector): as RFC
// 5424 syslog and as JSON lines in a file.
//
// The decisions and audit_log tables are the queue: each destination has
// a cursor, the last ids it took, stored only after a batch was sent. A
// collector that is down for a while gets everything once it is back, and
// a restart of misend loses nothing; a batch cut short is sent again, so a
// collector may see an event twice and can drop repeats by (type, id).
package siem

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Sink is one destination.
type Sink interface {
	Name() string // its cursor's key: the kind and address
	Send(ctx context.Context, events []Event) error
	Close() error
}

// Exporter sends new decisions and audit entries to its sinks.
type Exporter struct {
	db    *store.DB
	sinks []Sink
	// IncludeTerms exports the matched confidential terms of findings.
	IncludeTerms bool
	// Batch is the most events read per table per round; default 500.
	Batch int
	Log   *slog.Logger
}

// New prepares db and returns an exporter to sinks. A sink new to db
// starts at the current end of the tables: the history before is in
// misend's own reports, and sending years of it at once could swamp a
// collector.
func New(ctx context.Context, db *store.DB, sinks ...Sink) (*Exporter, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("siem migrations: %w", err)
	}
	if err := db.Migrate(ctx, "siem", sub); err != nil {
		return nil, err
	}
	// The tables read here belong to their writers; make sure they exist.
	if err := decisions.Migrate(ctx, db); err != nil {
		return nil, err
	}
	if _, err := audit.Open(ctx, db); err != nil {
		return nil, err
	}
	x := &Exporter{db: db, sinks: sinks, Batch: 500, Log: slog.Default()}
	for _, s := range sinks {
		if err := x.startCursor(ctx, s.Name()); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func (x *Exporter) startCursor(ctx context.Context, sink string) error {
	var d, a sql.NullInt64
	if err := x.db.QueryRowContext(ctx, `SELECT max(id) FROM decisions`).Scan(&d); err != nil {
		return fmt.Errorf("siem: %w", err)
	}
	if err := x.db.QueryRowContext(ctx, `SELECT max(id) FROM audit_log`).Scan(&a); err != nil {
		return fmt.Errorf("siem: %w", err)
	}
	_, err := x.db.ExecContext(ctx, `INSERT INTO siem_cursor (sink, decisions, audit) VALUES (?, ?, ?) ON CONFLICT (sink) DO NOTHING`,
		sink, d.Int64, a.Int64)
	if err != nil {
		return fmt.Errorf("siem: cursor of %s: %w", sink, err)
	}
	return nil
}

// Run exports every interval until ctx ends, then closes the sinks. A
// sink that fails is tried again the next round and logged once per
// outage.
func (x *Exporter) Run(ctx context.Context, interval time.Duration) {
	down := map[string]bool{}
	t := time.NewTicker(interval)
	defer t.Stop()
	defer func() {
		for _, s := range x.sinks {
			s.Close()
		}
	}()
	for {
		for _, s := range x.sinks {
			n, err := x.Once(ctx, s)
			switch {
			case err != nil && ctx.Err() == nil && !down[s.Name()]:
				down[s.Name()] = true
				x.Log.Error("SIEM export failing; events wait in the database", "sink", s.Name(), "err", err)
			case err == nil && down[s.Name()]:
				down[s.Name()] = false
				x.Log.Info("SIEM export resumed", "sink", s.Name(), "sent", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once sends s everything new, batch by batch, and returns how many events
// went.
func (x *Exporter) Once(ctx context.Context, s Sink) (int, error) {
	total := 0
	for {
		var cd, ca int64
		if err := x.db.QueryRowContext(ctx, `SELECT decisions, audit FROM siem_cursor WHERE sink = ?`, s.Name()).Scan(&cd, &ca); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				if err := x.startCursor(ctx, s.Name()); err != nil {
					return total, err
				}
				continue
			}
			return total, fmt.Errorf("siem: cursor of %s: %w", s.Name(), err)
		}
		events, nd, na, err := x.read(ctx, cd, ca)
		if err != nil || len(events) == 0 {
			return total, err
		}
		if err := s.Send(ctx, events); err != nil {
			return total, err
		}
		if _, err := x.db.ExecContext(ctx, `UPDATE siem_cursor SET decisions = ?, audit = ? WHERE sink = ?`, nd, na, s.Name()); err != nil {
			return total, fmt.Errorf("siem: cursor of %s: %w", s.Name(), err)
		}
		total += len(events)
	}
}

// read returns the decisions after id cd and audit entries after ca, up
// to Batch of each, and the new cursor.
func (x *Exporter) read(ctx context.Context, cd, ca int64) ([]Event, int64, int64, error) {
	var out []Event
	rows, err := x.db.QueryContext(ctx, `SELECT id, at, via, message_id, queue_id, sender, department, verdict, decided, shadow, rule, score,
		codes, findings, error FROM decisions WHERE id > ? ORDER BY id LIMIT ?`, cd, x.Batch)
	if err != nil {
		return nil, cd, ca, fmt.Errorf("siem: read decisions: %w", err)
	}
	for rows.Next() {
		var r decisionRow
		if err := rows.Scan(&r.id, &r.at, &r.via, &r.messageID, &r.queueID, &r.sender, &r.dept, &r.verdict, &r.dec, &r.shadow,
			&r.rule, &r.score, &r.codes, &r.findings, &r.err); err != nil {
			rows.Close()
			return nil, cd, ca, fmt.Errorf("siem: read decisions: %w", err)
		}
		out = append(out, r.event(x.IncludeTerms))
		cd = r.id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, cd, ca, fmt.Errorf("siem: read decisions: %w", err)
	}
	rows, err = x.db.QueryContext(ctx, `SELECT id, at, actor, role, action, target, department, detail, remote FROM audit_log
		WHERE id > ? ORDER BY id LIMIT ?`, ca, x.Batch)
	if err != nil {
		return nil, cd, ca, fmt.Errorf("siem: read audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := Event{Type: "audit"}
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Role, &e.Action, &e.Target, &e.Department, &e.Detail, &e.Remote); err != nil {
			return nil, cd, ca, fmt.Errorf("siem: read audit log: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
		ca = e.ID
	}
	return out, cd, ca, rows.Err()
}
