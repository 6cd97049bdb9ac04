package refit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
)

// Window is the stretch of history an import's calibration fitted on.
type Window struct {
	From, Until time.Time
	Messages    int // clean messages fitted on
}

// SaveImport replaces the stored import samples with samples, vectors of
// this build's features (detect.FeatureSet), fitted on win.
func SaveImport(ctx context.Context, db *store.DB, win Window, samples []Sample) error {
	if err := Migrate(ctx, db); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("refit: save import samples: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM refit_import`); err != nil {
		return fmt.Errorf("refit: save import samples: %w", err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO refit_import (feature_set, mistake, features) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("refit: save import samples: %w", err)
	}
	defer st.Close()
	set := detect.FeatureSet()
	for _, s := range samples {
		mistake := 0
		if s.Mistake {
			mistake = 1
		}
		if _, err := st.ExecContext(ctx, set, mistake, decisions.EncodeFeatures(s.Features)); err != nil {
			return fmt.Errorf("refit: save import samples: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO refit_window (id, from_ms, until_ms, messages) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET from_ms = excluded.from_ms, until_ms = excluded.until_ms, messages = excluded.messages`,
		win.From.UnixMilli(), win.Until.UnixMilli(), win.Messages); err != nil {
		return fmt.Errorf("refit: save import window: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("refit: save import samples: %w", err)
	}
	return nil
}

func importWindow(ctx context.Context, db *store.DB) (Window, error) {
	var from, until int64
	var w Window
	err := db.QueryRowContext(ctx, `SELECT from_ms, until_ms, messages FROM refit_window WHERE id = 1`).Scan(&from, &until, &w.Messages)
	if errors.Is(err, sql.ErrNoRows) {
		return w, nil
	}
	if err != nil {
		return w, fmt.Errorf("refit: import window: %w", err)
	}
	w.From, w.Until = time.UnixMilli(from).UTC(), time.UnixMilli(until).UTC()
	return w, nil
}

func eachImport(ctx context.Context, db *store.DB, c *Counts, fn func(Sample)) error {
	rows, err := db.QueryContext(ctx, `SELECT feature_set, mistake, features FROM refit_import ORDER BY id`)
	if err != nil {
		return fmt.Errorf("refit: import samples: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var fs string
		var mistake int
		var b []byte
		if err := rows.Scan(&fs, &mistake, &b); err != nil {
			return fmt.Errorf("refit: import samples: %w", err)
		}
		f, ok := vectorOf(fs, b)
		if !ok {
			c.OtherSet++
			continue
		}
		c.Import++
		if mistake != 0 {
			c.ImportMistakes++
		}
		fn(Sample{Features: f, Mistake: mistake != 0})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("refit: import samples: %w", err)
	}
	return nil
}

// answer is what people said about one decision, as far as it labels it.
type answer struct{ honest, mistake bool }

// answers reads every feedback event into the label it gives each
// decision, keyed as decisionKey keys them. Feedback is a few rows per
// flagged message: it fits in memory where decisions may not.
func answers(ctx context.Context, db *store.DB) (map[string]answer, error) {
	log, err := feedback.Open(ctx, db, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]answer{}
	err = log.Each(ctx, time.Time{}, func(e feedback.Event) error {
		k := decisionKey(e.QueueID, e.Sender, e.MessageID)
		a := out[k]
		switch {
		case e.Kind.Catch():
			a.mistake = true
		case e.Kind.FalseAlarm():
			a.honest = true
		}
		out[k] = a
		return nil
	})
	return out, err
}

// decisionKey matches feedback to the decision it answers: by the queue
// entry when the message waited in misend's queue, else by sender and
// Message-ID.
func decisionKey(queueID, sender, messageID string) string {
	if queueID != "" {
		return "q\x00" + queueID
	}
	return "m\x00" + sender + "\x00" + messageID
}

// eachServed calls fn for every decision made while serving whose vector
// was kept, labelled: a mistake when anyone said so (a sender who first
// confirmed and then cancelled did find a mistake), honest when someone
// vouched for it or it passed. Flagged decisions nobody answered are
// counted and left out. It returns when the newest was made.
func eachServed(ctx context.Context, db *store.DB, c *Counts, fn func(s Sample, answered bool)) (time.Time, error) {
	ans, err := answers(ctx, db)
	if err != nil {
		return time.Time{}, err
	}
	rows, err := db.QueryContext(ctx, `SELECT at, queue_id, sender, message_id, decided, feature_set, features
		FROM decisions WHERE features IS NOT NULL ORDER BY id`)
	if err != nil {
		return time.Time{}, fmt.Errorf("refit: decisions: %w", err)
	}
	defer rows.Close()
	var newest time.Time
	for rows.Next() {
		var at int64
		var qid, sender, mid, decided, fs string
		var b []byte
		if err := rows.Scan(&at, &qid, &sender, &mid, &decided, &fs, &b); err != nil {
			return time.Time{}, fmt.Errorf("refit: decisions: %w", err)
		}
		f, ok := vectorOf(fs, b)
		if !ok {
			c.OtherSet++
			continue
		}
		a, answered := ans[decisionKey(qid, sender, mid)]
		if !answered && qid != "" {
			// Answered by Message-ID (the API's feedback) though it waited.
			a, answered = ans[decisionKey("", sender, mid)]
		}
		switch {
		case answered && a.mistake:
			c.Mistakes++
			fn(Sample{Features: f, Mistake: true}, true)
		case answered && a.honest:
			c.Honest++
			fn(Sample{Features: f}, true)
		case policy.Verdict(decided) == policy.Pass:
			c.Passed++
			fn(Sample{Features: f}, false)
		default:
			c.Unanswered++
			continue
		}
		if t := time.UnixMilli(at).UTC(); t.After(newest) {
			newest = t
		}
	}
	if err := rows.Err(); err != nil {
		return time.Time{}, fmt.Errorf("refit: decisions: %w", err)
	}
	return newest, nil
}

// vectorOf decodes a stored vector of feature set fs, if this build's
// features mean the same.
func vectorOf(fs string, b []byte) ([]float64, bool) {
	if fs != detect.FeatureSet() {
		return nil, false
	}
	f, err := decisions.DecodeFeatures(b)
	return f, err == nil && len(f) == len(detect.FeatureNames)
}
