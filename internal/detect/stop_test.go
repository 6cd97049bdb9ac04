package detect

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// doneAfter is a context whose deadline passes after its Err has been
// looked at n times: a deadline at a known point of the work.
type doneAfter struct {
	context.Context
	n, looks int
}

func (c *doneAfter) Err() error {
	if c.looks++; c.looks > c.n {
		return context.DeadlineExceeded
	}
	return nil
}

// A check past its deadline stops where it is, at the next look at its
// context, rather than finishing work nobody waits for.
func TestCheckStopsAtDeadline(t *testing.T) {
	d, msg, now := hostile(200, 20)

	whole := d.newCheck(context.Background(), msg, now, Options{})
	if err := whole.run(); err != nil {
		t.Fatal(err)
	}
	for _, looks := range []int{0, 1, 3, 8} {
		t.Run(fmt.Sprintf("deadline after %d looks", looks), func(t *testing.T) {
			c := d.newCheck(&doneAfter{Context: context.Background(), n: looks}, msg, now, Options{})
			if err := c.run(); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("run: %v, want the deadline's error", err)
			}
			// The work done: recipients looked up in the model. Each
			// look at the context lets at most stopEvery more happen.
			if most := (looks + 1) * stopEvery; len(c.rs) > most || len(whole.rs) <= most {
				t.Errorf("%d recipients looked up, at most %d allowed, %d in a whole check", len(c.rs), most, len(whole.rs))
			}
		})
	}
	if r, err := d.CheckContext(&doneAfter{Context: context.Background(), n: 2}, msg, now, Options{}); !errors.Is(err, context.DeadlineExceeded) || r.Findings != nil {
		t.Errorf("CheckContext past the deadline: %+v, %v", r, err)
	}
}
