package queue

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Result is what a delivery attempt did.
type Result struct {
	// Permanent is set when the upstream refused for good (5xx): the message
	// bounces instead of being retried.
	Permanent bool
	// Uncertain is set when the attempt failed after the whole message
	// went out but before the upstream answered: it may have been taken,
	// so another attempt may deliver it twice.
	Uncertain bool
	Err       error
}

// Deliverer hands one message to the upstream.
type Deliverer interface {
	Deliver(ctx context.Context, env Envelope, raw []byte) Result
}

// Retry is the back-off schedule of failed deliveries.
type Retry struct {
	First  time.Duration // wait after the first failure
	Max    time.Duration // cap of the exponential wait
	MaxAge time.Duration // after this long the message bounces
}

// DefaultRetry retries after a minute, doubling up to an hour, for five days.
var DefaultRetry = Retry{First: time.Minute, Max: time.Hour, MaxAge: 5 * 24 * time.Hour}

// backoff is the wait after the n-th failed attempt, with ±20% jitter so a
// spool full of mail does not hammer a recovering upstream in lockstep.
func (r Retry) backoff(n int) time.Duration {
	d := r.First
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	j := time.Duration(rand.Int64N(int64(d)/5 + 1))
	return d - d/10 + j
}

// Hooks tell the rest of misend what delivery did. Any may be nil.
type Hooks struct {
	Delivered func(Item, []byte) // e.g. teach the model
	Bounced   func(Item, []byte, error)
}

// Run delivers due messages with Options.Workers workers until ctx ends.
// It returns after the attempts in flight, if any, finished. Hooks may be
// called from several workers at once.
func (q *Queue) Run(ctx context.Context, d Deliverer, r Retry, h Hooks) {
	var wg sync.WaitGroup
	for range q.workers {
		wg.Go(func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				for ctx.Err() == nil && q.deliverOne(ctx, d, r, h) {
				}
				select {
				case <-ctx.Done():
					return
				case <-q.wake:
				case <-tick.C:
				}
			}
		})
	}
	wg.Wait()
}

// claim picks the next due message and marks it Delivering in memory, so
// no other worker and no person's action touches it during the attempt.
// The attempt may start only once the journal holds it (deliverOne).
func (q *Queue) claim(now time.Time) (prev, next Item, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, ok := q.popDue(now)
	if !ok {
		return Item{}, Item{}, false
	}
	prev, next = *it, *it
	next.State = Delivering
	next.Attempts++
	q.set(it, next)
	return prev, next, true
}

// unclaim puts back a message whose attempt did not start.
func (q *Queue) unclaim(prev Item) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if it, ok := q.items[prev.ID]; ok {
		q.set(it, prev)
	}
}

func (q *Queue) deliverOne(ctx context.Context, d Deliverer, r Retry, h Hooks) bool {
	now := time.Now()
	prev, it, ok := q.claim(now)
	if !ok {
		return false
	}
	q.poke() // more may be due: wake another worker
	if err := q.journal.claim(it.ID, it.Attempts); err != nil {
		q.unclaim(prev)
		return false
	}
	raw, err := q.readBody(it.ID)
	var res Result
	if err != nil {
		res = Result{Permanent: true, Err: err}
	} else {
		res = d.Deliver(ctx, it.Envelope, raw)
	}
	next := it
	switch {
	case res.Err == nil:
		next.State, next.LastError = Delivered, ""
	case res.Permanent || now.Sub(it.Created) > r.MaxAge:
		next.State, next.LastError = Bounced, res.Err.Error()
	default:
		next.State, next.LastError = Queued, res.Err.Error()
		next.NotBefore = now.Add(r.backoff(it.Attempts))
	}
	if next.State.final() {
		next.Finished = now.UTC()
		next.Subject = ""
	}
	// Only this worker touches a Delivering message, so the write needs no
	// lock; the outcome's directory sync is left to a coming group cycle,
	// after which the body goes and the journal record may.
	if err := q.writeMeta(&next); err != nil {
		return false // stays Delivering and journaled: retried and counted after a restart
	}
	q.mu.Lock()
	if cur, ok := q.items[it.ID]; ok {
		q.set(cur, next)
	}
	q.mu.Unlock()
	final := next.State.final()
	q.group.later(syncMetaDir, func() {
		if final {
			q.dropBody(it.ID)
		}
		q.journal.resolve(it.ID)
	})
	switch next.State {
	case Delivered:
		if h.Delivered != nil {
			h.Delivered(next, raw)
		}
	case Bounced:
		if h.Bounced != nil {
			h.Bounced(next, raw, res.Err)
		}
	}
	return true
}
