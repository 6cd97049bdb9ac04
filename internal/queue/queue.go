// Package queue is misend's durable spool: every message the gateway or the
// milter acknowledges is written here, durably, before the client hears 250.
// Held, delayed and confirming messages wait in the same spool as mail queued
// for delivery, so they survive restarts. Several delivery workers (Run)
// hand due messages to a Deliverer.
//
// # Layout
//
//   - msg/<id>.msq: the message as accepted, metadata and body in one file
//     (spool.go). Spools written before hold msg/<id>.eml (the body) and
//     meta/<id>.json instead; both are still read.
//   - meta/<id>.json: the metadata after any change since the accept; it
//     takes precedence over the copy in the message file.
//   - inflight.log: one line per delivery attempt that may have reached the
//     upstream (journal.go).
//
// Every file is written to a temporary name, fsynced and renamed, so a crash
// leaves the old or the new version, never a torn one. A rename is durable
// once its directory is fsynced; the group commit (group.go) shares that
// fsync between everyone waiting for it: concurrent accepts pay one
// directory fsync per cycle, not one each.
//
// # Crash states
//
// Accept returns (and the client hears 250) only after the message file was
// fsynced, renamed, and a directory fsync that started after the rename
// finished. A kill before that leaves either nothing, a temporary file
// (removed at Open), or a complete message file under its name: the last is
// a message the client was not told was taken, so it retries and we may
// deliver it twice; never a lost one.
//
// A delivery attempt first appends the id to the journal and waits for a
// group fsync of it; only then is the message sent. After the attempt the
// new metadata (delivered, bounced, or queued with a back-off) is written
// and fsynced and renamed, and a later group cycle syncs meta/; only after
// that cycle is the body removed and the journal record allowed to go. So
// at Open, a message that is not finished and has a journal record is one
// whose attempt may have reached the upstream without its outcome being
// recorded (the record's attempt number is above the attempts the metadata
// counts): it is queued again and counted in PossibleDuplicates. Any other
// message was never sent, or its latest attempt's outcome is durable. "In flight"
// is thus: from the journal record's fsync until the outcome's directory
// sync; the count can include attempts that failed or never got a 250, never
// miss one that did. A finished message never loses its body before its
// final state is durable, so a body missing at Open means a finished
// message.
//
// Held, delayed and confirming messages change state on a person's action;
// those changes are durable before the action returns.
//
// Bodies are kept only while a message may still leave: they are deleted
// once it is delivered, bounced, cancelled or rejected. With a key
// (Options.Key) they and the metadata (addresses, subject, findings) are
// encrypted at rest with AES-256-GCM. Metadata of finished messages is kept
// for Prune to remove after an age the operator chooses.
//
// The package does not speak SMTP and does not decide on messages; delivery
// goes through the Deliverer interface.
package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
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

// Outcome is the decision a message was taken with, as the spool keeps it
// (the same JSON as the `check --json` schema, so spools written before
// still read).
type Outcome struct {
	MessageID string            `json:"message_id"`
	Sender    string            `json:"sender"`
	Verdict   policy.Verdict    `json:"verdict"`
	Score     float64           `json:"score"`
	Findings  []finding.Finding `json:"findings"`
}

