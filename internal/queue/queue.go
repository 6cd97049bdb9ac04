// Package queue is misend's durable spool: every message the gateway or the
// milter acknowledges is written here, fsynced, before the client hears 250.
// Held, delayed and confirming messages wait in the same spool as mail queued
// for delivery, so they survive restarts.
//
// Each message is two files under dir: msg/<id>.eml (the raw message) and
// meta/<id>.json (envelope, outcome, state). Both are written to a temporary
// file, fsynced, renamed and the directory fsynced, so a crash leaves either
// the old or the new version, never a torn one.
//
// Bodies are kept only while a message may still leave: they are deleted
// as soon as it is delivered, bounced, cancelled or rejected. With a key
// (Options.Key) they and the metadata (addresses, subject, findings) are
// encrypted at rest with AES-256-GCM. Metadata of
// finished messages is kept for Prune to remove after an age the operator
// chooses.
//
// The package does not speak SMTP and does not decide on messages; delivery
// goes through the Deliverer interface.
package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/misend/misend/internal/check"
)

// State is where a message stands in the spool.
type State string

// States of a spooled message.
const (
	Queued     State = "queued"     // waiting for (another) delivery attempt
	Delivering State = "delivering" // an attempt is in flight; found at startup means a possible duplicate
	Held       State = "held"       // waiting for an approver
	Delayed    State = "delayed"    // waits until NotBefore, then queued
	Confirming State = "confirming" // waiting for the sender to confirm
	Delivered  State = "delivered"
	Bounced    State = "bounced"
	Cancelled  State = "cancelled"
	Rejected   State = "rejected"
)

// final reports whether no more work is done on a message in state s.
func (s State) final() bool {
	return s == Delivered || s == Bounced || s == Cancelled || s == Rejected
}

// ID names a spooled message.
type ID string

// Envelope is the SMTP envelope of a message.
type Envelope struct {
	From string   `json:"from"` // empty for the null sender (bounces)
	To   []string `json:"to"`
}

// Item is the metadata of one spooled message.
type Item struct {
	ID        ID            `json:"id"`
	Envelope  Envelope      `json:"envelope"`
	Outcome   check.Outcome `json:"outcome"`
	State     State         `json:"state"`
	Created   time.Time     `json:"created"`
	NotBefore time.Time     `json:"not_before"`
	Attempts  int           `json:"attempts"`
	LastError string        `json:"last_error,omitempty"`
	By        string        `json:"by,omitempty"` // who released, cancelled or rejected

	// Department is the sender's department when the message was decided.
	Department string `json:"department,omitempty"`
	// Subject is kept while the message waits, for the people asked to
	// act on it; it is cleared when the message is finished.
	Subject string `json:"subject,omitempty"`
	// Flagged are the recipients findings name; a sender confirms each.
	Flagged   []string `json:"flagged,omitempty"`
	Confirmed []string `json:"confirmed,omitempty"`
	// Dropped are recipients removed before release; they are not in
	// Envelope.To any more.
	Dropped []string `json:"dropped,omitempty"`
	// Comment is an approver's reason for a reject.
	Comment string `json:"comment,omitempty"`
	// Finished is when the message reached a final state.
	Finished time.Time `json:"finished,omitzero"`
	// System marks misend's own mail (notices, bounces): never learned
	// from, never listed as held mail.
	System bool `json:"system,omitempty"`
}

// Waiting reports whether the message waits for a person or a time:
// held, delayed or confirming.
func (s State) Waiting() bool { return s == Held || s == Delayed || s == Confirming }

// Final reports whether no more work is done on a message in state s.
func (s State) Final() bool { return s.final() }

// Errors callers may test for.
var (
	ErrNotFound = errors.New("queue: no such message")
	ErrState    = errors.New("queue: message is not in a state that allows this")
)

// Options configure a Queue.
type Options struct {
	// Key, when set, encrypts bodies and metadata at rest with
	// AES-256-GCM; it must be 32 bytes. Files written without a key stay
	// readable; a spool written with a key cannot be opened without it.
	Key []byte
}

// Queue is a durable spool in one directory. It is safe for concurrent use.
type Queue struct {
	dir   string
	crypt *sealer // nil: bodies in the clear
	// syncFile is os.File.Sync; tests replace it to inject fsync failures.
	syncFile func(*os.File) error

	mu         sync.Mutex
	items      map[ID]*Item
	duplicates int // items found delivering at Open: perhaps delivered twice
	wake       chan struct{}
}

