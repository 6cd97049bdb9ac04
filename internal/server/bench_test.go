package server

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// BenchmarkRelayThroughput sends messages over one SMTP connection through
// misend (decide, fsynced spool, 250) and reports throughput and the
// p50/p99 time to the 250 reply, which is the latency misend adds to a
// sending MTA.
func BenchmarkRelayThroughput(b *testing.B) {
	_, up := startSink(b)
	s := startServer(b, b.TempDir(), up)
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
}
