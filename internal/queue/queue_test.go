package queue

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/policy"
)

var env = Envelope{From: "a@corp.example", To: []string{"b@partner.example"}}

func TestAcceptSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	q, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ids := map[State]ID{}
	for _, s := range []State{Queued, Held, Delayed, Confirming} {
		id, err := q.Accept(ctx, env, []byte("Subject: "+string(s)+"\r\n\r\nbody\r\n"), Outcome{Verdict: policy.Hold}, s, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatalf("accept %s: %v", s, err)
		}
		ids[s] = id
	}
	q2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for s, id := range ids {
		it, err := q2.Get(id)
		if err != nil || it.State != s || it.Outcome.Verdict != policy.Hold {
			t.Errorf("%s after reopen: %+v, %v", s, it, err)
		}
		if b, err := q2.Body(id); err != nil || string(b) != "Subject: "+string(s)+"\r\n\r\nbody\r\n" {
			t.Errorf("%s body after reopen: %q, %v", s, b, err)
		}
	}
	if _, err := q2.Accept(ctx, env, nil, Outcome{}, Delivered, time.Time{}); !errors.Is(err, ErrState) {
		t.Errorf("accept as delivered: %v, want ErrState", err)
	}
}

func TestAcceptFailsWhenFsyncFails(t *testing.T) {
	q, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	q.syncFile = func(*os.File) error { return errors.New("disk gone") }
	if _, err := q.Accept(context.Background(), env, []byte("x"), Outcome{}, Queued, time.Time{}); err == nil {
		t.Fatal("accept succeeded although fsync failed")
	}
	if n := len(q.List(Queued)); n != 0 {
		t.Errorf("%d messages listed after failed accept", n)
	}
}

func TestTransitions(t *testing.T) {
	q, _ := Open(t.TempDir())
	ctx := context.Background()
	held, _ := q.Accept(ctx, env, []byte("x"), Outcome{}, Held, time.Time{})
	queued, _ := q.Accept(ctx, env, []byte("x"), Outcome{}, Queued, time.Time{})
	if err := moveTo(ctx, q, queued, "op", Queued); !errors.Is(err, ErrState) {
		t.Errorf("release of queued mail: %v, want ErrState", err)
	}
	if err := moveTo(ctx, q, held, "op", Cancelled); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Body(held); !errors.Is(err, ErrNotFound) {
		t.Errorf("body of cancelled mail still kept: %v", err)
	}
	if err := moveTo(ctx, q, held, "op", Queued); !errors.Is(err, ErrState) {
		t.Errorf("release after cancel: %v", err)
	}
	if err := moveTo(ctx, q, "nope", "op", Queued); !errors.Is(err, ErrNotFound) {
		t.Errorf("release unknown: %v", err)
	}
}

// scripted answers each delivery with the next result, then success.
type scripted struct {
	mu  sync.Mutex
	res []Result
	got [][]byte
}

func (s *scripted) Deliver(ctx context.Context, e Envelope, raw []byte) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, raw)
	var r Result
	if len(s.res) > 0 {
		r, s.res = s.res[0], s.res[1:]
	}
	return r
}

func TestDeliveryRetriesThenBounces(t *testing.T) {
	tests := []struct {
		name     string
		res      []Result
		want     State
		attempts int
	}{
		{"ok", nil, Delivered, 1},
		{"temporary then ok", []Result{{Err: errors.New("451")}, {Err: errors.New("421")}}, Delivered, 3},
		{"permanent", []Result{{Permanent: true, Err: errors.New("550")}}, Bounced, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := Open(t.TempDir())
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			id, _ := q.Accept(ctx, env, []byte("m"), Outcome{}, Queued, time.Time{})
			d := &scripted{res: tc.res}
			var delivered, bounced int
			h := Hooks{Delivered: func(Item, []byte) { delivered++ }, Bounced: func(Item, []byte, error) { bounced++ }}
			r := Retry{First: time.Millisecond, Max: 5 * time.Millisecond, MaxAge: time.Hour}
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) {
				q.deliverOne(ctx, d, r, h)
				if it, _ := q.Get(id); it.State.final() {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			it, _ := q.Get(id)
			if it.State != tc.want || it.Attempts != tc.attempts {
				t.Errorf("state %s after %d attempts, want %s after %d", it.State, it.Attempts, tc.want, tc.attempts)
			}
			if (tc.want == Delivered) != (delivered == 1) || (tc.want == Bounced) != (bounced == 1) {
				t.Errorf("hooks: delivered %d bounced %d", delivered, bounced)
			}
			if _, err := q.Body(id); !errors.Is(err, ErrNotFound) {
				t.Errorf("body kept after %s", it.State)
			}
		})
	}
}

func TestInFlightAtCrashCountsAsDuplicate(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(dir)
	id, _ := q.Accept(context.Background(), env, []byte("m"), Outcome{}, Queued, time.Time{})
	if _, _, ok := q.claim(time.Now()); !ok {
		t.Fatal("nothing due")
	}
	if err := q.journal.claim(id, 1); err != nil {
		t.Fatal(err)
	}
	// The process dies here, mid-attempt.
	q2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := q2.PossibleDuplicates(); n != 1 {
		t.Errorf("possible duplicates %d, want 1", n)
	}
	if it, _ := q2.Get(id); it.State != Queued {
		t.Errorf("state %s after restart, want queued", it.State)
	}
}

func TestBackoffCapped(t *testing.T) {
	r := Retry{First: time.Second, Max: 8 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 30: 8 * time.Second} {
		got := r.backoff(n)
		if got < want*9/10 || got > want*11/10 {
			t.Errorf("backoff(%d) = %v, want about %v", n, got, want)
		}
	}
}

// moveTo changes a waiting message's state through Modify, the one way
// people act on mail (internal/held checks who may).
func moveTo(ctx context.Context, q *Queue, id ID, by string, to State) error {
	_, err := q.Modify(ctx, id, by, func(it *Item) error { it.State = to; return nil })
	return err
}
