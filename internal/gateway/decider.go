package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/queue"
)

// ServiceDecider decides through check.Service, the decision path every
// misend entrance shares. A panic or an unparsed message becomes an error,
// which the gateway turns into its fail-safe verdict.
type ServiceDecider struct {
	Service *check.Service
}

// Decide implements Decider.
func (d ServiceDecider) Decide(ctx context.Context, env queue.Envelope, msg *mail.Message) (out check.Outcome, err error) {
	if msg == nil {
		return check.Outcome{}, errors.New("decide: message could not be parsed")
	}
	type answer struct {
		out check.Outcome
		err error
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- answer{err: fmt.Errorf("decide: panic: %v", v)}
			}
		}()
		done <- answer{out: d.Service.Check(msg, time.Now())}
	}()
	select {
	case a := <-done:
		return a.out, a.err
	case <-ctx.Done():
		return check.Outcome{}, fmt.Errorf("decide: %w", ctx.Err())
	}
}
