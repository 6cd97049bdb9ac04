package journal

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/misend/misend/internal/model"
)

// Bounds: how much unsent learning a replica keeps while the database is
// away (beyond it, observations are dropped and counted: the model here
// still learned them), and how many entries one read takes.
const (
	maxPending = 100_000
	readBatch  = 1000
)

// keepFor is how long entries stay after a snapshot covers them, for
// replicas still catching up; a variable for tests.
var keepFor = 24 * time.Hour

// Sharer keeps one model and the journal in step: what the model learned
// in this process goes out, what the others learned comes in.
type Sharer struct {
	j *Journal
	m *model.Model

	mu      sync.Mutex
	pending []model.Observation
	dropped int // since the last Sync
}

// Synced is what one Sync did.
type Synced struct {
	Appended int // observations of this process written to the journal
	Applied  int // observations of others learned
	Dropped  int // observations of this process given up while the journal could not be written
	// Reloaded tells that entries this process had not learned were
	// pruned, and the model was reloaded from the stored snapshot, which
	// covers them.
	Reloaded bool
}

// NewSharer shares m's learning through j.
func NewSharer(j *Journal, m *model.Model) *Sharer { return &Sharer{j: j, m: m} }

// Learned queues an observation this process learned, for the next Sync.
func (s *Sharer) Learned(o model.Observation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) >= maxPending {
		s.dropped++
		return
	}
	s.pending = append(s.pending, o)
}

// Sync appends what was learned here and applies what the others
// appended since the model's journal position.
func (s *Sharer) Sync(ctx context.Context) (Synced, error) {
	var r Synced
	n, err := s.flush(ctx)
	r.Appended = n
	s.mu.Lock()
	r.Dropped, s.dropped = s.dropped, 0
	s.mu.Unlock()
	if err != nil {
		return r, err
	}
	if r.Reloaded, err = s.catchUp(ctx); err != nil {
		return r, err
	}
	for {
		entries, pos, more, err := s.j.After(ctx, s.m.JournalPosition(), readBatch)
		if err != nil {
			return r, err
		}
		for i := range entries {
			if s.m.LearnObservation(&entries[i].Obs) {
				r.Applied++
			}
		}
		s.m.SetJournalPosition(pos)
		if !more {
			return r, nil
		}
	}
}

// catchUp reloads the model from the stored snapshot when entries after
// its position are gone: the snapshot reaches further than the model and
// the oldest entry kept is not the next one. (A gap a rolled-back append
// left looks the same; reloading then costs time, not learning: this
// process's own observations were flushed before.)
func (s *Sharer) catchUp(ctx context.Context) (bool, error) {
	pos := s.m.JournalPosition()
	stored, err := model.SavedJournalPosition(ctx, s.j.db)
	if err != nil || stored <= pos {
		return false, err
	}
	first, ok, err := s.j.first(ctx)
	if err != nil || (ok && first <= pos+1) {
		return false, err
	}
	if err := s.m.Reload(ctx, s.j.db); err != nil {
		return false, fmt.Errorf("reload the model after missing pruned journal entries: %w", err)
	}
	return true, nil
}

// flush writes the pending observations; on failure they stay pending for
// the next try, older first, within the bound.
func (s *Sharer) flush(ctx context.Context) (int, error) {
	s.mu.Lock()
	batch := s.pending
	s.pending = nil
	s.mu.Unlock()
	if err := s.j.Append(ctx, batch); err != nil {
		s.mu.Lock()
		s.pending = append(batch, s.pending...)
		if over := len(s.pending) - maxPending; over > 0 {
			s.pending = s.pending[over:]
			s.dropped += over
		}
		s.mu.Unlock()
		return 0, err
	}
	return len(batch), nil
}

// Save stores the model with save, unless the stored snapshot already
// reaches further into the journal than this model has learned: a replica
// ahead saved it, and this one's own learning is in the journal (flushed
// first) for whoever loads that snapshot. Then it prunes the entries the
// stored snapshot covers, once they are a day old.
func (s *Sharer) Save(ctx context.Context, save func(context.Context) error) error {
	if _, err := s.flush(ctx); err != nil {
		return err
	}
	stored, err := model.SavedJournalPosition(ctx, s.j.db)
	if err != nil {
		return err
	}
	if stored <= s.m.JournalPosition() {
		if err := save(ctx); err != nil {
			return err
		}
		if stored, err = model.SavedJournalPosition(ctx, s.j.db); err != nil {
			return err
		}
	}
	_, err = s.j.Prune(ctx, stored, time.Now().Add(-keepFor))
	return err
}
