package journal

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

var (
	cfg = model.Config{OrgDomains: []string{"corp.example"}}
	t0  = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
)

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// replica is one serve process: its model, its journal, its sharer.
type replica struct {
	m *model.Model
	s *Sharer
}

func newReplica(t *testing.T, db *store.DB, origin string, m *model.Model) replica {
	t.Helper()
	j, err := Open(context.Background(), db, origin)
	if err != nil {
		t.Fatal(err)
	}
	return replica{m: m, s: NewSharer(j, m)}
}

// send is mail this replica lets through: learned here, queued for the
// others.
func (r replica) send(id int, from, to string) {
	msg := &mail.Message{MessageID: fmt.Sprintf("<%d@corp.example>", id), Date: t0.Add(time.Duration(id) * time.Minute),
		From: mail.Address{Addr: from}, To: []mail.Address{{Addr: to}}}
	o := r.m.Observe(msg)
	if r.m.LearnObservation(&o) {
		r.s.Learned(o)
	}
}

func (r replica) sync(t *testing.T) Synced {
	t.Helper()
	got, err := r.s.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func knows(m *model.Model, from, to string) bool {
	return m.Contact(from, to, t0.Add(24*time.Hour)).Sent > 0
}

func TestReplicasLearnAsOne(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.Path(t, t.TempDir(), "j.db"))
	a := newReplica(t, db, "a", model.New(cfg))
	b := newReplica(t, db, "b", model.New(cfg))
	a.send(1, "x@corp.example", "p@one.example")
	b.send(2, "y@corp.example", "q@two.example")
	b.send(3, "x@corp.example", "r@three.example")
	if got := a.sync(t); got.Appended != 1 || got.Applied != 0 {
		t.Errorf("a's first sync: %+v", got)
	}
	if got := b.sync(t); got.Appended != 2 || got.Applied != 1 {
		t.Errorf("b's first sync: %+v", got)
	}
	if got := a.sync(t); got.Applied != 2 {
		t.Errorf("a's second sync: %+v", got)
	}
	for _, r := range []replica{a, b} {
		if !knows(r.m, "x@corp.example", "p@one.example") || !knows(r.m, "y@corp.example", "q@two.example") || !knows(r.m, "x@corp.example", "r@three.example") {
			t.Fatal("a replica lacks what the other learned")
		}
		if st := r.m.Stats(); st.Learned != 3 || st.Duplicates != 0 {
			t.Errorf("stats %+v, want 3 learned once each", st)
		}
	}

	// a saves; b learns more and does not save. A replica starting from
	// a's snapshot gets b's later learning from the journal.
	if err := a.s.Save(ctx, func(ctx context.Context) error { return a.m.Save(ctx, db) }); err != nil {
		t.Fatal(err)
	}
	b.send(4, "y@corp.example", "s@four.example")
	b.sync(t)
	loaded, err := model.Load(ctx, db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.JournalPosition() == 0 || loaded.JournalPosition() != a.m.JournalPosition() {
		t.Errorf("snapshot at journal position %d, a at %d", loaded.JournalPosition(), a.m.JournalPosition())
	}
	c := newReplica(t, db, "c", loaded)
	if got := c.sync(t); got.Applied != 1 {
		t.Errorf("c applied %d after the snapshot, want b's one", got.Applied)
	}
	if !knows(c.m, "y@corp.example", "s@four.example") || !knows(c.m, "x@corp.example", "r@three.example") {
		t.Error("c lacks learning from the snapshot or the journal")
	}

	// A replica behind the stored snapshot does not save over it.
	behind := newReplica(t, db, "d", model.New(cfg))
	saved := false
	if err := behind.s.Save(ctx, func(context.Context) error { saved = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if saved {
		t.Error("a replica behind the stored snapshot saved over it")
	}
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.Path(t, t.TempDir(), "j.db"))
	a := newReplica(t, db, "a", model.New(cfg))
	for i := range 5 {
		a.send(i, "x@corp.example", fmt.Sprintf("p%d@one.example", i))
	}
	a.sync(t)
	// Only what a snapshot covers, and only once old enough.
	if n, err := a.s.j.Prune(ctx, 3, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruned %d fresh entries (%v)", n, err)
	}
	if n, err := a.s.j.Prune(ctx, 3, time.Now().Add(time.Hour)); err != nil || n != 3 {
		t.Fatalf("pruned %d of the 3 covered entries (%v)", n, err)
	}
	other := newReplica(t, db, "b", model.New(cfg))
	other.m.SetJournalPosition(3)
	if got := other.sync(t); got.Applied != 2 {
		t.Errorf("applied %d, want the 2 left", got.Applied)
	}
}

// Concurrent writers on PostgreSQL commit in sequence order: a reader
// following along never steps over an entry that commits later.
func TestConcurrentAppendNoGaps(t *testing.T) {
	db := open(t, pgtest.DSN(t))
	const writers, each = 4, 60
	reader := newReplica(t, db, "reader", model.New(cfg))
	var wg sync.WaitGroup
	for w := range writers {
		r := newReplica(t, db, fmt.Sprint("w", w), model.New(cfg))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r.send(w*1000+i, "x@corp.example", fmt.Sprintf("p%d@w%d.example", i, w))
				if _, err := r.s.Sync(context.Background()); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for following := true; following; {
		select {
		case <-done:
			following = false
		default:
		}
		reader.sync(t)
	}
	reader.sync(t)
	if st := reader.m.Stats(); st.Learned != writers*each {
		t.Errorf("the reader learned %d of %d messages", st.Learned, writers*each)
	}
}

// A replica that could not reach the journal while the entries it missed
// were pruned reloads the stored snapshot, which covers them.
func TestReloadAfterMissedEntriesPruned(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.Path(t, t.TempDir(), "j.db"))
	stalled := newReplica(t, db, "stalled", model.New(cfg))
	stalled.send(1, "x@corp.example", "mine@one.example")
	stalled.sync(t)
	b := newReplica(t, db, "b", model.New(cfg))
	for i := range 5 {
		b.send(10+i, "y@corp.example", fmt.Sprintf("p%d@two.example", i))
	}
	b.sync(t)
	defer func(k time.Duration) { keepFor = k }(keepFor)
	keepFor = -time.Hour // covered entries go at once
	if err := b.s.Save(ctx, func(ctx context.Context) error { return b.m.Save(ctx, db) }); err != nil {
		t.Fatal(err)
	}
	if got := stalled.sync(t); !got.Reloaded {
		t.Fatalf("no reload after missing pruned entries: %+v", got)
	}
	if !knows(stalled.m, "y@corp.example", "p4@two.example") || !knows(stalled.m, "x@corp.example", "mine@one.example") {
		t.Error("the reloaded model lacks the other's learning or its own")
	}
	// Caught up, it does not reload again.
	if got := stalled.sync(t); got.Reloaded {
		t.Error("reloaded twice")
	}
}

// An import's worth in one append spans several INSERT statements; every
// entry arrives, in order.
func TestAppendMany(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.Path(t, t.TempDir(), "j.db"))
	a := newReplica(t, db, "a", model.New(cfg))
	const n = 2*rowsPerInsert + 50
	for i := range n {
		a.send(i, "x@corp.example", fmt.Sprintf("p%d@one.example", i))
	}
	if got := a.sync(t); got.Appended != n {
		t.Fatalf("appended %d of %d", got.Appended, n)
	}
	j, err := Open(ctx, db, "reader")
	if err != nil {
		t.Fatal(err)
	}
	entries, _, more, err := j.After(ctx, 0, 2*n)
	if err != nil || more || len(entries) != n {
		t.Fatalf("read %d entries (more %v, %v), want %d", len(entries), more, err, n)
	}
	for i, e := range entries {
		if want := fmt.Sprintf("p%d@one.example", i); e.Obs.To[0].Addr != want || (i > 0 && e.Seq <= entries[i-1].Seq) {
			t.Fatalf("entry %d: %s at %d, want %s in order", i, e.Obs.To[0].Addr, e.Seq, want)
		}
	}
}

// TestReplicasAgreeOnKeyedTopics: the topic in a journal entry is the
// observing replica's keyed hash of the subject. Replicas reading the same
// key file thread a reply by its subject alone into the conversation
// another replica saw; one under another key does not, so agreement
// comes from the shared key, not from the subject in the clear.
func TestReplicasAgreeOnKeyedTopics(t *testing.T) {
	ctx := context.Background()
	db := open(t, pgtest.Path(t, t.TempDir(), "j.db"))
	key := func(b byte) model.Config {
		c := cfg
		c.TopicKey = make([]byte, model.TopicKeySize)
		c.TopicKey[0] = b
		return c
	}
	a := newReplica(t, db, "a", model.New(key(1)))
	msg := &mail.Message{MessageID: "<orion@corp.example>", Date: t0, Subject: "Project Orion merger",
		From: mail.Address{Addr: "x@corp.example"}, To: []mail.Address{{Addr: "p@one.example"}}}
	o := a.m.Observe(msg)
	if o.Topic == 0 || o.Topic == model.TopicKey(msg.Subject) {
		t.Fatalf("topic %x: want a keyed hash, not 0 or the unkeyed %x", o.Topic, model.TopicKey(msg.Subject))
	}
	a.m.LearnObservation(&o)
	a.s.Learned(o)
	a.sync(t)

	j, err := Open(ctx, db, "reader")
	if err != nil {
		t.Fatal(err)
	}
	entries, _, _, err := j.After(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Obs.Topic != o.Topic {
		t.Fatalf("journal holds %+v, want one entry with topic %x", entries, o.Topic)
	}

	reply := &mail.Message{Subject: "Re: Project Orion merger"}
	tests := []struct {
		name string
		cfg  model.Config
		want bool
	}{
		{"same key file", key(1), true},
		{"another key", key(2), false},
		{"no key", cfg, false},
	}
	for i, tt := range tests {
		r := newReplica(t, db, fmt.Sprintf("r%d", i), model.New(tt.cfg))
		if got := r.sync(t); got.Applied != 1 {
			t.Fatalf("%s: applied %d entries, want 1", tt.name, got.Applied)
		}
		if _, ok := r.m.Conversation("x@corp.example", reply); ok != tt.want {
			t.Errorf("%s: reply by subject found the conversation: %v, want %v", tt.name, ok, tt.want)
		}
	}
}
