package queue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// What people do to waiting mail, and the pruning of finished mail: each
// change is made durable before it returns. People act only through
// Modify, which internal/held calls after checking who may act and
// recording it: there is no second way to release, cancel or reject.

// commit stores next as the new metadata of it (q.mu held) durably,
// finishing the message when its state is final. These are a person's
// actions, rare next to deliveries, so holding the lock over the sync is
// simpler than the alternatives and costs little.
func (q *Queue) commit(it *Item, next Item) error {
	if next.State == Queued {
		next.NotBefore = time.Time{}
	}
	if next.State.final() {
		next.Finished = time.Now().UTC()
		next.Subject = ""
	}
	if err := q.writeMetaSync(&next); err != nil {
		return err
	}
	q.set(it, next)
	if next.State.final() {
		q.dropBody(it.ID)
	}
	if next.State == Queued {
		q.poke()
	}
	return nil
}

// Modify changes a waiting (held, delayed or confirming) message under the
// queue's lock: fn gets a copy to change and may set State to Queued
// (release), Cancelled or Rejected, or leave it waiting. The change is
// stored durably before Modify returns the new metadata; an error from fn
// changes nothing.
func (q *Queue) Modify(ctx context.Context, id ID, by string, fn func(*Item) error) (Item, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, ok := q.items[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	if !it.State.Waiting() {
		return Item{}, fmt.Errorf("%w: %s is %s", ErrState, id, it.State)
	}
	next := *it
	next.Envelope.To = append([]string(nil), it.Envelope.To...)
	next.Confirmed = append([]string(nil), it.Confirmed...)
	next.Dropped = append([]string(nil), it.Dropped...)
	if err := fn(&next); err != nil {
		return Item{}, err
	}
	switch next.State {
	case Queued, Cancelled, Rejected, Held, Delayed, Confirming:
	default:
		return Item{}, fmt.Errorf("%w: cannot move %s to %s", ErrState, id, next.State)
	}
	next.ID, next.By = it.ID, by
	if err := q.commit(it, next); err != nil {
		return Item{}, err
	}
	return *it, nil
}

// Prune forgets finished messages (delivered, bounced, cancelled, rejected)
// that finished before cutoff, removing their metadata from disk. It
// returns how many it removed.
func (q *Queue) Prune(cutoff time.Time) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	var errs []error
	for id, it := range q.items {
		if !it.State.final() {
			continue
		}
		done := it.Finished
		if done.IsZero() {
			done = it.Created
		}
		if !done.Before(cutoff) {
			continue
		}
		q.dropBody(id)
		if err := os.Remove(q.metaPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		q.count[it.State]--
		delete(q.items, id)
		n++
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("queue: prune: %w", err)
	}
	return n, nil
}

// dropBody deletes a message's body (its message file) once no more
// delivery can happen: bodies are kept only while needed. Callers make sure
// the final state is durable first.
func (q *Queue) dropBody(id ID) {
	os.Remove(q.msgPath(id))
	os.Remove(q.oldBodyPath(id))
}
