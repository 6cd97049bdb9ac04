// Package retention deletes what misend keeps about mail once the
// organisation's retention policy says it is old enough, each kind after
// its own age: decisions (the verdicts and findings behind the reports),
// audit entries, the term index of imported mail, held bodies (mail that
// waited for an approver or its sender's confirmation and got no answer:
// it is ended through package held, not sent, and its sender told) and
// the replicas' model journal (who wrote to whom and when). Each sweep
// that deletes anything is itself written to the audit log, so the log
// says when and why it has no older entries.
//
// It does not touch the learned model, which keeps no per-message
// records (its counts decay), nor mail on its way out: queued mail
// bounces after [queue] max_age, and the spool forgets finished mail's
// metadata after keep_finished. Held bodies live in the spool of the
// running misend serve, so only its sweep ends them; misend prune deletes
// the kinds kept in the database.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/journal"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

// Policy is how long each kind of record is kept; zero keeps it for ever.
type Policy struct {
	Decisions time.Duration
	Audit     time.Duration
	TermIndex time.Duration
	Held      time.Duration // held and confirming mail nobody answered
	Journal   time.Duration // the replicas' model journal
}

// Defaults are the ages misend init writes; see the operations guide for
// why each.
var Defaults = config.Retention{DecisionsDays: 400, AuditDays: 1095, TermIndexDays: 365, HeldDays: 14, JournalDays: 7}

// FromConfig is the policy of a [retention] table.
func FromConfig(r config.Retention) Policy {
	day := 24 * time.Hour
	return Policy{Decisions: time.Duration(r.DecisionsDays) * day, Audit: time.Duration(r.AuditDays) * day,
		TermIndex: time.Duration(r.TermIndexDays) * day, Held: time.Duration(r.HeldDays) * day, Journal: time.Duration(r.JournalDays) * day}
}

// Keeps reports whether p deletes nothing.
func (p Policy) Keeps() bool { return p == Policy{} }

// Swept is what one sweep deleted.
type Swept struct {
	Decisions int64 `json:"decisions"`
	Audit     int64 `json:"audit"`
	TermIndex int64 `json:"term_index"`
	Held      int64 `json:"held"`
	Journal   int64 `json:"journal"`
}

// Total is the number of records deleted.
func (s Swept) Total() int64 { return s.Decisions + s.Audit + s.TermIndex + s.Held + s.Journal }

// Kinds names each kind with its count, for logs and metrics.
func (s Swept) Kinds() map[string]int64 {
	return map[string]int64{"decisions": s.Decisions, "audit": s.Audit, "term_index": s.TermIndex, "held": s.Held, "journal": s.Journal}
}

// Purger ends waiting mail older than a cutoff (held.Service.Purge).
type Purger interface {
	Purge(ctx context.Context, cutoff time.Time, why string) ([]held.Item, error)
}

// Sweeper deletes old records from one database.
type Sweeper struct {
	DB    *store.DB
	Audit *audit.Log
	Terms *terms.Store
	// Held, when set, ends held and confirming mail older than
	// Policy.Held; without it (misend prune, which has no spool) that kind
	// is left to the serving misend.
	Held Purger
	// Actor is who the audit entry names: "misend" for the daily sweep of
	// serve, the administrator's name for misend prune.
	Actor string
	// RecordEmpty writes the audit entry also when nothing was deleted
	// (an administrator's explicit prune); the daily sweep does not, so
	// as not to fill the log with nothing.
	RecordEmpty bool
	Now         func() time.Time // default time.Now
	// FirstAfter is how long Every waits before its first sweep; default
	// a minute, to keep a start quick.
	FirstAfter time.Duration
}

// Sweep deletes what p says is too old, then records the sweep.
func (s *Sweeper) Sweep(ctx context.Context, p Policy) (Swept, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	t := now().UTC()
	var out Swept
	var said []string
	var err error
	if p.Decisions > 0 {
		before := t.Add(-p.Decisions)
		if out.Decisions, err = decisions.Prune(ctx, s.DB, before); err != nil {
			return out, err
		}
		said = append(said, fmt.Sprintf("decisions: %d before %s", out.Decisions, before.Format(time.RFC3339)))
	}
	if p.Audit > 0 {
		before := t.Add(-p.Audit)
		if out.Audit, err = s.Audit.Prune(ctx, before); err != nil {
			return out, err
		}
		said = append(said, fmt.Sprintf("audit: %d before %s", out.Audit, before.Format(time.RFC3339)))
	}
	if p.TermIndex > 0 && s.Terms != nil {
		// The index knows days, not times: a message goes once its whole
		// day is older than the retention.
		before := t.Add(-p.TermIndex).Format(time.DateOnly)
		if out.TermIndex, err = s.Terms.PruneIndex(ctx, before); err != nil {
			return out, err
		}
		said = append(said, fmt.Sprintf("term index: %d sent before %s", out.TermIndex, before))
	}
	if p.Journal > 0 {
		before := t.Add(-p.Journal)
		if out.Journal, err = journal.PruneOlder(ctx, s.DB, before); err != nil {
			return out, err
		}
		said = append(said, fmt.Sprintf("model journal: %d before %s", out.Journal, before.Format(time.RFC3339)))
	}
	if p.Held > 0 && s.Held != nil {
		before := t.Add(-p.Held)
		days := int(p.Held / (24 * time.Hour))
		ended, err := s.Held.Purge(ctx, before, fmt.Sprintf("retention: no answer within %d days; deleted, not sent", days))
		out.Held = int64(len(ended))
		said = append(said, fmt.Sprintf("held mail: %d waiting since before %s, deleted unsent", out.Held, before.Format(time.RFC3339)))
		if err != nil {
			// What was ended is recorded per message already; the sweep
			// entry still goes in for the rest.
			s.record(ctx, t, out, said)
			return out, err
		}
	}
	return out, s.record(ctx, t, out, said)
}

// record writes the sweep to the audit log: always when it deleted
// something, and an administrator's sweep also when not.
func (s *Sweeper) record(ctx context.Context, t time.Time, out Swept, said []string) error {
	if out.Total() == 0 && (!s.RecordEmpty || len(said) == 0) {
		return nil
	}
	actor := s.Actor
	if actor == "" {
		actor = "misend"
	}
	if err := s.Audit.Record(ctx, audit.Entry{Actor: actor, Role: "retention", Action: audit.Prune, At: t,
		Detail: strings.Join(said, "; ")}); err != nil {
		return fmt.Errorf("retention: record the sweep: %w", err)
	}
	return nil
}

// Every sweeps FirstAfter (a minute) after it is called, then every
// interval until ctx ends, logging each sweep that deleted
// anything and each failure, and telling observe (if set) of each.
func (s *Sweeper) Every(ctx context.Context, p Policy, interval time.Duration, log *slog.Logger, observe func(Swept, error)) {
	wait := s.FirstAfter
	if wait <= 0 {
		wait = time.Minute
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = interval
		out, err := s.Sweep(ctx, p)
		if observe != nil && ctx.Err() == nil {
			observe(out, err)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("retention sweep", "err", err)
		case out.Total() > 0:
			log.Info("retention sweep", "decisions", out.Decisions, "audit", out.Audit, "term_index", out.TermIndex,
				"held", out.Held, "journal", out.Journal)
		}
	}
}
