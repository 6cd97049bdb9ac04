package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

func TestEndpoints(t *testing.T) {
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	q.Accept(context.Background(), queue.Envelope{From: "a@x", To: []string{"b@y"}}, []byte("x"), queue.Outcome{}, queue.Held, time.Time{})
	m := New(q)
	m.Verdicts.WithLabelValues("hold").Inc()
	m.ObserveDecision(time.Millisecond, decide.Result{Decision: policy.Decision{Verdict: policy.Pass}, Stamps: []string{"valid", "forged"}})
	ready := false
	srv := httptest.NewServer(m.Handler(func() bool { return ready }))
	defer srv.Close()
	get := func(p string) (int, string) {
		r, err := srv.Client().Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	if c, _ := get("/readyz"); c != 503 {
		t.Errorf("readyz before ready: %d", c)
	}
	ready = true
	if c, _ := get("/readyz"); c != 200 {
		t.Errorf("readyz when ready: %d", c)
	}
	_, body := get("/metrics")
	for _, want := range []string{`misend_queue_messages{state="held"} 1`, `misend_messages_total{verdict="hold"} 1`, "misend_possible_duplicates 0",
		`misend_confirmation_stamps_total{outcome="forged"} 1`, `misend_confirmation_stamps_total{outcome="valid"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
