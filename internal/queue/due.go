package queue

import (
	"container/heap"
	"time"
)

// dueIndex orders the messages waiting for a delivery attempt by when it is
// due, so picking the next one does not look at the rest of the spool
// (finished messages stay listed for days). Entries are not removed when a
// message changes otherwise: pop skips those that no longer match.
type dueIndex []dueEntry

type dueEntry struct {
	at time.Time // zero: now
	id ID
}

func (h dueIndex) Len() int           { return len(h) }
func (h dueIndex) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueIndex) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueIndex) Push(x any)        { *h = append(*h, x.(dueEntry)) }
func (h *dueIndex) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// dueAt reports when it is next due for an attempt, if it waits for one:
// queued mail at once or after its back-off, delayed mail at NotBefore.
func dueAt(it *Item) (time.Time, bool) {
	switch {
	case it.State == Queued:
		return it.NotBefore, true
	case it.State == Delayed && !it.NotBefore.IsZero():
		return it.NotBefore, true
	}
	return time.Time{}, false
}

// index (q.mu held) adds it to the due index if it waits for an attempt.
func (q *Queue) index(it *Item) {
	if at, ok := dueAt(it); ok {
		heap.Push(&q.due, dueEntry{at: at, id: it.ID})
	}
}

// popDue (q.mu held) returns the next message due at now.
func (q *Queue) popDue(now time.Time) (*Item, bool) {
	for len(q.due) > 0 {
		e := q.due[0]
		if now.Before(e.at) {
			return nil, false
		}
		heap.Pop(&q.due)
		it, ok := q.items[e.id]
		if !ok {
			continue
		}
		if at, ok := dueAt(it); ok && at.Equal(e.at) {
			return it, true
		}
	}
	return nil, false
}
