package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/misend/misend/internal/metrics"
	"github.com/misend/misend/internal/queue"
)

// scripted answers every delivery with the same result and counts calls.
type scripted struct {
	res   queue.Result
	calls atomic.Int32
}

func (s *scripted) Deliver(context.Context, queue.Envelope, []byte) queue.Result {
	s.calls.Add(1)
	return s.res
}

// TestCutThroughRests: which upstream failures make the path rest (the
// upstream itself failed) and which do not (it answered about this message).
func TestCutThroughRests(t *testing.T) {
	answer := func(code int) error { return &smtp.SMTPError{Code: code, Message: "x"} }
	tests := []struct {
		name      string
		res       queue.Result
		delivered bool
		rests     bool
	}{
		{"taken", queue.Result{}, true, false},
		{"refused for good", queue.Result{Permanent: true, Err: answer(550)}, false, false},
		{"refused for now", queue.Result{Err: answer(451)}, false, false},
		{"shutting down", queue.Result{Err: answer(421)}, false, true},
		{"connection failed", queue.Result{Err: errors.New("connection refused")}, false, true},
		{"no answer to the data", queue.Result{Uncertain: true, Err: errors.New("EOF")}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &scripted{res: tc.res}
			c := newCutThrough(d, 2, metrics.New(nil), slog.New(slog.DiscardHandler))
			if got := c.deliver(context.Background(), queue.Envelope{}, nil); got != tc.delivered {
				t.Fatalf("delivered %v, want %v", got, tc.delivered)
			}
			c.deliver(context.Background(), queue.Envelope{}, nil)
			want := int32(2)
			if tc.rests {
				want = 1
			}
			if n := d.calls.Load(); n != want {
				t.Errorf("second message made %d attempts in all, want %d", n, want)
			}
		})
	}
}

// TestCutThroughBusySpools: with every session in use the message goes to
// the spool at once instead of waiting for a session.
func TestCutThroughBusySpools(t *testing.T) {
	d := &scripted{}
	c := newCutThrough(d, 1, metrics.New(nil), slog.New(slog.DiscardHandler))
	c.slots <- struct{}{}
	if c.deliver(context.Background(), queue.Envelope{}, nil) || d.calls.Load() != 0 {
		t.Errorf("a busy path attempted a delivery")
	}
	<-c.slots
	if !c.deliver(context.Background(), queue.Envelope{}, nil) {
		t.Errorf("a free path did not deliver")
	}
}

func startCutThrough(t *testing.T, spool, upstream string) *Server {
	t.Helper()
	s := startServer(t, spool, upstream, func(o *Options) {
		o.CutThrough = 4
		o.Log = slog.New(slog.DiscardHandler)
	})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return s
}

func spooled(t *testing.T, spool string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(spool, "msg", "*.msq"))
	if err != nil {
		t.Fatal(err)
	}
	return len(files)
}

// TestCutThroughAnswersAfterTheUpstream: passing mail is at the upstream
// when the client hears 250 and never written to the spool; held mail is
// spooled as before.
func TestCutThroughAnswersAfterTheUpstream(t *testing.T) {
	sk, up := startSink(t)
	spool := t.TempDir()
	s := startCutThrough(t, spool, up)
	send(t, s.SMTP, "hello")
	if got := sk.Messages(); len(got) != 1 || !strings.Contains(string(got[0].Data), "Subject: hello") {
		t.Fatalf("upstream has %d messages right after the 250", len(got))
	}
	send(t, s.SMTP, "HOLD")
	if n := spooled(t, spool); n != 1 {
		t.Errorf("%d message files in the spool, want only the held one", n)
	}
	if held := s.Queue.List(queue.Held); len(held) != 1 {
		t.Errorf("held: %v", s.Queue.Depth())
	}
	if n := counted(t, s.Metrics.CutThrough.WithLabelValues("delivered")); n != 1 {
		t.Errorf("cut-through deliveries counted %v, want 1", n)
	}
	if n := counted(t, s.Metrics.Delivered); n != 1 {
		t.Errorf("deliveries counted %v, want 1", n)
	}
}

// TestCutThroughOutageSpools: with the upstream down every message is still
// answered 250, spooled, and delivered once, when the upstream is back.
func TestCutThroughOutageSpools(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	spool := t.TempDir()
	s := startCutThrough(t, spool, addr)
	const n = 5
	for range n {
		send(t, s.SMTP, "msg")
	}
	if got := spooled(t, spool); got != n {
		t.Errorf("%d messages spooled during the outage, want %d", got, n)
	}
	if got := counted(t, s.Metrics.CutThrough.WithLabelValues("spooled")); got != n {
		t.Errorf("spooled by cut-through %v, want %d", got, n)
	}
	sk, _ := startSinkOn(t, addr)
	waitFor(t, "the spool to drain", func() bool { return len(sk.Messages()) == n })
	waitFor(t, "deliveries recorded", func() bool { return s.Queue.Depth()[queue.Delivered] == n })
	if got := len(sk.Messages()); got != n {
		t.Errorf("upstream got %d, want %d (no duplicates)", got, n)
	}
}

func counted(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