// Open opens or creates the spool in dir. Messages found in state Delivering
// were in flight when the process stopped: they are queued again and counted
// as possible duplicates.
func Open(dir string) (*Queue, error) { return OpenOptions(dir, Options{}) }

// OpenOptions is Open with options.
func OpenOptions(dir string, o Options) (*Queue, error) {
	q := &Queue{dir: dir, syncFile: (*os.File).Sync, items: map[ID]*Item{}, wake: make(chan struct{}, 1)}
	if o.Key != nil {
		c, err := newSealer(o.Key)
		if err != nil {
			return nil, err
		}
		q.crypt = c
	}
	for _, d := range []string{"msg", "meta"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, fmt.Errorf("queue: create spool: %w", err)
		}
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, "msg", ".tmp-*")); tmps != nil {
		for _, t := range tmps {
			os.Remove(t) // torn write from a crash; never acknowledged
		}
	}
	ents, err := os.ReadDir(filepath.Join(dir, "meta"))
	if err != nil {
		return nil, fmt.Errorf("queue: read spool: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".tmp") {
			os.Remove(filepath.Join(dir, "meta", name)) // torn write from a crash; never acknowledged
			continue
		}
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "meta", name))
		if err != nil {
			return nil, fmt.Errorf("queue: read %s: %w", name, err)
		}
		if b, err = q.open("meta:"+strings.TrimSuffix(name, ".json"), b); err != nil {
			return nil, err
		}
		var it Item
		if err := json.Unmarshal(b, &it); err != nil {
			return nil, fmt.Errorf("queue: decode %s: %w", name, err)
		}
		if it.State == Delivering {
			it.State = Queued
			q.duplicates++
		}
		if it.State.final() {
			q.dropBody(it.ID) // a crash between metadata and body removal
		}
		q.items[it.ID] = &it
	}
	return q, nil
}

// PossibleDuplicates counts messages that were in flight at a crash and so may
// be delivered twice.
func (q *Queue) PossibleDuplicates() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.duplicates
}

func newID() ID {
	var b [12]byte
	rand.Read(b[:])
	return ID(time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:]))
}

// Accept stores a message durably and returns only once its body and metadata
// are fsynced. state is Queued for mail to deliver, or Held, Delayed or
// Confirming; notBefore delays the first attempt.
func (q *Queue) Accept(ctx context.Context, env Envelope, raw []byte, out check.Outcome, state State, notBefore time.Time) (ID, error) {
	return q.Add(ctx, Item{Envelope: env, Outcome: out, State: state, NotBefore: notBefore}, raw)
}

// Add is Accept with the whole metadata: it fills ID, Created and Attempts
// and stores the message durably. it.State must be Queued, Held, Delayed or
// Confirming.
func (q *Queue) Add(ctx context.Context, it0 Item, raw []byte) (ID, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	switch it0.State {
	case Queued, Held, Delayed, Confirming:
	default:
		return "", fmt.Errorf("queue: accept in state %q: %w", it0.State, ErrState)
	}
	it := &it0
	it.ID, it.Created, it.Attempts, it.Finished = newID(), time.Now().UTC(), 0, time.Time{}
	body, err := q.seal("msg:"+string(it.ID), raw)
	if err != nil {
		return "", err
	}
	if err := q.writeFile(filepath.Join(q.dir, "msg"), string(it.ID)+".eml", body); err != nil {
		return "", fmt.Errorf("queue: store message: %w", err)
	}
	if err := q.writeMeta(it); err != nil {
		os.Remove(q.bodyPath(it.ID))
		return "", err
	}
	id := it.ID // *it belongs to the queue from here on
	q.mu.Lock()
	q.items[id] = it
	q.mu.Unlock()
	q.poke()
	return id, nil
}

