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
}

// Errors callers may test for.
var (
	ErrNotFound = errors.New("queue: no such message")
	ErrState    = errors.New("queue: message is not in a state that allows this")
)

// Queue is a durable spool in one directory. It is safe for concurrent use.
type Queue struct {
	dir string
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
func Open(dir string) (*Queue, error) {
	q := &Queue{dir: dir, syncFile: (*os.File).Sync, items: map[ID]*Item{}, wake: make(chan struct{}, 1)}
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
		var it Item
		if err := json.Unmarshal(b, &it); err != nil {
			return nil, fmt.Errorf("queue: decode %s: %w", name, err)
		}
		if it.State == Delivering {
			it.State = Queued
			q.duplicates++
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
	if err := ctx.Err(); err != nil {
		return "", err
	}
	switch state {
	case Queued, Held, Delayed, Confirming:
	default:
		return "", fmt.Errorf("queue: accept in state %q: %w", state, ErrState)
	}
	it := &Item{ID: newID(), Envelope: env, Outcome: out, State: state, Created: time.Now().UTC(), NotBefore: notBefore}
	if err := q.writeFile(filepath.Join(q.dir, "msg"), string(it.ID)+".eml", raw); err != nil {
		return "", fmt.Errorf("queue: store message: %w", err)
	}
	if err := q.writeMeta(it); err != nil {
		os.Remove(filepath.Join(q.dir, "msg", string(it.ID)+".eml"))
		return "", err
	}
	q.mu.Lock()
	q.items[it.ID] = it
	q.mu.Unlock()
	q.poke()
	return it.ID, nil
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
	b, err := os.ReadFile(filepath.Join(q.dir, "msg", string(id)+".eml"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return b, err
}

// List returns the messages in state, oldest first.
func (q *Queue) List(state State) []Item {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []Item
	for _, it := range q.items {
		if it.State == state {
			out = append(out, *it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
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
	if to == Queued {
		next.NotBefore = time.Time{}
	}
	if err := q.writeMeta(&next); err != nil {
		return err
	}
	*it = next
	if to.final() {
		q.dropBody(id)
	}
	return nil
}

// dropBody deletes a message body once no more delivery can happen: bodies
// are kept only while needed.
func (q *Queue) dropBody(id ID) {
	os.Remove(filepath.Join(q.dir, "msg", string(id)+".eml"))
}

func (q *Queue) writeMeta(it *Item) error {
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("queue: encode metadata: %w", err)
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
