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
// once per interval. The look and the rebuild run in the background: the
// message that finds the interval passed is checked, like every message
// meanwhile, against the lists in force, and never waits for the database
// or for a new automaton. When the store cannot be read it keeps checking
// with the lists it has — the last known lists still protect — and reports
// the error through OnError.
type Live struct {
	s     *Store
	every time.Duration

	// OnError, if set, hears about failed reloads.
	OnError func(error)

	cur atomic.Pointer[Checker]

	mu      sync.Mutex // guards dir, gen and checked; never held while reading the store
	dir     *directory.Directory
	gen     int64
	checked time.Time

	reloading sync.Mutex     // one reload at a time
	looking   atomic.Bool    // a background look is under way
	looks     sync.WaitGroup // background looks, for Settle

	lookStarts chan struct{} // tests: a background look waits for a value here first
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

// reload builds a Checker from the store's current lists and puts it in
// force.
func (l *Live) reload(ctx context.Context) error {
	l.reloading.Lock()
	defer l.reloading.Unlock()
	gen, err := l.s.Generation(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	dir := l.dir
	l.mu.Unlock()
	c, err := l.s.Checker(ctx, dir)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dir != dir {
		// SetDirectory ran meanwhile and built from the newer one.
		return nil
	}
	l.cur.Store(c)
	l.gen, l.checked = gen, time.Now()
	return nil
}

// refresh starts a background look when the interval has passed and no
// look is under way; the look reloads when the generation moved.
func (l *Live) refresh() {
	l.mu.Lock()
	due := time.Since(l.checked) >= l.every
	if due {
		l.checked = time.Now() // one looker per interval, even on error
	}
	gen := l.gen
	l.mu.Unlock()
	if !due || !l.looking.CompareAndSwap(false, true) {
		return
	}
	l.looks.Add(1)
	go func() {
		defer l.looks.Done()
		defer l.looking.Store(false)
		if l.lookStarts != nil {
			<-l.lookStarts
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		now, err := l.s.Generation(ctx)
		if err == nil && now != gen {
			err = l.reload(ctx)
		}
		if err != nil && l.OnError != nil {
			l.OnError(err)
		}
	}()
}

// Settle waits for a background look under way to finish.
func (l *Live) Settle() { l.looks.Wait() }

// CheckContent implements detect.ContentChecker.
func (l *Live) CheckContent(msg *mail.Message) []finding.Finding {
	l.refresh()
	return l.cur.Load().CheckContent(msg)
}
