package terms

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestOrderedKeepsOrder: whatever the workers and however long each input
// takes, the sink sees every result once, in submission order, including a
// last partial chunk.
func TestOrderedKeepsOrder(t *testing.T) {
	for _, workers := range []int{1, 2, 5} {
		for _, n := range []int{0, 1, orderedChunk - 1, orderedChunk, 10*orderedChunk + 3} {
			t.Run(fmt.Sprintf("workers=%d,n=%d", workers, n), func(t *testing.T) {
				var got []int
				o := startOrdered(workers, func(i int) int {
					if rand.IntN(4) == 0 {
						time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
					}
					return i * i
				}, func(r int) { got = append(got, r) })
				for i := range n {
					if err := o.submit(context.Background(), i); err != nil {
						t.Fatal(err)
					}
				}
				o.close()
				if len(got) != n {
					t.Fatalf("%d results for %d inputs", len(got), n)
				}
				for i, r := range got {
					if r != i*i {
						t.Fatalf("result %d is %d, want %d", i, r, i*i)
					}
				}
			})
		}
	}
}

// TestOrderedStops: a cancelled context stops a submit that would wait for
// room, and close still returns.
func TestOrderedStops(t *testing.T) {
	release := make(chan struct{})
	o := startOrdered(1, func(i int) int { <-release; return i }, func(int) {})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var err error
	for i := 0; err == nil && i < 10*orderedChunk*orderedWindow; i++ {
		err = o.submit(ctx, i)
	}
	if err == nil {
		t.Fatal("submit never noticed the cancelled context")
	}
	close(release)
	o.close()
}
