package server

import (
	"bytes"
	"context"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/metrics"
	"github.com/misend/misend/internal/queue"
)

// BenchmarkRelayThroughput sends messages over one SMTP connection through
// misend (decide; cut through to the upstream, or into the fsynced spool;
// 250) and reports throughput and the p50/p99 time to the 250 reply, which
// is the latency misend adds to a sending MTA.
func BenchmarkRelayThroughput(b *testing.B) {
	for _, tc := range []struct {
		name string
		cut  int
	}{{"cut-through", 4}, {"spool", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			_, up := startSink(b)
			s := startServer(b, b.TempDir(), up, func(o *Options) { o.CutThrough = tc.cut })
			defer s.Shutdown(b.Context())
			c, err := smtp.Dial(s.SMTP.String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			body := "From: a@corp.example\r\nTo: b@partner.example\r\nSubject: bench\r\n\r\n" + strings.Repeat("hello world\r\n", 300)
			var lat []time.Duration
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				t0 := time.Now()
				if err := c.SendMail("a@corp.example", []string{"b@partner.example"}, strings.NewReader(body)); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.ReportMetric(float64(len(lat))/time.Since(start).Seconds(), "msgs/s")
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkDecideAndSpool is the work between the end of DATA and the 250
// reply on misend's real decision path: parse, detect, policy (over a
// learned sender), then the fsynced spool write, with the spool in the
// clear and encrypted (AES-256-GCM).
func BenchmarkDecideAndSpool(b *testing.B) {
	o := newOrg(b)
	dec := o.svc
	raw := []byte("From: 佐藤 <" + sato + ">\r\nTo: 田中 <tanaka@partner-a.example>\r\nSubject: 打ち合わせ\r\nMessage-ID: <bench@corp.example>\r\n\r\n" +
		strings.Repeat("お世話になっております。来週の打ち合わせの件です。\r\n", 80))
	env := decide.Envelope{From: sato, To: []string{"tanaka@partner-a.example"}}
	for _, tc := range []struct {
		name string
		key  []byte
	}{{"plain", nil}, {"encrypted", bytes.Repeat([]byte{1}, 32)}} {
		b.Run(tc.name, func(b *testing.B) {
			q, err := queue.OpenOptions(b.TempDir(), queue.Options{Key: tc.key})
			if err != nil {
				b.Fatal(err)
			}
			s := &Server{Queue: q, Metrics: metrics.New(q), log: slog.New(slog.DiscardHandler)}
			ctx := context.Background()
			var decide, spool time.Duration
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				res := dec.Decide(ctx, env, raw)
				t1 := time.Now()
				if _, err := s.Take(ctx, queue.Envelope{From: env.From, To: env.To}, raw, res); err != nil {
					b.Fatal(err)
				}
				decide += t1.Sub(t0)
				spool += time.Since(t1)
			}
			b.ReportMetric(float64(decide.Microseconds())/float64(b.N), "decide-µs/op")
			b.ReportMetric(float64(spool.Microseconds())/float64(b.N), "spool-µs/op")
		})
	}
}