// Item is the metadata of one spooled message.
type Item struct {
	ID        ID        `json:"id"`
	Envelope  Envelope  `json:"envelope"`
	Outcome   Outcome   `json:"outcome"`
	State     State     `json:"state"`
	Created   time.Time `json:"created"`
	NotBefore time.Time `json:"not_before"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	By        string    `json:"by,omitempty"` // who released, cancelled or rejected

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
	// Stage counts how often a held message's approval request was passed
	// on to the next approvers (package approval) because nobody decided;
	// StageAt is when the last pass happened.
	Stage   int       `json:"stage,omitempty"`
	StageAt time.Time `json:"stage_at,omitzero"`
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
	// Workers is how many deliveries Run makes at once; 0 means
	// DefaultWorkers.
	Workers int
}

// DefaultWorkers is the number of concurrent deliveries when Options leave
// it unset: enough to hide the upstream's round trips and the spool's
// fsyncs behind each other.
const DefaultWorkers = 8

// Queue is a durable spool in one directory. It is safe for concurrent use.
type Queue struct {
	dir     string
	crypt   *sealer // nil: bodies in the clear
	workers int
	// syncFile is os.File.Sync; tests replace it to inject fsync failures.
	syncFile func(*os.File) error
	group    *group
	journal  *journal

	mu         sync.Mutex
	items      map[ID]*Item
	count      map[State]int
	due        dueIndex
	duplicates int // items found in flight at Open: perhaps delivered twice
	wake       chan struct{}
}

// Open opens or creates the spool in dir. Messages whose delivery attempt
// was in flight when the process stopped are queued again and counted as
// possible duplicates.
func Open(dir string) (*Queue, error) { return OpenOptions(dir, Options{}) }

// OpenOptions is Open with options.
func OpenOptions(dir string, o Options) (*Queue, error) {
	q := &Queue{dir: dir, workers: o.Workers, syncFile: (*os.File).Sync, items: map[ID]*Item{}, count: map[State]int{}, wake: make(chan struct{}, 1)}
	if q.workers <= 0 {
		q.workers = DefaultWorkers
	}
	q.group = newGroup(q)
	if o.Key != nil {
		c, err := newSealer(o.Key)
		if err != nil {
			return nil, err
		}
		q.crypt = c
	}
	for _, d := range []string{"msg", "meta"} {
		if err := os.MkdirAll(q.path(d), 0o700); err != nil {
			return nil, fmt.Errorf("queue: create spool: %w", err)
		}
	}
	j, inflight, err := openJournal(q)
	if err != nil {
		return nil, err
	}
	q.journal = j
	if err := q.load(inflight); err != nil {
		return nil, err
	}
	// The records are accounted for; an empty journal starts now.
	if err := j.reset(); err != nil {
		return nil, err
	}
	return q, nil
}

// load reads the spool's messages into memory.
func (q *Queue) load(inflight map[ID]int) error {
	metas, err := os.ReadDir(q.path("meta"))
	if err != nil {
		return fmt.Errorf("queue: read spool: %w", err)
	}
	msgs, err := os.ReadDir(q.path("msg"))
	if err != nil {
		return fmt.Errorf("queue: read spool: %w", err)
	}
	bodies := map[ID]bool{}
	for _, e := range msgs {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".tmp"):
			os.Remove(q.path("msg", name)) // torn write from a crash; never acknowledged
		case strings.HasSuffix(name, ".msq"):
			bodies[ID(strings.TrimSuffix(name, ".msq"))] = true
		case strings.HasSuffix(name, ".eml"):
			bodies[ID(strings.TrimSuffix(name, ".eml"))] = true
		}
	}
	for _, e := range metas {
		name := e.Name()
		if strings.HasPrefix(name, ".tmp") {
			os.Remove(q.path("meta", name)) // torn write from a crash; never acknowledged
			continue
		}
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		id := ID(strings.TrimSuffix(name, ".json"))
		b, err := os.ReadFile(q.path("meta", name))
		if err != nil {
			return fmt.Errorf("queue: read %s: %w", name, err)
		}
		it, err := q.decodeMeta(id, b)
		if err != nil {
			return err
		}
		q.loaded(&it, bodies[id], inflight[id] > it.Attempts)
	}
	for id := range bodies {
		if _, ok := q.items[id]; ok {
			continue
		}
		it, err := q.readMessageMeta(id)
		if errors.Is(err, os.ErrNotExist) {
			continue // an .eml body without metadata: an accept that did not finish
		}
		if err != nil {
			return err
		}
		q.loaded(&it, true, inflight[id] > it.Attempts)
	}
	return nil
}

// loaded adds a message read at Open.
func (q *Queue) loaded(it *Item, body, inflight bool) {
	if it.State == Delivering { // written by earlier versions before each attempt
		it.State = Queued
		inflight = true
	}
	if !it.State.final() && !body {
		// Bodies go only after a final state is durable (see the package
		// comment), so this message was finished; which way is not known.
		it.State, it.Finished = Delivered, it.Created
		it.LastError = "body gone at restart: finished before the crash"
		inflight = false
	}
	if it.State.final() {
		q.dropBody(it.ID) // a crash between metadata and body removal
	} else if inflight {
		q.duplicates++
	}
	q.items[it.ID] = it
	q.count[it.State]++
	q.index(it)
}

// Workers is how many deliveries Run makes at once.
func (q *Queue) Workers() int { return q.workers }

// PossibleDuplicates counts messages that were in flight at a crash and so may
// be delivered twice.
func (q *Queue) PossibleDuplicates() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.duplicates
}

// NewID returns a fresh message id, sortable by time. Mail that leaves
// without entering the spool is named with one too, so logs and decision
// records name every message the same way.
func NewID() ID {
	var b [12]byte
	rand.Read(b[:])
	return ID(time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:]))
}

// Accept stores a message durably and returns only once it is. state is
// Queued for mail to deliver, or Held, Delayed or Confirming; notBefore
// delays the first attempt.
func (q *Queue) Accept(ctx context.Context, env Envelope, raw []byte, out Outcome, state State, notBefore time.Time) (ID, error) {
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
	it.ID, it.Created, it.Attempts, it.Finished = NewID(), time.Now().UTC(), 0, time.Time{}
	b, err := q.encodeMessage(it, raw)
	if err != nil {
		return "", err
	}
	if err := q.writeFile(q.path("msg"), string(it.ID)+".msq", b); err != nil {
		return "", fmt.Errorf("queue: store message: %w", err)
	}
	if err := q.group.wait(syncMsgDir); err != nil {
		os.Remove(q.msgPath(it.ID))
		return "", fmt.Errorf("queue: store message: %w", err)
	}
	id := it.ID // *it belongs to the queue from here on
	q.mu.Lock()
	q.items[id] = it
	q.count[it.State]++
	q.index(it)
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

// set (q.mu held) replaces *it by next, keeping the counts and the due
// index up to date.
func (q *Queue) set(it *Item, next Item) {
	q.count[it.State]--
	*it = next
	q.count[it.State]++
	q.index(it)
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
	q.mu.Lock()
	it, ok := q.items[id]
	gone := ok && it.State.final() // its file goes at the next sync
	q.mu.Unlock()
	if gone {
		return nil, ErrNotFound
	}
	return q.readBody(id)
}

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
	for s, n := range q.count {
		if n != 0 {
			m[s] = n
		}
	}
	return m
}
