package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// stateQueue is a queue of waiting messages that refuses a second action,
// as misend's queue does.
type stateQueue struct {
	mu     sync.Mutex
	state  map[string]string
	by     map[string]string
	refuse map[string]bool // actors who may no longer act
}

func (q *stateQueue) move(id, by, to string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.state[id] != "waiting" {
		return errors.New("not waiting")
	}
	q.state[id], q.by[id] = to, by
	return nil
}

var moved = map[Action]string{ActConfirm: "confirmed", ActRelease: "released", ActCancel: "cancelled", ActReject: "rejected"}

func (q *stateQueue) Act(ctx context.Context, g Grant, remote string) error {
	if q.refuse[g.Actor] {
		return fmt.Errorf("%w: %s is no longer an approver", ErrRefused, g.Actor)
	}
	return q.move(g.QueueID, g.Actor, moved[g.Action])
}

type linkTest struct {
	srv   *httptest.Server
	s     *Signer
	q     Queue
	now   time.Time
	state func(id string) string
}

func newLinkServer(t *testing.T, q Queue, state func(string) string) *linkTest {
	s, _ := NewSigner(testKey)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	h := &Handler{Signer: s, Queue: q, Now: func() time.Time { return now }}
	mux := http.NewServeMux()
	h.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &linkTest{srv: srv, s: s, q: q, now: now, state: state}
}

func (lt *linkTest) url(a Action, id string, ttl time.Duration) string {
	return lt.srv.URL + "/act/" + lt.s.Sign(Grant{Action: a, QueueID: id, Actor: "boss@corp.example", Expires: lt.now.Add(ttl)})
}

func do(t *testing.T, method, u string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func runLinkTests(t *testing.T, lt *linkTest, waitingIDs [4]string) {
	t.Run("GET only asks", func(t *testing.T) {
		u := lt.url(ActRelease, waitingIDs[0], time.Hour)
		code, body := do(t, "GET", u)
		if code != 200 || !strings.Contains(body, `<form method="post">`) || !strings.Contains(body, "Release this message") {
			t.Fatalf("GET %d %s", code, body)
		}
		if got := lt.state(waitingIDs[0]); got != "waiting" {
			t.Fatalf("GET changed the message to %s", got)
		}
	})
	t.Run("POST release, then again", func(t *testing.T) {
		u := lt.url(ActRelease, waitingIDs[0], time.Hour)
		if code, body := do(t, "POST", u); code != 200 || !strings.Contains(body, "Done") {
			t.Fatalf("POST %d %s", code, body)
		}
		if got := lt.state(waitingIDs[0]); got != "released" {
			t.Fatalf("state %s, want released", got)
		}
		if code, _ := do(t, "POST", u); code != http.StatusConflict {
			t.Fatalf("second POST %d, want 409", code)
		}
	})
	t.Run("POST cancel", func(t *testing.T) {
		if code, _ := do(t, "POST", lt.url(ActCancel, waitingIDs[1], time.Hour)); code != 200 {
			t.Fatalf("POST cancel %d", code)
		}
		if got := lt.state(waitingIDs[1]); got != "cancelled" {
			t.Fatalf("state %s, want cancelled", got)
		}
	})
	t.Run("expired", func(t *testing.T) {
		code, body := do(t, "POST", lt.url(ActRelease, waitingIDs[2], -time.Minute))
		if code != http.StatusGone || !strings.Contains(body, "expired") {
			t.Fatalf("expired POST %d %s", code, body)
		}
		if got := lt.state(waitingIDs[2]); got != "waiting" {
			t.Fatalf("expired link changed the message to %s", got)
		}
	})
	t.Run("tampered", func(t *testing.T) {
		u := lt.url(ActCancel, waitingIDs[3], time.Hour)
		forged := lt.url(ActRelease, waitingIDs[3], time.Hour)
		// the release payload with the cancel link's signature
		bad := forged[:strings.LastIndex(forged, ".")] + u[strings.LastIndex(u, "."):]
		if code, _ := do(t, "POST", bad); code != http.StatusNotFound {
			t.Fatalf("tampered POST %d, want 404", code)
		}
		if got := lt.state(waitingIDs[3]); got != "waiting" {
			t.Fatalf("tampered link changed the message to %s", got)
		}
	})
	t.Run("headers", func(t *testing.T) {
		resp, err := http.Get(lt.url(ActCancel, waitingIDs[3], time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("headers %v", resp.Header)
		}
	})
}

func TestHandlerFakeQueue(t *testing.T) {
	q := &stateQueue{state: map[string]string{"a": "waiting", "b": "waiting", "c": "waiting", "d": "waiting"}, by: map[string]string{}}
	lt := newLinkServer(t, q, func(id string) string { q.mu.Lock(); defer q.mu.Unlock(); return q.state[id] })
	runLinkTests(t, lt, [4]string{"a", "b", "c", "d"})
	if q.by["a"] != "boss@corp.example" {
		t.Errorf("actor not passed to the queue: %v", q.by)
	}
}

// A link whose holder may no longer act (the queue says so: the directory
// or account changed since it was mailed) is refused with its own page,
// and changes nothing.
func TestHandlerRefused(t *testing.T) {
	q := &stateQueue{state: map[string]string{"a": "waiting"}, by: map[string]string{}, refuse: map[string]bool{"boss@corp.example": true}}
	lt := newLinkServer(t, q, func(id string) string { q.mu.Lock(); defer q.mu.Unlock(); return q.state[id] })
	code, body := do(t, http.MethodPost, lt.url(ActRelease, "a", time.Hour))
	if code != http.StatusForbidden || !strings.Contains(body, "You may not do this") || !strings.Contains(body, "権限がありません") {
		t.Fatalf("refused link: %d %s", code, body)
	}
	if q.state["a"] != "waiting" {
		t.Errorf("refused link changed the message to %s", q.state["a"])
	}
}
