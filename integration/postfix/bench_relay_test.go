package postfix

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/gateway"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// passDecider passes everything, so the relay benchmark measures the
// gateway, spool and delivery rather than detection.
type passDecider struct{}

func (passDecider) Decide(context.Context, queue.Envelope, *mail.Message) (check.Outcome, error) {
	return check.Outcome{Verdict: policy.Pass}, nil
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
	} {
		b.Run(loadName(l), func(b *testing.B) {
			for b.Loop() {
				plainSink := startSink(b)
				plain := StartPostfix(b, Options{Relay: plainSink.Addr})

				msink := startSink(b)
				var dec gateway.Decider = passDecider{}
				if l.detect {
					dec = gateway.ServiceDecider{Service: learnedService(b, time.Now())}
				}
				gw := startGateway(b, dec, msink.Addr)
				through := StartPostfix(b, Options{Relay: gw.SMTP.String()})

				// warm both (process start-up, connection caches)
				drive(b, plain.Addr, plainSink, load{messages: 50, clients: 5})
				drive(b, through.Addr, msink, load{messages: 50, clients: 5})

				p := drive(b, plain.Addr, plainSink, l)
				accepted := watchAccepted(gw.Queue, l.messages+50)
				start := time.Now()
				m := drive(b, through.Addr, msink, l)
				acceptRate := float64(l.messages) / (<-accepted).Sub(start).Seconds()
				// The sink has everything; the spool records the last
				// deliveries a moment later.
				for end := time.Now().Add(10 * time.Second); gw.Queue.Depth()[queue.Delivered] != l.messages+50; time.Sleep(10 * time.Millisecond) {
					if time.Now().After(end) {
						b.Fatalf("misend spool after the run: %v", gw.Queue.Depth())
					}
				}
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
	return name
}

// watchAccepted sends the time at which the spool first holds n messages:
// how fast misend takes mail in, apart from how fast it delivers.
func watchAccepted(q *queue.Queue, n int) <-chan time.Time {
	ch := make(chan time.Time, 1)
	go func() {
		for {
			total := 0
			for _, c := range q.Depth() {
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
