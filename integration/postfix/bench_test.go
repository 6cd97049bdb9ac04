package postfix

import (
	"bytes"
	"context"
	"fmt"
	"net/smtp"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/milter"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/server"
	"github.com/misend/misend/internal/store"
)

// load is one benchmark run's traffic.
type load struct {
	messages int
	clients  int  // concurrent SMTP clients
	perConn  bool // one message per SMTP connection (and so per milter connection)
	// rate paces submissions (messages/s) so latency is measured below
	// saturation; 0 sends as fast as the clients can.
	rate float64
	// detect decides through the real decision path (learned history,
	// detection, policy) instead of a fixed verdict.
	detect bool
	// serve runs the milter as `misend serve --milter` assembles it
	// (decisions recorded, passed mail learned by the model) rather than
	// the bare milter server; implies detect.
	serve bool
	// spool turns the relay's cut-through off: every message is stored
	// and fsynced before its 250 and delivered from the spool.
	spool bool
}

type runResult struct {
	rate     float64       // messages/s, first send to last arrival at the sink
	p50, p99 time.Duration // submission to arrival at the sink
	accept50 time.Duration // end of DATA to 250 (where the milter's time is spent)
	accept99 time.Duration
}

// samples are what one or more drives measured.
type samples struct {
	elapsed time.Duration // first send to last arrival, summed over drives
	lat     []time.Duration
	accept  []time.Duration
}

func (s *samples) add(o samples) {
	s.elapsed += o.elapsed
	s.lat = append(s.lat, o.lat...)
	s.accept = append(s.accept, o.accept...)
}

func (s samples) result() runResult {
	slices.Sort(s.lat)
	slices.Sort(s.accept)
	pct := func(d []time.Duration, p float64) time.Duration { return d[int(float64(len(d)-1)*p)] }
	return runResult{
		rate: float64(len(s.lat)) / s.elapsed.Seconds(),
		p50:  pct(s.lat, 0.5), p99: pct(s.lat, 0.99),
		accept50: pct(s.accept, 0.5), accept99: pct(s.accept, 0.99),
	}
}

// rounds is how many parts compare splits a load into.
const rounds = 4

// compare sends l through a and through b in alternating parts (a, b, b,
// a, …), so that what else the machine runs meanwhile falls on both
// alike: run one after the other, a load change on a shared machine moved
// the ratio by more than any change to misend did. between, if set, is
// called after each part with whether it went through b.
func compare(tb testing.TB, aAddr string, aSink *sink, bAddr string, bSink *sink, l load, between func(b bool)) (a, b runResult) {
	tb.Helper()
	part := l
	part.messages = l.messages / rounds
	var sa, sb samples
	for i := range rounds {
		for j, toB := range []bool{false, true} {
			if i%2 == 1 {
				toB = j == 0
			}
			if toB {
				sb.add(drive(tb, bAddr, bSink, part))
			} else {
				sa.add(drive(tb, aAddr, aSink, part))
			}
			if between != nil {
				between(toB)
			}
		}
	}
	return sa.result(), sb.result()
}

func benchMessage(i int) []byte {
	return []byte("From: taro@corp.example\r\nTo: tanaka@partner-a.example\r\nSubject: verdict=pass\r\n" +
		"Message-ID: <b" + strconv.Itoa(i) + "@corp.example>\r\n\r\n" +
		"来週の打ち合わせの件、資料を添付します。\r\nよろしくお願いします。\r\n")
}

// drive sends l through addr and waits for every message at snk.
func drive(tb testing.TB, addr string, snk *sink, l load) samples {
	tb.Helper()
	sent := make([]time.Time, l.messages)
	accept := make([]time.Duration, l.messages)
	var next int
	var mu sync.Mutex
	start := time.Now()
	take := func() int {
		mu.Lock()
		if next >= l.messages {
			mu.Unlock()
			return -1
		}
		next++
		i := next - 1
		mu.Unlock()
		if l.rate > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(float64(i) / l.rate * float64(time.Second)))))
		}
		return i
	}
	var wg sync.WaitGroup
	errs := make(chan error, l.clients)
	for range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c *smtp.Client
			for {
				i := take()
				if i < 0 {
					break
				}
				if c == nil {
					var err error
					if c, err = smtp.Dial(addr); err != nil {
						errs <- err
						return
					}
				}
				sent[i] = time.Now()
				if err := c.Mail("taro@corp.example"); err != nil {
					errs <- err
					return
				}
				if err := c.Rcpt("tanaka@partner-a.example"); err != nil {
					errs <- err
					return
				}
				w, err := c.Data()
				if err != nil {
					errs <- err
					return
				}
				w.Write(benchMessage(i))
				t0 := time.Now()
				if err := w.Close(); err != nil {
					errs <- fmt.Errorf("message %d: %w", i, err)
					return
				}
				accept[i] = time.Since(t0)
				if l.perConn {
					c.Quit()
					c = nil
				}
			}
			if c != nil {
				c.Quit()
			}
		}()
	}
	lat := make([]time.Duration, 0, l.messages)
	deadline := time.After(5 * time.Minute)
	for len(lat) < l.messages {
		select {
		case m := <-snk.ch:
			i, ok := msgIndex(m.Data)
			if !ok {
				tb.Fatalf("unexpected message at sink")
			}
			// sent[i] is written before the message can reach the sink.
			lat = append(lat, m.At.Sub(sent[i]))
		case err := <-errs:
			tb.Fatal(err)
		case <-deadline:
			tb.Fatalf("only %d of %d messages arrived", len(lat), l.messages)
		}
	}
	elapsed := time.Since(start)
	wg.Wait()
	return samples{elapsed: elapsed, lat: lat, accept: accept}
}

