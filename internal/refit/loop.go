package refit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/store"
)

// DefaultEvery is how often serve refits: answers come a few a day, and a
// fit takes seconds of one core.
const DefaultEvery = 24 * time.Hour

// Loop refits the weights every every until ctx ends, stores them, and
// puts them in force in d. Of several replicas on one database one refits
// at a time (a claim in the database); every replica picks up weights
// another stored within a minute. It logs what it did and returns only
// when ctx ends.
func Loop(ctx context.Context, db *store.DB, every time.Duration, d *detect.Detector, o Options, log *slog.Logger) {
	if every <= 0 {
		every = DefaultEvery
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := Migrate(ctx, db); err != nil {
		log.Error("refit: not refitting", "err", err)
		return
	}
	poll := time.NewTicker(min(time.Minute, every))
	defer poll.Stop()
	var inForce, tried time.Time
	// LoadWeights also makes detect's table, which stored reads.
	if w, err := detect.LoadWeights(ctx, db); err == nil && w != nil && w.Fit != nil {
		inForce = w.Fit.At
	}
	var st stored
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
		w, changed, err := st.read(ctx, db)
		if err != nil {
			log.Warn("refit: read stored weights", "err", err)
			continue
		}
		last := time.Time{}
		if w != nil && w.Fit != nil {
			last = w.Fit.At
			if changed && last.After(inForce) {
				d.SetWeights(w) // another replica refitted
				inForce = last
			}
		}
		now := o.Now()
		if now.Sub(last) < every || now.Sub(tried) < every {
			continue
		}
		tried = now
		if ok, err := claim(ctx, db, now, every); err != nil || !ok {
			if err != nil {
				log.Warn("refit: claim", "err", err)
			}
			continue
		}
		nw, c, err := Once(ctx, db, w, o)
		if err != nil {
			log.Warn("refit: weights not refitted", "err", err)
			continue
		}
		if nw == nil {
			continue
		}
		d.SetWeights(nw)
		inForce = nw.Fit.At
		log.Info("refit: weights refitted", "import_samples", c.Import, "answered_right", c.Honest,
			"answered_mistake", c.Mistakes, "passed", c.Passed, "unanswered", c.Unanswered)
	}
}

// Once fits and stores new weights unless nothing was answered or passed
// since prev (the stored weights) were fitted, when it returns nil
// weights.
func Once(ctx context.Context, db *store.DB, prev *detect.Weights, o Options) (*detect.Weights, Counts, error) {
	w, c, err := Fit(ctx, db, o)
	if err != nil {
		return nil, c, err
	}
	if prev != nil && prev.Fit != nil && prev.Fit.Answers == c.Answers() && prev.Fit.Served == c.Passed {
		return nil, c, nil
	}
	if err := detect.SaveWeights(ctx, db, w); err != nil {
		return nil, c, fmt.Errorf("refit: %w", err)
	}
	return w, c, nil
}

// claim moves the refit claim to now unless another replica claimed it
// within the last half period; it reports whether this one won.
func claim(ctx context.Context, db *store.DB, now time.Time, every time.Duration) (bool, error) {
	if _, err := db.ExecContext(ctx, `INSERT INTO refit_claim (id, claimed_ms) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`); err != nil {
		return false, err
	}
	res, err := db.ExecContext(ctx, `UPDATE refit_claim SET claimed_ms = ? WHERE id = 1 AND claimed_ms < ?`,
		now.UnixMilli(), now.Add(-every/2).UnixMilli())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// stored is what the loop last read of the stored weights. With boosted
// trees they run to many kilobytes of JSON, and the loop looks every
// minute for weights another replica stored: they are decoded only when
// their text changed, which its digest tells.
type stored struct {
	read1 bool
	sum   [sha256.Size]byte
	w     *detect.Weights
}

// read returns the stored weights (nil: none) and whether they changed
// since the last read. It reads detect's row itself, where
// detect.LoadWeights would decode it every time.
func (s *stored) read(ctx context.Context, db *store.DB) (*detect.Weights, bool, error) {
	var text string
	err := db.QueryRowContext(ctx, `SELECT weights FROM detect_weights WHERE id = 1`).Scan(&text)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		text = ""
	case err != nil:
		return nil, false, fmt.Errorf("load weights: %w", err)
	}
	sum := sha256.Sum256([]byte(text))
	if s.read1 && sum == s.sum {
		return s.w, false, nil
	}
	var w *detect.Weights
	if text != "" {
		w = new(detect.Weights)
		if err := json.Unmarshal([]byte(text), w); err != nil {
			return nil, false, fmt.Errorf("load weights: %w", err)
		}
	}
	s.read1, s.sum, s.w = true, sum, w
	return w, true, nil
}
