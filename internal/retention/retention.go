// Package retention deletes what misend keeps about mail once the
// organisation's retention policy says it is old enough: decisions (the
// verdicts and findings behind the reports), audit entries and the term
// index of imported mail. Each sweep that deletes anything is itself
// written to the audit log, so the log says when and why it has no older
// entries.
//
// The learned model keeps no per-message records (its counts decay), the
// replicas' journal prunes itself, and held mail leaves the spool with
// [queue] max_age and keep_finished: none of them needs a sweep here.
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
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

// Policy is how long each kind of record is kept; zero keeps it for ever.
type Policy struct {
	Decisions time.Duration
	Audit     time.Duration
	TermIndex time.Duration
}

// FromConfig is the policy of a [retention] table.
func FromConfig(r config.Retention) Policy {
	day := 24 * time.Hour
	return Policy{Decisions: time.Duration(r.DecisionsDays) * day, Audit: time.Duration(r.AuditDays) * day,
		TermIndex: time.Duration(r.TermIndexDays) * day}
}

// Keeps reports whether p deletes nothing.
func (p Policy) Keeps() bool { return p.Decisions == 0 && p.Audit == 0 && p.TermIndex == 0 }

// Swept is what one sweep deleted.
type Swept struct {
	Decisions int64 `json:"decisions"`
	Audit     int64 `json:"audit"`
	TermIndex int64 `json:"term_index"`
}

// Total is the number of records deleted.
func (s Swept) Total() int64 { return s.Decisions + s.Audit + s.TermIndex }

// Sweeper deletes old records from one database.
type Sweeper struct {
	DB    *store.DB
	Audit *audit.Log
	Terms *terms.Store
	// Actor is who the audit entry names: "misend" for the daily sweep of
	// serve, the administrator's name for misend prune.
	Actor string
	// RecordEmpty writes the audit entry also when nothing was deleted
	// (an administrator's explicit prune); the daily sweep does not, so
	// as not to fill the log with nothing.
	RecordEmpty bool
	Now         func() time.Time // default time.Now
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
	if out.Total() > 0 || (s.RecordEmpty && len(said) > 0) {
		actor := s.Actor
		if actor == "" {
			actor = "misend"
		}
		if err := s.Audit.Record(ctx, audit.Entry{Actor: actor, Role: "retention", Action: audit.Prune, At: t,
			Detail: strings.Join(said, "; ")}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Every sweeps once a minute after it is called, to keep a start quick,
// then every interval until ctx ends, logging each sweep that deleted
// anything and each failure.
func (s *Sweeper) Every(ctx context.Context, p Policy, interval time.Duration, log *slog.Logger) {
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = interval
		out, err := s.Sweep(ctx, p)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("retention sweep", "err", err)
		case out.Total() > 0:
			log.Info("retention sweep", "decisions", out.Decisions, "audit", out.Audit, "term_index", out.TermIndex)
		}
	}
}
