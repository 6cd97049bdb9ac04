// Package server assembles the running gateway: spool, SMTP listener,
// upstream delivery and the metrics endpoints, so `misend serve` and
// `misend demo` start the same thing. It holds no logic of its own beyond
// wiring and orderly shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/gateway"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/metrics"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/relay"
)

// Options configure a Server.
type Options struct {
	SMTPAddr string // e.g. 127.0.0.1:2525
	HTTPAddr string // empty: no metrics endpoint
	SpoolDir string
	Upstream relay.Client
	Gateway  gateway.Config
	Retry    queue.Retry
	Decider  gateway.Decider
	Log      *slog.Logger

	// Web, if set, is called once the queue is open and returns the
	// handler (web UI, HTTP API) mounted at "/" on the HTTP listener, next
	// to /metrics, /healthz, /readyz and /act/. It can reach held mail
	// through s.Held.
	Web func(s *Server) http.Handler
	// AuditBody records every human view of a held body (held.Service.Audit);
	// without it held bodies cannot be read.
	AuditBody func(ctx context.Context, r held.BodyRead) error
}

// Server is a running gateway.
type Server struct {
	Queue   *queue.Queue
	Metrics *metrics.Metrics
	// Held is what the web UI and API use to list and act on waiting mail.
	Held *held.Service
	SMTP net.Addr
	HTTP net.Addr

	gw     *gateway.Server
	web    *http.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ready  atomic.Bool
}

// Start opens the spool and starts listening and delivering.
func Start(o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Retry == (queue.Retry{}) {
		o.Retry = queue.DefaultRetry
	}
	q, err := queue.Open(o.SpoolDir)
	if err != nil {
		return nil, err
	}
	if n := q.PossibleDuplicates(); n > 0 {
		o.Log.Warn("messages were in flight at the last stop and may be delivered twice", "count", n)
	}
	s := &Server{Queue: q, Metrics: metrics.New(q)}
	s.Held = &held.Service{Queue: q, Audit: o.AuditBody}
	o.Gateway.Log = o.Log
	s.gw = gateway.New(o.Gateway, countingDecider{o.Decider, s.Metrics}, q)
	sl, err := net.Listen("tcp", o.SMTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen smtp: %w", err)
	}
	s.SMTP = sl.Addr()
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if o.HTTPAddr != "" {
		hl, err := net.Listen("tcp", o.HTTPAddr)
		if err != nil {
			sl.Close()
			cancel()
			return nil, fmt.Errorf("listen http: %w", err)
		}
		s.HTTP = hl.Addr()
		mux := http.NewServeMux()
		ops := s.Metrics.Handler(s.ready.Load)
		for _, p := range []string{"GET /metrics", "GET /healthz", "GET /readyz"} {
			mux.Handle(p, ops)
		}
		if o.Web != nil {
			if h := o.Web(s); h != nil {
				mux.Handle("/", h)
			}
		}
		s.web = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.web.Serve(hl); err != nil && !errors.Is(err, http.ErrServerClosed) {
				o.Log.Error("http", "err", err)
			}
		}()
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		if err := s.gw.Serve(sl); err != nil {
			o.Log.Error("smtp", "err", err)
		}
	}()
	up := o.Upstream
	go func() {
		defer s.wg.Done()
		q.Run(ctx, countingDeliverer{&up, s.Metrics}, o.Retry, queue.Hooks{Bounced: s.bounce(o)})
	}()
	s.ready.Store(true)
	o.Log.Info("misend serving", "smtp", s.SMTP.String(), "http", o.HTTPAddr, "upstream", o.Upstream.Addr, "spool", o.SpoolDir)
	return s, nil
}

// Shutdown finishes SMTP sessions in flight, stops delivery after the
// attempt in flight and closes the metrics endpoint.
func (s *Server) Shutdown(ctx context.Context) error {
	s.ready.Store(false)
	err := s.gw.Shutdown(ctx)
	s.cancel()
	if s.web != nil {
		s.web.Shutdown(ctx)
	}
	s.wg.Wait()
	return err
}

// bounce returns the hook that sends a DSN for permanently refused mail
// through the queue itself, so the bounce is as durable as any message.
func (s *Server) bounce(o Options) func(queue.Item, []byte, error) {
	domain := o.Gateway.Domain
	if domain == "" {
		domain = "misend.localhost"
	}
	return func(it queue.Item, raw []byte, reason error) {
		env, dsn := relay.DSN(domain, it, raw, reason, time.Now())
		if dsn == nil {
			return
		}
		if _, err := s.Queue.Accept(context.Background(), env, dsn, check.Outcome{Verdict: "pass"}, queue.Queued, time.Time{}); err != nil {
			o.Log.Error("queue bounce", "id", it.ID, "err", err)
		}
	}
}

type countingDecider struct {
	d gateway.Decider
	m *metrics.Metrics
}

func (c countingDecider) Decide(ctx context.Context, env queue.Envelope, msg *mail.Message) (check.Outcome, error) {
	t := time.Now()
	out, err := c.d.Decide(ctx, env, msg)
	c.m.DecideSeconds.Observe(time.Since(t).Seconds())
	if err == nil {
		c.m.Verdicts.WithLabelValues(string(out.Verdict)).Inc()
	}
	return out, err
}

type countingDeliverer struct {
	d queue.Deliverer
	m *metrics.Metrics
}

func (c countingDeliverer) Deliver(ctx context.Context, env queue.Envelope, raw []byte) queue.Result {
	r := c.d.Deliver(ctx, env, raw)
	switch {
	case r.Err != nil && r.Permanent:
		c.m.UpstreamErrors.WithLabelValues("permanent").Inc()
	case r.Err != nil:
		c.m.UpstreamErrors.WithLabelValues("temporary").Inc()
	}
	return r
}
