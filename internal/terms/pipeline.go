package terms

import (
	"context"
	"runtime"
	"sync"
)

// ordered runs a function over a stream of inputs on several goroutines and
// hands the results to one sink goroutine in the order the inputs came.
// Tokenising is what takes the time and it is independent per message;
// adding to a corpus or writing the index is cheap but must see messages in
// a fixed order, so that term ids, index rows and everything built from
// them are the same bytes whatever the number of workers.
//
// Inputs travel in chunks: with the cache most messages take microseconds,
// and a channel hand-off per message would cost as much as the work.
type ordered[J, R any] struct {
	f       func(J) R
	pending []J // the chunk being filled by submit
	jobs    chan orderedJob[J, R]
	queue   chan chan []R // one per chunk, in submission order
	work    sync.WaitGroup
	done    chan struct{}
}

type orderedJob[J, R any] struct {
	in  []J
	out chan []R
}

const (
	// orderedChunk is how many inputs travel together.
	orderedChunk = 32
	// orderedWindow is how many chunks per worker may be in flight:
	// enough to keep workers busy when one message takes much longer
	// than the next, few enough that the held messages stay small.
	orderedWindow = 8
)

// startOrdered starts workers goroutines (≤ 0: GOMAXPROCS) running f, and
// the goroutine calling sink.
func startOrdered[J, R any](workers int, f func(J) R, sink func(R)) *ordered[J, R] {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	o := &ordered[J, R]{
		f:     f,
		jobs:  make(chan orderedJob[J, R], workers*orderedWindow+1),
		queue: make(chan chan []R, workers*orderedWindow),
		done:  make(chan struct{}),
	}
	for range workers {
		o.work.Go(func() {
			for j := range o.jobs {
				out := make([]R, len(j.in))
				for i, in := range j.in {
					out[i] = o.f(in)
				}
				j.out <- out // buffered: never blocks
			}
		})
	}
	go func() {
		defer close(o.done)
		for out := range o.queue {
			for _, r := range <-out {
				sink(r)
			}
		}
	}()
	return o
}

// submit queues in, blocking while the window is full, which paces the
// caller to the workers. It returns ctx's error if ctx ends first. It must
// not be called from more than one goroutine at a time.
func (o *ordered[J, R]) submit(ctx context.Context, in J) error {
	if o.pending == nil {
		o.pending = make([]J, 0, orderedChunk)
	}
	o.pending = append(o.pending, in)
	if len(o.pending) < orderedChunk {
		return nil
	}
	return o.send(ctx)
}

func (o *ordered[J, R]) send(ctx context.Context) error {
	chunk := o.pending
	o.pending = nil
	out := make(chan []R, 1)
	select {
	case o.queue <- out:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Room in queue means room in jobs: a job waits in jobs only while
	// its result channel is in queue or is the one the sink waits on.
	o.jobs <- orderedJob[J, R]{chunk, out}
	return nil
}

// close hands on the last partial chunk and waits until every submitted
// input has reached the sink.
func (o *ordered[J, R]) close() {
	if len(o.pending) > 0 {
		o.send(context.Background())
	}
	close(o.jobs)
	close(o.queue)
	o.work.Wait()
	<-o.done
}
