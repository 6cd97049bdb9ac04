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
type ordered[J, R any] struct {
	jobs  chan orderedJob[J, R]
	queue chan chan R // one per submitted job, in submission order
	work  sync.WaitGroup
	done  chan struct{}
}

type orderedJob[J, R any] struct {
	in  J
	out chan R
}

// orderedWindow is how many inputs per worker may be in flight: enough to
// keep workers busy when one message takes much longer than the next,
// few enough that the held messages stay small.
const orderedWindow = 64

// startOrdered starts workers goroutines (≤ 0: GOMAXPROCS) running f, and
// the goroutine calling sink.
func startOrdered[J, R any](workers int, f func(J) R, sink func(R)) *ordered[J, R] {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	o := &ordered[J, R]{
		jobs:  make(chan orderedJob[J, R], workers*orderedWindow+1),
		queue: make(chan chan R, workers*orderedWindow),
		done:  make(chan struct{}),
	}
	for range workers {
		o.work.Go(func() {
			for j := range o.jobs {
				j.out <- f(j.in) // buffered: never blocks
			}
		})
	}
	go func() {
		defer close(o.done)
		for out := range o.queue {
			sink(<-out)
		}
	}()
	return o
}

// submit queues in, blocking while the window is full, which paces the
// caller to the workers. It returns ctx's error if ctx ends first.
func (o *ordered[J, R]) submit(ctx context.Context, in J) error {
	out := make(chan R, 1)
	select {
	case o.queue <- out:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Room in queue means room in jobs: a job waits in jobs only while
	// its result channel is in queue or is the one the sink waits on.
	o.jobs <- orderedJob[J, R]{in, out}
	return nil
}

// close waits until every submitted input has reached the sink.
func (o *ordered[J, R]) close() {
	close(o.jobs)
	close(o.queue)
	o.work.Wait()
	<-o.done
}