func msgIndex(data []byte) (int, bool) {
	i := bytes.Index(data, []byte("Message-ID: <b"))
	if i < 0 {
		return 0, false
	}
	rest := data[i+len("Message-ID: <b"):]
	j := bytes.IndexByte(rest, '@')
	if j < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(rest[:j]))
	return n, err == nil
}

// BenchmarkPostfixMilter sends the same traffic through Postfix → sink and
// through Postfix with misend as milter → sink, in alternating parts
// (compare), and reports both and their ratio. Each b.N iteration is one
// full comparison; run with -benchtime 1x.
//
//	go test -run XXX -bench PostfixMilter -benchtime 1x ./integration/postfix
func BenchmarkPostfixMilter(b *testing.B) {
	for _, l := range []load{
		{messages: 3000, clients: 20},
		{messages: 2000, clients: 20, perConn: true},
		{messages: 2000, clients: 20, rate: 250},
		{messages: 2000, clients: 20, rate: 250, perConn: true},
		{messages: 3000, clients: 20, detect: true},
		{messages: 2000, clients: 20, rate: 250, detect: true},
		{messages: 3000, clients: 20, detect: true, serve: true},
		{messages: 2000, clients: 20, perConn: true, detect: true, serve: true},
		{messages: 2000, clients: 20, rate: 250, detect: true, serve: true},
	} {
		b.Run(loadName(l), func(b *testing.B) {
			for b.Loop() {
				plainSink := startSink(b)
				plain := StartPostfix(b, Options{Relay: plainSink.Addr})

				ctx := context.Background()
				msink := startSink(b)
				var dec milter.Decider = subjectDecider{}
				var learned *model.Model
				if l.detect || l.serve {
					var p *decide.Path
					p, learned = learnedPath(b, time.Now())
					dec = withParse(p, parseForTest(b))
				}
				// misend's goroutines carry a label, so a -cpuprofile
				// tells its CPU from the clients' and sinks' in this
				// process: go tool pprof -tagfocus side=misend -top.
				misendSide := pprof.WithLabels(ctx, pprof.Labels("side", "misend"))
				pprof.SetGoroutineLabels(misendSide)
				rec := openDecisions(b)
				var maddr string
				var stats func() milter.Stats
				if l.serve {
					srv := startServe(b, server.Options{
						MilterAddr: "127.0.0.1:0", Decide: dec, Decisions: rec, Model: learned,
					}, msink.Addr)
					maddr, stats = srv.Milter.String(), srv.MilterStats
				} else {
					ms := &milter.Server{Decider: dec, Recorder: rec}
					maddr, stats = startMilter(b, ms), ms.Stats
				}
				pprof.SetGoroutineLabels(ctx)
				withMilter := StartPostfix(b, Options{Relay: msink.Addr, Milter: maddr})

				// warm both (process start-up, connection caches)
				drive(b, plain.Addr, plainSink, load{messages: 50, clients: 5})
				drive(b, withMilter.Addr, msink, load{messages: 50, clients: 5})

				// The clients and sinks run in this process with the
				// milter: the milter's CPU is what the run through it
				// took beyond the run without it. On a shared machine
				// that difference is noisy; the side=misend label of a
				// CPU profile is the steadier measure.
				st0 := stats()
				var cpuPlain, cpuMilter time.Duration
				last := processCPU(b)
				p, m := compare(b, plain.Addr, plainSink, withMilter.Addr, msink, l, func(toMilter bool) {
					now := processCPU(b)
					if toMilter {
						cpuMilter += now - last
					} else {
						cpuPlain += now - last
					}
					last = now
				})
				st := stats()
				st.Connections -= st0.Connections
				st.Messages -= st0.Messages
				st.Answers -= st0.Answers
				if l.detect || l.serve {
					// every message must have gone through detection, not fail-safe
					recs, err := rec.Recent(ctx, time.Time{}, 1)
					if err != nil || len(recs) != 1 || recs[0].Err != "" {
						b.Fatalf("last decision %+v, %v", recs, err)
					}
				}
				perMsg := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(l.messages) }
				b.ReportMetric(perMsg(cpuMilter-cpuPlain), "milter-cpu-µs/msg")
				b.ReportMetric(st.RoundTrips(), "round-trips/msg")
				b.ReportMetric(p.rate, "plain-msg/s")
				b.ReportMetric(m.rate, "milter-msg/s")
				b.ReportMetric(m.rate/p.rate, "rate-ratio")
				b.ReportMetric(ms(p.p50), "plain-p50-ms")
				b.ReportMetric(ms(p.p99), "plain-p99-ms")
				b.ReportMetric(ms(m.p50), "milter-p50-ms")
				b.ReportMetric(ms(m.p99), "milter-p99-ms")
				b.ReportMetric(ms(m.p50-p.p50), "added-p50-ms")
				b.ReportMetric(ms(m.p99-p.p99), "added-p99-ms")
				b.ReportMetric(ms(m.accept50-p.accept50), "added-accept-p50-ms")
				b.ReportMetric(ms(m.accept99-p.accept99), "added-accept-p99-ms")
			}
		})
	}
}

// openDecisions opens a decisions log on a fresh SQLite database, as
// serve keeps one, closed (what is queued written) when tb ends.
func openDecisions(tb testing.TB) *decisions.Log {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "bench.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	rec, err := decisions.Open(ctx, db)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rec.Close() }) // before the database: it writes what is queued
	return rec
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// processCPU is the user and system CPU time this process has used.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
