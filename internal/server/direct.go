package server

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/metrics"
	"github.com/misend/misend/internal/queue"
)

// cutThrough sends passing mail to the upstream while the client waits for
// its answer, as Postfix's before-queue content filter does: when the
// upstream takes the message, the client's 250 stands on the upstream's 250
// and the message never touches the spool's disk. The spool's fsyncs, one
// on accept and one for the outcome, are what limits the gateway's
// throughput, and most mail passes.
//
// Anything short of the upstream's 250 sends the message to the spool as
// before: no free session, a refused recipient, an upstream that is down or
// slow. The spool's retries, back-off and bounces then apply unchanged, and
// whether the client hears 250 never depends on the upstream being up.
// After a failure that is not the upstream answering about this message
// (a connection that failed, a 421), the path rests for a while, so that
// during an outage messages are not each first delayed by a failed attempt.
//
// Duplicates: an attempt that failed after the whole message went out and
// before the upstream answered (queue.Result.Uncertain) may have delivered
// it; spooling it may deliver it twice. Such attempts are counted
// (misend_uncertain_deliveries_total), as on the spool's delivery path. A
// client that loses the connection after the upstream's 250 and before ours
// sends the message again, as with any MTA that answers after storing.
type cutThrough struct {
	d       queue.Deliverer // counted: delivered, upstream errors, uncertain
	slots   chan struct{}   // sessions the path may use at once
	timeout time.Duration   // for one attempt
	rest    time.Duration   // after a failure of the upstream itself
	m       *metrics.Metrics
	log     *slog.Logger

	restUntil atomic.Int64 // unix nanoseconds
}

// Cut-through defaults: an attempt that takes longer than cutThroughTimeout
// is abandoned for the spool (Postfix waits 600 s for the answer to DATA,
// so the client is never the one to give up), and a failed upstream is left
// alone for cutThroughRest.
const (
	cutThroughTimeout = 30 * time.Second
	cutThroughRest    = 10 * time.Second
)

func newCutThrough(d queue.Deliverer, sessions int, m *metrics.Metrics, log *slog.Logger) *cutThrough {
	return &cutThrough{
		d: d, slots: make(chan struct{}, sessions), timeout: cutThroughTimeout, rest: cutThroughRest, m: m, log: log,
	}
}

// deliver tries to hand the message to the upstream now and reports whether
// the upstream took it. False means the caller spools it.
func (c *cutThrough) deliver(ctx context.Context, env queue.Envelope, raw []byte) bool {
	if c == nil {
		return false
	}
	if time.Now().UnixNano() < c.restUntil.Load() {
		c.m.CutThrough.WithLabelValues("spooled").Inc()
		return false
	}
	select {
	case c.slots <- struct{}{}:
	default:
		c.m.CutThrough.WithLabelValues("spooled").Inc()
		return false
	}
	defer func() { <-c.slots }()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	r := c.d.Deliver(ctx, env, raw)
	if r.Err == nil {
		c.m.CutThrough.WithLabelValues("delivered").Inc()
		return true
	}
	c.m.CutThrough.WithLabelValues("spooled").Inc()
	var se *smtp.SMTPError
	if !errors.As(r.Err, &se) || se.Code == 421 {
		c.restUntil.Store(time.Now().Add(c.rest).UnixNano())
	}
	c.log.Info("cut-through failed, spooling", "from", env.From, "rcpts", len(env.To), "uncertain", r.Uncertain, "err", r.Err)
	return false
}
