package queue

import (
	"context"
	"math/rand/v2"
	"time"
)

// Result is what a delivery attempt did.
type Result struct {
	// Permanent is set when the upstream refused for good (5xx): the message
	// bounces instead of being retried.
	Permanent bool
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

// Run delivers due messages until ctx ends. It returns after the attempt in
// flight, if any, finished.
func (q *Queue) Run(ctx context.Context, d Deliverer, r Retry, h Hooks) {
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
}

// next picks a due message and marks it Delivering durably, so a crash during
// the attempt shows up as a possible duplicate at the next Open.
func (q *Queue) next(now time.Time) (Item, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, it := range q.items {
		due := it.State == Queued || (it.State == Delayed && !it.NotBefore.IsZero())
		if !due || now.Before(it.NotBefore) {
			continue
		}
		next := *it
		next.State = Delivering
		next.Attempts++
		if err := q.writeMeta(&next); err != nil {
			return Item{}, false
		}
		*it = next
		return next, true
	}
	return Item{}, false
}

func (q *Queue) deliverOne(ctx context.Context, d Deliverer, r Retry, h Hooks) bool {
	now := time.Now()
	it, ok := q.next(now)
	if !ok {
		return false
	}
	raw, err := q.Body(it.ID)
	var res Result
	if err != nil {
		res = Result{Permanent: true, Err: err}
	} else {
		res = d.Deliver(ctx, it.Envelope, raw)
	}
	q.mu.Lock()
	cur := q.items[it.ID]
	next := *cur
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
	werr := q.writeMeta(&next)
	if werr == nil {
		*cur = next
		if next.State.final() {
			q.dropBody(it.ID)
		}
	}
	q.mu.Unlock()
	if werr != nil {
		return false // stays Delivering; retried and counted after restart
	}
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
