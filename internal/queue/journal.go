package queue

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// journal records which messages have a delivery attempt that may have
// reached the upstream: one line with the message id and the attempt's
// number, appended and made
// durable (by the group commit, shared by all delivery workers) before the
// attempt starts. A record stays until the metadata written after the
// attempt (delivered, bounced, queued for a retry) is durable; the file
// itself is rewritten without the records no longer needed when it grows.
// At Open, a message that is not finished and has a record of an attempt
// its metadata does not count yet (the outcome was not recorded) was
// perhaps delivered already: it is queued again and counted as a possible
// duplicate.
//
// The journal replaces writing a "delivering" state into the message's
// metadata with an fsync of its own before every attempt.
type journal struct {
	q    *Queue
	path string
	max  int64 // rewrite the file beyond this size

	mu      sync.Mutex
	f       *os.File
	size    int64
	claimed map[ID]int // records that must stay: id → attempt
}

const journalName = "inflight.log"

// openJournal reads the records left by the previous process and starts an
// empty journal.
func openJournal(q *Queue) (*journal, map[ID]int, error) {
	j := &journal{q: q, path: q.path(journalName), max: 1 << 20, claimed: map[ID]int{}}
	old := map[ID]int{}
	b, err := os.ReadFile(j.path)
	if err != nil && !os.IsNotExist(err) {
		return nil, nil, fmt.Errorf("queue: read journal: %w", err)
	}
	// A torn last line (no newline) is an attempt that never started.
	if i := bytes.LastIndexByte(b, '\n'); i+1 < len(b) {
		b = b[:i+1]
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		id, n, ok := strings.Cut(sc.Text(), " ")
		attempt, err := strconv.Atoi(n)
		if !ok || err != nil {
			return nil, nil, fmt.Errorf("queue: journal line %q is not an id and an attempt", sc.Text())
		}
		old[ID(id)] = max(old[ID(id)], attempt)
	}
	if err := sc.Err(); err != nil { // a line too long: not a journal misend wrote
		return nil, nil, fmt.Errorf("queue: read journal: %w", err)
	}
	return j, old, nil
}

// reset empties the journal durably, once the records read at Open are
// accounted for.
func (j *journal) reset() error {
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("queue: journal: %w", err)
	}
	if err = f.Truncate(0); err == nil {
		err = j.q.syncFile(f)
	}
	if err == nil {
		err = j.q.syncDir(".")
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("queue: journal: %w", err)
	}
	j.f = f
	return nil
}

// claim records attempt number attempt on id and returns once the record
// is durable.
func (j *journal) claim(id ID, attempt int) error {
	j.mu.Lock()
	j.claimed[id] = attempt
	n, err := j.f.WriteString(string(id) + " " + strconv.Itoa(attempt) + "\n")
	j.size += int64(n)
	j.mu.Unlock()
	if err == nil {
		err = j.q.group.wait(syncJournal)
	}
	if err != nil {
		j.resolve(id)
		return fmt.Errorf("queue: journal: %w", err)
	}
	return nil
}

// resolve drops the need for id's record: its attempt's outcome is durable
// (or the attempt never started).
func (j *journal) resolve(id ID) {
	j.mu.Lock()
	delete(j.claimed, id)
	j.mu.Unlock()
}

// sync makes the appended records durable; past max it first rewrites the
// journal with only the records still needed, so it does not grow forever.
func (j *journal) sync() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.size > j.max {
		if err := j.rewrite(); err != nil {
			return err
		}
	}
	return j.q.syncFile(j.f)
}

// rewrite (j.mu held) replaces the journal by one holding the claimed ids,
// durably, before anything is appended to the new one.
func (j *journal) rewrite() error {
	var buf bytes.Buffer
	for id, n := range j.claimed {
		fmt.Fprintf(&buf, "%s %d\n", id, n)
	}
	tmp := j.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("queue: rewrite journal: %w", err)
	}
	_, err = f.Write(buf.Bytes())
	if err == nil {
		err = j.q.syncFile(f)
	}
	if err == nil {
		err = os.Rename(tmp, j.path)
	}
	if err == nil {
		err = j.q.syncDir(".")
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("queue: rewrite journal: %w", err)
	}
	j.f.Close()
	j.f, j.size = f, int64(buf.Len())
	return nil
}
