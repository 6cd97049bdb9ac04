package queue

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchBody is a typical small business message.
var benchBody = []byte("From: a@corp.example\r\nTo: b@partner.example\r\nSubject: quarterly numbers\r\n\r\n" +
	string(make([]byte, 4096)) + "\r\n")

// BenchmarkAccept measures how many messages per second the spool makes
// durable with N writers at once, as the gateway's connections do.
func BenchmarkAccept(b *testing.B) {
	for _, writers := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("writers-%d", writers), func(b *testing.B) {
			q, err := Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var next atomic.Int64
			b.SetBytes(int64(len(benchBody)))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range writers {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						if _, err := q.Accept(ctx, env, benchBody, Outcome{}, Queued, time.Time{}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msg/s")
		})
	}
}

// nopDeliverer accepts everything at once: the drain benchmark measures the
// spool's own cost per delivery.
type nopDeliverer struct{ n atomic.Int64 }

func (d *nopDeliverer) Deliver(context.Context, Envelope, []byte) Result {
	d.n.Add(1)
	return Result{}
}

// BenchmarkDrain measures delivering an already spooled queue: claiming,
// reading the body and recording the delivery.
func BenchmarkDrain(b *testing.B) {
	q, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 32 {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if _, err := q.Accept(ctx, env, benchBody, Outcome{}, Queued, time.Time{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	d := &nopDeliverer{}
	rctx, cancel := context.WithCancel(ctx)
	b.ResetTimer()
	start := time.Now()
	done := make(chan struct{})
	go func() { q.Run(rctx, d, DefaultRetry, Hooks{}); close(done) }()
	for q.Depth()[Delivered] < b.N {
		time.Sleep(time.Millisecond)
	}
	el := time.Since(start)
	cancel()
	<-done
	b.ReportMetric(float64(b.N)/el.Seconds(), "msg/s")
}
