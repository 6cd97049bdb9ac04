package queue

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOldLayoutStillRead opens a spool written by earlier versions: a body
// file and a metadata file per message, "delivering" written before each
// attempt.
func TestOldLayoutStillRead(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "msg"), 0o700)
	os.MkdirAll(filepath.Join(dir, "meta"), 0o700)
	for id, st := range map[ID]State{"old-held": Held, "old-inflight": Delivering, "old-done": Delivered} {
		b, _ := json.Marshal(Item{ID: id, Envelope: env, State: st, Created: time.Now()})
		os.WriteFile(filepath.Join(dir, "meta", string(id)+".json"), b, 0o600)
		if st != Delivered {
			os.WriteFile(filepath.Join(dir, "msg", string(id)+".eml"), []byte("body "+id), 0o600)
		}
	}
	q, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[ID]State{"old-held": Held, "old-inflight": Queued, "old-done": Delivered} {
		if it, err := q.Get(id); err != nil || it.State != want {
			t.Errorf("%s: %+v %v, want %s", id, it, err, want)
		}
	}
	if b, err := q.Body("old-held"); err != nil || string(b) != "body old-held" {
		t.Errorf("old body: %q %v", b, err)
	}
	if n := q.PossibleDuplicates(); n != 1 {
		t.Errorf("possible duplicates %d, want 1 (the old delivering one)", n)
	}
}

// TestCrashStates opens spools as a kill -9 at each step of a delivery
// would leave them, and checks each message is delivered again exactly when
// it may not have been, counted when it perhaps was.
func TestCrashStates(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// step runs part of a delivery of id on q and then the process
		// "dies": the test reopens the directory.
		step      func(t *testing.T, q *Queue, id ID)
		want      State
		duplicate bool
	}{
		{"accepted only", func(*testing.T, *Queue, ID) {}, Queued, false},
		{"claimed, not journaled", func(t *testing.T, q *Queue, id ID) {
			q.claim(time.Now())
		}, Queued, false},
		{"journaled: perhaps sent", func(t *testing.T, q *Queue, id ID) {
			q.claim(time.Now())
			if err := q.journal.claim(id, 1); err != nil {
				t.Fatal(err)
			}
		}, Queued, true},
		{"delivered, outcome synced", func(t *testing.T, q *Queue, id ID) {
			if !q.deliverOne(ctx, &scripted{}, DefaultRetry, Hooks{}) {
				t.Fatal("nothing delivered")
			}
			q.group.wait(syncMetaDir) // the cycle the delivery asked for, or a later one
		}, Delivered, false},
		{"delivered, meta rename lost", func(t *testing.T, q *Queue, id ID) {
			// The outcome's directory sync does not happen before the
			// kill: the journal record and the body stay, and the
			// rename may be lost, as here.
			q.syncFile = func(f *os.File) error {
				if filepath.Base(f.Name()) == "meta" {
					return errors.New("killed")
				}
				return f.Sync()
			}
			if !q.deliverOne(ctx, &scripted{}, DefaultRetry, Hooks{}) {
				t.Fatal("nothing delivered")
			}
			q.group.wait(0)
			os.Remove(q.metaPath(id))
		}, Queued, true},
		{"temporary failure, synced", func(t *testing.T, q *Queue, id ID) {
			q.deliverOne(ctx, &scripted{res: []Result{{Err: errors.New("451")}}}, DefaultRetry, Hooks{})
			q.group.wait(syncMetaDir)
		}, Queued, false},
		{"final metadata but body left", func(t *testing.T, q *Queue, id ID) {
			it, _ := q.Get(id)
			it.State = Delivered
			q.writeMeta(&it)
		}, Delivered, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			q, _ := Open(dir)
			id, err := q.Accept(ctx, env, []byte("m"), Outcome{}, Queued, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			tc.step(t, q, id)
			// wait for asynchronous cycles so they do not race the reopen
			q.group.wait(0)
			q2, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			it, err := q2.Get(id)
			if err != nil || it.State != tc.want {
				t.Fatalf("after restart: %+v %v, want %s", it, err, tc.want)
			}
			if got := q2.PossibleDuplicates() == 1; got != tc.duplicate {
				t.Errorf("counted as possible duplicate: %v, want %v", got, tc.duplicate)
			}
			_, err = q2.Body(id)
			if tc.want.final() != errors.Is(err, ErrNotFound) {
				t.Errorf("body after restart: %v (state %s)", err, tc.want)
			}
			if tc.want.final() {
				if _, err := os.Stat(q2.msgPath(id)); !errors.Is(err, os.ErrNotExist) {
					t.Error("finished message's file kept")
				}
			}
			// A second restart without attempts counts nothing again.
			if q3, _ := Open(dir); q3.PossibleDuplicates() != 0 {
				t.Errorf("counted again at a second restart: %d", q3.PossibleDuplicates())
			}
		})
	}
}