func (q *Queue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Get returns a copy of a message's metadata.
func (q *Queue) Get(id ID) (Item, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, ok := q.items[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	return *it, nil
}

// Body returns the raw message, as long as the spool still keeps it.
func (q *Queue) Body(id ID) ([]byte, error) {
	b, err := os.ReadFile(q.bodyPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("queue: read body: %w", err)
	}
	return q.open("msg:"+string(id), b)
}

func (q *Queue) bodyPath(id ID) string { return filepath.Join(q.dir, "msg", string(id)+".eml") }

// Items returns every message for which keep is true, oldest first.
func (q *Queue) Items(keep func(*Item) bool) []Item {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []Item
	for _, it := range q.items {
		if keep(it) {
			out = append(out, *it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
}

// List returns the messages in state, oldest first.
func (q *Queue) List(state State) []Item {
	return q.Items(func(it *Item) bool { return it.State == state })
}

// Depth counts messages by state.
func (q *Queue) Depth() map[State]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	m := map[State]int{}
	for _, it := range q.items {
		m[it.State]++
	}
	return m
}

// Release queues a held, delayed or confirming message for delivery now.
func (q *Queue) Release(ctx context.Context, id ID, by string) error {
	err := q.transition(id, by, func(s State) bool { return s == Held || s == Delayed || s == Confirming }, Queued)
	if err == nil {
		q.poke()
	}
	return err
}

// Cancel drops a waiting message and deletes its body.
func (q *Queue) Cancel(ctx context.Context, id ID, by string) error {
	return q.transition(id, by, func(s State) bool { return !s.final() && s != Delivering }, Cancelled)
}

// Reject refuses a waiting message for good and deletes its body.
func (q *Queue) Reject(ctx context.Context, id ID, by string) error {
	return q.transition(id, by, func(s State) bool { return s == Held || s == Delayed || s == Confirming }, Rejected)
}

func (q *Queue) transition(id ID, by string, allowed func(State) bool, to State) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, ok := q.items[id]
	if !ok {
		return ErrNotFound
	}
	if !allowed(it.State) {
		return fmt.Errorf("%w: %s is %s", ErrState, id, it.State)
	}
	next := *it
	next.State, next.By = to, by
	return q.commit(it, next)
}

// commit stores next as the new metadata of it (q.mu held), finishing the
// message when its state is final.
func (q *Queue) commit(it *Item, next Item) error {
	if next.State == Queued {
		next.NotBefore = time.Time{}
	}
	if next.State.final() {
		next.Finished = time.Now().UTC()
		next.Subject = ""
	}
	if err := q.writeMeta(&next); err != nil {
		return err
	}
	*it = next
	if next.State.final() {
		q.dropBody(it.ID)
	}
	if next.State == Queued {
		q.poke()
	}
	return nil
}

// Modify changes a waiting (held, delayed or confirming) message under the
// queue's lock: fn gets a copy to change and may set State to Queued
// (release), Cancelled or Rejected, or leave it waiting. The change is
// stored durably before Modify returns the new metadata; an error from fn
// changes nothing.
func (q *Queue) Modify(ctx context.Context, id ID, by string, fn func(*Item) error) (Item, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, ok := q.items[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	if !it.State.Waiting() {
		return Item{}, fmt.Errorf("%w: %s is %s", ErrState, id, it.State)
	}
	next := *it
	next.Envelope.To = append([]string(nil), it.Envelope.To...)
	next.Confirmed = append([]string(nil), it.Confirmed...)
	next.Dropped = append([]string(nil), it.Dropped...)
	if err := fn(&next); err != nil {
		return Item{}, err
	}
	switch next.State {
	case Queued, Cancelled, Rejected, Held, Delayed, Confirming:
	default:
		return Item{}, fmt.Errorf("%w: cannot move %s to %s", ErrState, id, next.State)
	}
	next.ID, next.By = it.ID, by
	if err := q.commit(it, next); err != nil {
		return Item{}, err
	}
	return *it, nil
}

// Prune forgets finished messages (delivered, bounced, cancelled, rejected)
// that finished before cutoff, removing their metadata from disk. It
// returns how many it removed.
func (q *Queue) Prune(cutoff time.Time) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	var errs []error
	for id, it := range q.items {
		if !it.State.final() {
			continue
		}
		done := it.Finished
		if done.IsZero() {
			done = it.Created
		}
		if !done.Before(cutoff) {
			continue
		}
		q.dropBody(id)
		if err := os.Remove(filepath.Join(q.dir, "meta", string(id)+".json")); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		delete(q.items, id)
		n++
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("queue: prune: %w", err)
	}
	return n, nil
}

// dropBody deletes a message body once no more delivery can happen: bodies
// are kept only while needed.
func (q *Queue) dropBody(id ID) {
	os.Remove(q.bodyPath(id))
}

func (q *Queue) writeMeta(it *Item) error {
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("queue: encode metadata: %w", err)
	}
	if b, err = q.seal("meta:"+string(it.ID), b); err != nil {
		return err
	}
	if err := q.writeFile(filepath.Join(q.dir, "meta"), string(it.ID)+".json", b); err != nil {
		return fmt.Errorf("queue: store metadata: %w", err)
	}
	return nil
}

// writeFile replaces dir/name atomically and durably.
func (q *Queue) writeFile(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = q.syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return q.syncFile(d)
}
