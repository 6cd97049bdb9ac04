package detect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/model/mailgen"
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
	org := mailgen.New(mailgen.Config{Seed: 1, Insiders: 200})
	m := model.New(model.Config{OrgDomains: []string{mailgen.OrgDomain}})
	org.History(20, 4, func(msg *mail.Message) { m.Learn(msg) })
	p := org.People[org.Insiders[0]]
	// The hostile case: 200 new recipients at new domains, all alike.
	msg := &mail.Message{From: mail.Address{Addr: p.Addr}, Text: strings.Repeat("田中様、鈴木様、佐藤様、", 200)}
	for i := range 200 {
		msg.To = append(msg.To, mail.Address{Name: "Tanaka Taro", Addr: fmt.Sprintf("tanaka%d@new%d-shoji.co.jp", i, i)})
	}
	d := &Detector{Model: m}
	now := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)

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