// TestMetadataWithoutBodyIsFinished: a body is removed only after a final
// state is durable, so a message found waiting without one was finished.
func TestMetadataWithoutBodyIsFinished(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(dir)
	id, _ := q.Accept(context.Background(), env, []byte("m"), Outcome{}, Held, time.Time{})
	moveTo(context.Background(), q, id, "op", Queued)
	os.Remove(q.msgPath(id))
	q2, _ := Open(dir)
	if it, _ := q2.Get(id); it.State != Delivered {
		t.Errorf("state %s, want delivered", it.State)
	}
	if _, _, ok := q2.claim(time.Now()); ok {
		t.Error("a message without body is due")
	}
}

// TestTornJournalLine: a record cut by the crash is an attempt that never
// started.
func TestTornJournalLine(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(dir)
	id, _ := q.Accept(context.Background(), env, []byte("m"), Outcome{}, Queued, time.Time{})
	os.WriteFile(filepath.Join(dir, journalName), []byte(string(id)+" 1"), 0o600)
	q2, _ := Open(dir)
	if n := q2.PossibleDuplicates(); n != 0 {
		t.Errorf("possible duplicates %d, want 0", n)
	}
}

// TestJournalRewrite: past its size limit the journal keeps only the
// records still needed.
func TestJournalRewrite(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(dir)
	q.journal.max = 200
	ctx := context.Background()
	var ids []ID
	for range 20 {
		id, _ := q.Accept(ctx, env, []byte("m"), Outcome{}, Queued, time.Time{})
		ids = append(ids, id)
	}
	if err := q.journal.claim(ids[0], 1); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[1:] {
		if err := q.journal.claim(id, 1); err != nil {
			t.Fatal(err)
		}
		q.journal.resolve(id)
	}
	b, _ := os.ReadFile(filepath.Join(dir, journalName))
	if len(b) > 200 || !strings.Contains(string(b), string(ids[0])+" 1\n") {
		t.Errorf("journal after rewrite (%d bytes) lacks the open record or kept the rest:\n%s", len(b), b)
	}
	q2, _ := Open(dir)
	if _, err := q2.Get(ids[0]); err != nil || q2.PossibleDuplicates() < 1 {
		t.Errorf("open record not counted after rewrite: %d", q2.PossibleDuplicates())
	}
}

// TestGroupCommitSharesSyncs: concurrent accepts share directory fsyncs,
// and each still waits for one.
func TestGroupCommitSharesSyncs(t *testing.T) {
	q, _ := Open(t.TempDir())
	var dirSyncs atomic.Int64
	q.syncFile = func(f *os.File) error {
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			dirSyncs.Add(1)
			time.Sleep(2 * time.Millisecond) // a slow disk, so accepts pile up
		}
		return f.Sync()
	}
	const n = 64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := q.Accept(context.Background(), env, []byte("m"), Outcome{}, Queued, time.Time{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if d := dirSyncs.Load(); d < 1 || d > n/2 {
		t.Errorf("%d directory syncs for %d concurrent accepts", d, n)
	}
	if got := q.Depth()[Queued]; got != n {
		t.Errorf("%d queued, want %d", got, n)
	}
}

// TestRunDrainsWithWorkers delivers a spool with several workers, each
// message exactly once.
func TestRunDrainsWithWorkers(t *testing.T) {
	q, _ := OpenOptions(t.TempDir(), Options{Workers: 4})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 200
	for range n {
		q.Accept(ctx, env, []byte("m"), Outcome{}, Queued, time.Time{})
	}
	d := &scripted{}
	done := make(chan struct{})
	go func() { q.Run(ctx, d, DefaultRetry, Hooks{}); close(done) }()
	for end := time.Now().Add(20 * time.Second); q.Depth()[Delivered] < n && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if got := q.Depth()[Delivered]; got != n || len(d.got) != n {
		t.Errorf("delivered %d (deliverer saw %d), want %d", got, len(d.got), n)
	}
}

// TestJournalNotOurs: a journal with a line no attempt record is that long
// stops Open with an error, rather than forgetting the records after it.
func TestJournalNotOurs(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(dir)
	id, _ := q.Accept(context.Background(), env, []byte("m"), Outcome{}, Queued, time.Time{})
	os.WriteFile(filepath.Join(dir, journalName), []byte(strings.Repeat("x", 100_000)+" 1\n"+string(id)+" 1\n"), 0o600)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "journal") {
		t.Errorf("open with a 100 kB journal line: %v", err)
	}
}
