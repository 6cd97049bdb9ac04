package siem

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/policy"
)

// receiver is an HTTPS event collector on loopback that answers as
// Splunk's HEC does, and can be taken down and brought back on the same
// address.
type receiver struct {
	t    *testing.T
	addr string
	srv  *httptest.Server

	mu       sync.Mutex
	mode     string // "ok", "busy" (503), "forbidden" (403)
	okBudget int    // with mode "ok": requests taken before turning busy; -1 for no limit
	requests int
	got      map[string]int // type/id → times received
	bad      []string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, mode: "ok", okBudget: -1, got: map[string]int{}}
	r.start("127.0.0.1:0")
	t.Cleanup(r.stop)
	return r
}

func (r *receiver) start(addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		r.t.Skipf("address %s taken meanwhile: %v", addr, err)
	}
	r.addr = l.Addr().String()
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.srv.Listener.Close()
	r.srv.Listener = l
	r.srv.StartTLS()
}

func (r *receiver) stop() {
	if r.srv != nil {
		r.srv.CloseClientConnections()
		r.srv.Close()
		r.srv = nil
	}
}

// caFile writes the receiver's certificate (httptest's, the same on every
// restart) for the sink to trust.
func (r *receiver) caFile() string {
	p := filepath.Join(r.t.TempDir(), "hec-ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw}), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return p
}

func (r *receiver) set(mode string, okBudget int) {
	r.mu.Lock()
	r.mode, r.okBudget = mode, okBudget
	r.mu.Unlock()
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if req.URL.Path != "/services/collector/event" || req.Method != http.MethodPost {
		r.bad = append(r.bad, "request "+req.Method+" "+req.URL.Path)
		http.NotFound(w, req)
		return
	}
	if r.mode == "ok" && r.okBudget == 0 {
		r.mode = "busy"
	}
	switch {
	case r.mode == "forbidden" || req.Header.Get("Authorization") != "Splunk 11111111-2222-3333-4444-555555555555":
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"text":"Invalid token","code":4}`)
		return
	case r.mode == "busy":
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"text":"Server is busy","code":9}`)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	// Events one after another, as HEC batches them; all or none are
	// taken, as HEC does with a malformed batch.
	var batch []hecEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	for dec.More() {
		var e hecEvent
		if err := dec.Decode(&e); err != nil {
			r.bad = append(r.bad, "undecodable body: "+err.Error())
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"text":"Invalid data format","code":6}`)
			return
		}
		batch = append(batch, e)
	}
	for _, e := range batch {
		if e.Host == "" || e.Source != "misend" || e.Sourcetype != "misend:event" || e.Time == "" || e.Event.ID == 0 {
			r.bad = append(r.bad, fmt.Sprintf("event without its fields: %+v", e))
		}
		if sec, err := e.Time.Float64(); err != nil || time.Since(time.Unix(int64(sec), 0)) > time.Hour {
			r.bad = append(r.bad, fmt.Sprintf("time %q is not the event's", e.Time))
		}
		r.got[fmt.Sprintf("%s/%d", e.Event.Type, e.Event.ID)]++
	}
	if r.okBudget > 0 {
		r.okBudget--
	}
	io.WriteString(w, `{"text":"Success","code":0}`)
}

// check reports events received other than once each, and that the set
// is exactly want.
func (r *receiver) check(want []string) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bad {
		r.t.Error(b)
	}
	for k, n := range r.got {
		if n != 1 {
			r.t.Errorf("%s received %d times", k, n)
		}
	}
	if len(r.got) != len(want) {
		r.t.Errorf("received %d distinct events, want %d", len(r.got), len(want))
	}
	for _, k := range want {
		if r.got[k] == 0 {
			r.t.Errorf("%s never arrived", k)
		}
	}
}

// all lists every decision and audit entry in the database.
func (f *fixture) all(t *testing.T, from int) []string {
	var out []string
	for _, table := range []struct{ typ, name string }{{"decision", "decisions"}, {"audit", "audit_log"}} {
		rows, err := f.db.QueryContext(f.ctx, `SELECT id FROM `+table.name+` WHERE id > ? ORDER BY id`, from)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			out = append(out, fmt.Sprintf("%s/%d", table.typ, id))
		}
		rows.Close()
	}
	return out
}

const testToken = "11111111-2222-3333-4444-555555555555"

// Every decision and audit entry arrives once; while the collector
// refuses connections and then answers 503 nothing is taken and nothing
// lost, and a batch cut short in the middle (some requests taken, then
// 503) is not sent again from its start.
func TestHECOutageLosesAndRepeatsNothing(t *testing.T) {
	f := newFixture(t)
	f.mail(t, policy.Pass) // before the export began: not sent
	r := newReceiver(t)
	h, err := NewHEC(HECOptions{URL: "https://" + r.addr, Token: testToken, CAFile: r.caFile(), Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	x, err := New(f.ctx, f.db, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []policy.Verdict{policy.Hold, policy.Pass, policy.Confirm} {
		f.mail(t, v)
	}
	if n, err := x.Once(f.ctx, h); err != nil || n != 6 {
		t.Fatalf("sent %d (%v), want 6", n, err)
	}

	addr := r.addr
	r.stop() // down: connections refused
	for i := range 3 {
		f.mail(t, policy.Hold)
		n, err := x.Once(f.ctx, h)
		if err == nil || n != 0 {
			t.Fatalf("sent %d to a collector that is down (%v)", n, err)
		}
		// The first try may meet the kept-alive connection's end (EOF);
		// later ones a refused connection.
		if i > 0 && !strings.Contains(err.Error(), "refused") {
			t.Errorf("down: %v", err)
		}
	}
	r.start(addr) // back, but busy
	r.set("busy", -1)
	f.mail(t, policy.Reject)
	_, err = x.Once(f.ctx, h)
	var he *HECError
	if !errors.As(err, &he) || he.Status != 503 || he.Wait() != time.Second || !strings.Contains(err.Error(), "unavailable or busy") {
		t.Fatalf("busy collector: %v", err)
	}

	// Small requests, and the collector turns busy after taking two.
	h.maxBody = 900
	r.set("ok", 2)
	n, err := x.Once(f.ctx, h)
	if err == nil || n == 0 || n >= 8 {
		t.Fatalf("cut short: sent %d (%v), want some of 8 and an error", n, err)
	}
	r.set("ok", -1)
	m, err := x.Once(f.ctx, h)
	if err != nil || n+m != 8 {
		t.Fatalf("after the outage sent %d+%d (%v), want 8", n, m, err)
	}
	if n, err := x.Once(f.ctx, h); err != nil || n != 0 {
		t.Errorf("a round with nothing new sent %d (%v)", n, err)
	}
	r.check(f.all(t, 1))
}

// A token the collector refuses is said plainly, sends nothing, and is
// tried again: once the token is fixed on the collector's side everything
// arrives. Run backs off meanwhile.
func TestHECWrongTokenReportedAndRetried(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	r.set("forbidden", -1)
	h, err := NewHEC(HECOptions{URL: "https://" + r.addr + "/services/collector/event", Token: testToken, CAFile: r.caFile()})
	if err != nil {
		t.Fatal(err)
	}
	x, err := New(f.ctx, f.db, h)
	if err != nil {
		t.Fatal(err)
	}
	var logged syncBuffer
	x.Log = slog.New(slog.NewTextHandler(&logged, nil))
	x.MaxBackoff = 40 * time.Millisecond
	var rounds sync.Map
	x.Observe = func(sink string, sent int, err error) {
		k := "ok"
		if err != nil {
			k = "failed"
		}
		v, _ := rounds.LoadOrStore(k, new(int))
		*v.(*int)++
	}
	f.mail(t, policy.Hold)
	f.mail(t, policy.Pass)
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() { x.Run(ctx, 10*time.Millisecond); close(done) }()
	waitUntil(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.requests >= 3
	})
	if s := logged.String(); !strings.Contains(s, "HTTP 403") || !strings.Contains(s, "refused the token") ||
		!strings.Contains(s, "hec_token_file") || strings.Contains(s, testToken) || strings.Count(s, "SIEM export failing") != 1 {
		t.Errorf("the refused token is not reported once and plainly (or the token is in the log):\n%s", s)
	}
	r.set("ok", -1)
	waitUntil(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.got) == 4
	})
	waitUntil(t, func() bool { return strings.Contains(logged.String(), "SIEM export resumed") })
	cancel()
	<-done
	r.check(f.all(t, 0))
	if v, ok := rounds.Load("failed"); !ok || *v.(*int) < 2 {
		t.Error("failed rounds were not observed")
	}
}

// The collector's certificate is checked: without the CA that signed it
// nothing is sent, and plain http is refused outright.
func TestHECVerifiesTLS(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	h, err := NewHEC(HECOptions{URL: "https://" + r.addr, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	x, err := New(f.ctx, f.db, h)
	if err != nil {
		t.Fatal(err)
	}
	f.mail(t, policy.Pass)
	if _, err := x.Once(f.ctx, h); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("sent to a collector whose certificate nobody vouches for: %v", err)
	}
	r.check(nil)

	for _, tt := range []struct {
		name string
		o    HECOptions
	}{
		{"plain http", HECOptions{URL: "http://" + r.addr, Token: testToken}},
		{"no scheme", HECOptions{URL: r.addr, Token: testToken}},
		{"credentials in the URL", HECOptions{URL: "https://u:p@" + r.addr, Token: testToken}},
		{"no token", HECOptions{URL: "https://" + r.addr, Token: " \n"}},
		{"two words", HECOptions{URL: "https://" + r.addr, Token: "a b"}},
		{"missing CA file", HECOptions{URL: "https://" + r.addr, Token: testToken, CAFile: filepath.Join(t.TempDir(), "none.pem")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewHEC(tt.o); err == nil {
				t.Errorf("%+v accepted", tt.o)
			}
		})
	}
}

func TestNextPause(t *testing.T) {
	busy := &HECError{Status: 503, RetryAfter: 90 * time.Second}
	for _, tt := range []struct {
		name              string
		pause, first, max time.Duration
		err               error
		want              time.Duration
	}{
		{"first failure", 0, 5 * time.Second, 5 * time.Minute, errors.New("x"), 5 * time.Second},
		{"doubles", 20 * time.Second, 5 * time.Second, 5 * time.Minute, errors.New("x"), 40 * time.Second},
		{"capped", 4 * time.Minute, 5 * time.Second, 5 * time.Minute, errors.New("x"), 5 * time.Minute},
		{"the collector asks for longer", 5 * time.Second, 5 * time.Second, 5 * time.Minute, busy, 90 * time.Second},
		{"the collector asks for shorter", 4 * time.Minute, 5 * time.Second, 5 * time.Minute, busy, 5 * time.Minute},
		{"cap below interval", 0, time.Minute, time.Second, errors.New("x"), time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextPause(tt.pause, tt.first, tt.max, tt.err); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
