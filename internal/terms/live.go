package terms

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
)

// Live is a ContentChecker for long-running servers: it rebuilds its
// Checker when the stored lists, rules or exceptions change, looking at most
// once per interval. When the store cannot be read it keeps checking with the
// lists it has — the last known lists still protect — and reports the error
// through OnError.
type Live struct {
	s     *Store
	every time.Duration

	// OnError, if set, hears about failed reloads.
	OnError func(error)

	cur atomic.Pointer[Checker]

	mu      sync.Mutex
	dir     *directory.Directory
	gen     int64
	checked time.Time
}

// NewLive builds the first Checker from s; later ones follow changes.
func NewLive(ctx context.Context, s *Store, dir *directory.Directory, every time.Duration) (*Live, error) {
	l := &Live{s: s, every: every, dir: dir}
	if err := l.reload(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// SetDirectory replaces the directory (after a new import) and rebuilds.
func (l *Live) SetDirectory(ctx context.Context, dir *directory.Directory) error {
	l.mu.Lock()
	l.dir = dir
	l.mu.Unlock()
	return l.reload(ctx)
}

func (l *Live) reload(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	gen, err := l.s.Generation(ctx)
	if err != nil {
		return err
	}
	c, err := l.s.Checker(ctx, l.dir)
	if err != nil {
		return err
	}
	l.cur.Store(c)
	l.gen, l.checked = gen, time.Now()
	return nil
}

// refresh reloads when the interval has passed and the generation moved.
func (l *Live) refresh() {
	l.mu.Lock()
	due := time.Since(l.checked) >= l.every
	if due {
		l.checked = time.Now() // one looker per interval, even on error
	}
	gen := l.gen
	l.mu.Unlock()
	if !due {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now, err := l.s.Generation(ctx)
	if err == nil && now != gen {
		err = l.reload(ctx)
	}
	if err != nil && l.OnError != nil {
		l.OnError(err)
	}
}

// CheckContent implements detect.ContentChecker.
func (l *Live) CheckContent(msg *mail.Message) []finding.Finding {
	l.refresh()
	return l.cur.Load().CheckContent(msg)
}
