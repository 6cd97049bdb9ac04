// Package siem sends misend's decisions and audit entries to a security
// team's SIEM (Microsoft Sentinel, Splunk, any syslog collector): as RFC
// 5424 syslog, as JSON over HTTPS to a Splunk HTTP Event Collector, and
// as JSON lines in a file.
//
// The decisions and audit_log tables are the queue: each destination has
// a cursor, the last ids it took, stored only after the destination took
// them (for HEC: answered 2xx). A collector that is down for a while gets
// everything once it is back, and a restart of misend loses nothing. A
// destination that fails is tried again with a growing pause, up to
// MaxBackoff. A syslog batch cut short is sent again, so a collector may
// see an event twice and can drop repeats by (type, id); HEC moves the
// cursor request by request and repeats only what a lost answer hid.
//
// It does not read the tables' history: a destination new to the database
// starts at their end. And it does not keep events the retention sweep
// deleted before a destination took them: a collector down for longer
// than the retention loses what is older.
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

// Partial is a Sink that sends a batch in several steps and says how many
// leading events it delivered even when a later step failed: the cursor
// moves past those, so they are not sent again.
type Partial interface {
	SendSome(ctx context.Context, events []Event) (int, error)
}

// waiter is an error that says how long the destination asked to be left
// alone (HTTP Retry-After).
type waiter interface{ Wait() time.Duration }

// Exporter sends new decisions and audit entries to its sinks.
type Exporter struct {
	db    *store.DB
	sinks []Sink
	// IncludeTerms exports the matched confidential terms of findings.
	IncludeTerms bool
	// Batch is the most events read per table per round; default 500.
	Batch int
	// MaxBackoff is the longest pause before a failing destination is
	// tried again; the pause starts at Run's interval and doubles. Default
	// five minutes.
	MaxBackoff time.Duration
	Log        *slog.Logger
	// Observe, if set, is told the outcome of every round for a sink: how
	// many events went and the error that stopped it (nil: it is caught
	// up). For metrics.
	Observe func(sink string, sent int, err error)
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
	x := &Exporter{db: db, sinks: sinks, Batch: 500, MaxBackoff: 5 * time.Minute, Log: slog.Default()}
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
// sink that fails is tried again after a pause that starts at interval and
// doubles up to MaxBackoff (or what the destination asked for), and is
// logged when an outage starts, when its error changes (a collector that
// was unreachable and now refuses the token) and when it ends.
func (x *Exporter) Run(ctx context.Context, interval time.Duration) {
	type state struct {
		pause   time.Duration // the current back-off; 0 while healthy
		next    time.Time     // not tried before this
		lastErr string
	}
	st := map[string]*state{}
	for _, s := range x.sinks {
		st[s.Name()] = &state{}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	defer func() {
		for _, s := range x.sinks {
			s.Close()
		}
	}()
	for {
		now := time.Now()
		for _, s := range x.sinks {
			k := st[s.Name()]
			if now.Before(k.next) {
				continue
			}
			n, err := x.Once(ctx, s)
			if x.Observe != nil && ctx.Err() == nil {
				x.Observe(s.Name(), n, err)
			}
			switch {
			case err != nil && ctx.Err() == nil:
				k.pause = nextPause(k.pause, interval, x.MaxBackoff, err)
				k.next = time.Now().Add(k.pause)
				if msg := err.Error(); msg != k.lastErr {
					k.lastErr = msg
					x.Log.Error("SIEM export failing; events wait in the database and are sent once the destination takes them",
						"sink", s.Name(), "sent", n, "retry_in", k.pause.Round(time.Second).String(), "err", err)
				}
			case err == nil && k.lastErr != "":
				k.lastErr, k.pause, k.next = "", 0, time.Time{}
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

// nextPause doubles the pause after another failure, from first up to
// most, or takes what the destination asked for if that is longer.
func nextPause(pause, first, most time.Duration, err error) time.Duration {
	pause = min(max(2*pause, first), max(most, first))
	var w waiter
	if errors.As(err, &w) && w.Wait() > pause {
		pause = w.Wait()
	}
	return pause
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
		sent, serr := send(ctx, s, events)
		if sent < len(events) {
			nd, na = cursorAfter(events[:sent], cd, ca)
		}
		if sent > 0 {
			if _, err := x.db.ExecContext(ctx, `UPDATE siem_cursor SET decisions = ?, audit = ? WHERE sink = ?`, nd, na, s.Name()); err != nil {
				return total, fmt.Errorf("siem: cursor of %s: %w", s.Name(), err)
			}
			total += sent
		}
		if serr != nil {
			return total, serr
		}
	}
}

// send hands events to s and returns how many leading events it took.
func send(ctx context.Context, s Sink, events []Event) (int, error) {
	if p, ok := s.(Partial); ok {
		n, err := p.SendSome(ctx, events)
		return min(max(n, 0), len(events)), err
	}
	if err := s.Send(ctx, events); err != nil {
		return 0, err
	}
	return len(events), nil
}

// cursorAfter is the cursor once the events taken are sent: the last id
// of each type among them, else where it was.
func cursorAfter(taken []Event, cd, ca int64) (int64, int64) {
	for _, e := range taken {
		switch e.Type {
		case "decision":
			cd = e.ID
		case "audit":
			ca = e.ID
		}
	}
	return cd, ca
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
