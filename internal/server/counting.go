package server

import (
	"context"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/metrics"
	"github.com/misend/misend/internal/queue"
)

// countingDecider counts decisions by verdict and finding code, and
// fail-safe decisions, and times them.
type countingDecider struct {
	d decide.Decider
	m *metrics.Metrics
}

func (c countingDecider) Decide(ctx context.Context, env decide.Envelope, raw []byte) decide.Result {
	t := time.Now()
	res := c.d.Decide(ctx, env, raw)
	c.m.ObserveDecision(time.Since(t), res)
	return res
}

type countingDeliverer struct {
	d queue.Deliverer
	m *metrics.Metrics
}

func (c countingDeliverer) Deliver(ctx context.Context, env queue.Envelope, raw []byte) queue.Result {
	r := c.d.Deliver(ctx, env, raw)
	if r.Err != nil && r.Uncertain {
		c.m.Uncertain.Inc()
	}
	switch {
	case r.Err != nil && r.Permanent:
		c.m.UpstreamErrors.WithLabelValues("permanent").Inc()
	case r.Err != nil:
		c.m.UpstreamErrors.WithLabelValues("temporary").Inc()
	default:
		c.m.Delivered.Inc()
	}
	return r
}
