package queue

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// What a sync cycle makes durable. Each bit costs one fsync per cycle,
// however many messages the cycle covers.
const (
	syncMsgDir  = 1 << iota // names of message files renamed into msg/
	syncMetaDir             // names of metadata files renamed into meta/
	syncJournal             // in-flight records appended to the journal
)

// group is the group commit: callers that need a directory or the journal
// durable join the cycle being collected, one of them (the leader) runs the
// fsyncs for all, and each is released once a cycle that started after its
// own write has finished. Concurrent accepts thus share one directory fsync
// instead of paying one each, without a goroutine of its own to stop.
type group struct {
	q *Queue

	mu      sync.Mutex
	cond    *sync.Cond
	cur     *cycle // being collected
	running bool   // a leader is syncing; cur starts when it is done
	flusher bool   // a goroutine is on its way to run cur for later()
}

type cycle struct {
	need  int
	after []func() // run once the cycle is durable (e.g. unlink bodies)
	done  bool
	err   error
}

func newGroup(q *Queue) *group {
	g := &group{q: q, cur: &cycle{}}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// wait returns once what need names, as of now, is durable.
func (g *group) wait(need int) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.cur
	c.need |= need
	g.drive(c)
	return c.err
}

// later asks for need to be made durable by a coming cycle and runs after
// once it is, without waiting. Used where durability is wanted soon but
// nobody is answered on it (a finished delivery's metadata).
func (g *group) later(need int, after func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cur.need |= need
	if after != nil {
		g.cur.after = append(g.cur.after, after)
	}
	if !g.flusher {
		g.flusher = true
		go func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.flusher = false
			g.drive(g.cur)
		}()
	}
}

// drive (g.mu held) leads cycles until c is done, or waits while another
// leader runs one.
func (g *group) drive(c *cycle) {
	for !c.done {
		if g.running {
			g.cond.Wait()
			continue
		}
		run := g.cur
		g.cur = &cycle{}
		g.running = true
		g.mu.Unlock()
		run.err = g.q.syncNow(run.need)
		if run.err == nil {
			for _, f := range run.after {
				f()
			}
		}
		g.mu.Lock()
		run.done = true
		g.running = false
		g.cond.Broadcast()
	}
}

// syncNow runs one cycle's fsyncs.
func (q *Queue) syncNow(need int) error {
	var errs []error
	if need&syncMsgDir != 0 {
		errs = append(errs, q.syncDir("msg"))
	}
	if need&syncMetaDir != 0 {
		errs = append(errs, q.syncDir("meta"))
	}
	if need&syncJournal != 0 {
		errs = append(errs, q.journal.sync())
	}
	return errors.Join(errs...)
}

func (q *Queue) syncDir(sub string) error {
	d, err := os.Open(q.path(sub))
	if err != nil {
		return fmt.Errorf("queue: sync %s: %w", sub, err)
	}
	defer d.Close()
	if err := q.syncFile(d); err != nil {
		return fmt.Errorf("queue: sync %s: %w", sub, err)
	}
	return nil
}
