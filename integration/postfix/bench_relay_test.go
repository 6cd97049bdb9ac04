package postfix

import (
	"context"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/server"
)

// passPath is the one decision path with a detector that finds nothing,
// so the relay benchmark measures parsing, identity, policy, the gateway,
// spool and delivery rather than detection.
func passPath() *decide.Path {
	return &decide.Path{Detector: decide.DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) { return 0, nil })}
}

// BenchmarkPostfixRelay sends the same traffic through Postfix → sink and
// through Postfix → misend's gateway (decide, fsynced spool, upstream
// delivery) → sink, and reports both and their ratio. Latency is from the
// client's MAIL FROM to arrival at the sink. Each b.N iteration is one full
// comparison; run with -benchtime 1x.
//
//	go test -run XXX -bench PostfixRelay -benchtime 1x ./integration/postfix
func BenchmarkPostfixRelay(b *testing.B) {
	for _, l := range []load{
		{messages: 3000, clients: 20},
		{messages: 2000, clients: 20, perConn: true},
		{messages: 2000, clients: 20, rate: 250},
		// below what misend's delivery keeps up with on a busy machine, so
		// the added latency is misend's own rather than its queue's
		{messages: 600, clients: 20, rate: 40},
		{messages: 3000, clients: 20, detect: true},
		{messages: 2000, clients: 20, rate: 250, detect: true},
		// every message through the fsynced spool (cut-through off)
		{messages: 3000, clients: 20, spool: true},
		{messages: 2000, clients: 20, rate: 250, spool: true},
		// as `misend serve` assembles it: detection, every decision
		// recorded, passed mail learned by the model
		{messages: 3000, clients: 20, serve: true},
		{messages: 2000, clients: 20, perConn: true, serve: true},
		{messages: 2000, clients: 20, rate: 250, serve: true},
	} {
		b.Run(loadName(l), func(b *testing.B) {
			for b.Loop() {
				plainSink := startSink(b)
				plain := StartPostfix(b, Options{Relay: plainSink.Addr})

				msink := startSink(b)
				o := server.Options{Decide: passPath(), CutThrough: 32}
				if l.detect {
					o.Decide = learnedService(b, time.Now())
				}
				if l.spool {
					o.CutThrough = 0
				}
				var rec *decisions.Log
				if l.serve {
					p, learned := learnedPath(b, time.Now())
					rec = openDecisions(b)
					o.Decide, o.Decisions, o.Model = withParse(p, parseForTest(b)), rec, learned
				}
				// misend's goroutines carry a label, as in
				// BenchmarkPostfixMilter.
				pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("side", "misend")))
				gw := startGatewayWith(b, o, msink.Addr)
				pprof.SetGoroutineLabels(context.Background())
				through := StartPostfix(b, Options{Relay: gw.SMTP.String()})

				// warm both (process start-up, connection caches)
				drive(b, plain.Addr, plainSink, load{messages: 50, clients: 5})
				drive(b, through.Addr, msink, load{messages: 50, clients: 5})

				p := drive(b, plain.Addr, plainSink, l).result()
				accepted := watchAccepted(gw, l.messages+50)
				start := time.Now()
				m := drive(b, through.Addr, msink, l).result()
				acceptRate := float64(l.messages) / (<-accepted).Sub(start).Seconds()
				// The sink has everything; the spool records the last
				// deliveries a moment later.
				for end := time.Now().Add(10 * time.Second); counted(gw.Metrics.Delivered) != l.messages+50; time.Sleep(10 * time.Millisecond) {
					if time.Now().After(end) {
						b.Fatalf("misend delivered %d, spool after the run: %v", counted(gw.Metrics.Delivered), gw.Queue.Depth())
					}
				}
				if rec != nil {
					// every message must have gone through detection, not fail-safe
					recs, err := rec.Recent(context.Background(), time.Time{}, 1)
					if err != nil || len(recs) != 1 || recs[0].Err != "" {
						b.Fatalf("last decision %+v, %v", recs, err)
					}
				}
				b.ReportMetric(float64(counted(gw.Metrics.CutThrough.WithLabelValues("delivered")))/float64(l.messages+50), "cut-through-share")
				b.ReportMetric(p.rate, "plain-msg/s")
				b.ReportMetric(m.rate, "misend-msg/s")
				b.ReportMetric(m.rate/p.rate, "rate-ratio")
				b.ReportMetric(acceptRate, "misend-accept-msg/s")
				b.ReportMetric(ms(p.p50), "plain-p50-ms")
				b.ReportMetric(ms(p.p99), "plain-p99-ms")
				b.ReportMetric(ms(m.p50), "misend-p50-ms")
				b.ReportMetric(ms(m.p99), "misend-p99-ms")
				b.ReportMetric(ms(m.p50-p.p50), "added-p50-ms")
				b.ReportMetric(ms(m.p99-p.p99), "added-p99-ms")
			}
		})
	}
}

func loadName(l load) string {
	name := "persistent"
	if l.perConn {
		name = "conn-per-message"
	}
	if l.rate > 0 {
		name += "-paced-" + strconv.Itoa(int(l.rate))
	} else {
		name += "-saturated"
	}
	if l.serve {
		name += "-serve"
	} else if l.detect {
		name += "-detect"
	}
	if l.spool {
		name += "-spool"
	}
	return name
}

// watchAccepted sends the time at which misend first took n messages, cut
// through or into the spool: how fast misend takes mail in, apart from how
// fast the spool delivers.
func watchAccepted(s *server.Server, n int) <-chan time.Time {
	ch := make(chan time.Time, 1)
	go func() {
		for {
			total := counted(s.Metrics.CutThrough.WithLabelValues("delivered"))
			for _, c := range s.Queue.Depth() {
				total += c
			}
			if total >= n {
				ch <- time.Now()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return ch
}

// counted reads a counter.
func counted(c prometheus.Metric) int {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return int(m.GetCounter().GetValue())
}
