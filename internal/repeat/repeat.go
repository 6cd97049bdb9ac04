// Package repeat notices a client sending again a message misend already
// took: the same Message-ID from the same envelope sender to the same
// recipients within a window (DefaultWindow unless Open is given another).
// That happens when misend took a
// message (stored it, or the upstream did) but the client never heard the
// 250, because the connection broke or misend was killed in between; SMTP
// then makes the client send it again, and it is delivered twice. misend
// cannot tell whether its 250 arrived, so it cannot prevent this; it counts
// it, so that "no duplicates except the ones counted" holds.
//
// Keys are noted in a file beside the spool before the message is taken,
// written but not fsynced: a killed process's writes survive in the page
// cache for the next one to read, which is the case that matters; a power
// failure may lose the last ones, and those duplicates go uncounted. A key
// noted for a message that was then not taken (the spool failed, 451)
// makes its resend count too: the count errs towards more, never fewer.
//
// It stores hashes only, never addresses or Message-IDs. It does not drop
// or change the repeated message; the decision to deliver it is the
// gateway's, as for any other.
package repeat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Key identifies a message for repeat detection; 0 is "no key" (a message
// without a Message-ID is never counted as a repeat).
type Key uint64

// KeyOf returns the key of a message with messageID sent from from to to.
// The order of recipients does not matter.
func KeyOf(messageID, from string, to []string) Key {
	if messageID == "" {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(messageID))
	h.Write([]byte{0})
	h.Write([]byte(from))
	rcpts := slices.Clone(to)
	slices.Sort(rcpts)
	for _, r := range rcpts {
		h.Write([]byte{0})
		h.Write([]byte(r))
	}
	k := Key(h.Sum64())
	if k == 0 {
		k = 1
	}
	return k
}

// Defaults: Postfix retries a message whose session broke after 300 s and
// gives up trying soon after an hour of back-off, and a busy gateway takes
// a few hundred messages a second.
const (
	DefaultWindow  = 2 * time.Hour
	DefaultMaxKeys = 2_000_000
)

// Log is the record of recently taken messages. It is safe for
// concurrent use.
type Log struct {
	window  time.Duration
	maxKeys int

	mu    sync.Mutex
	path  string
	f     *os.File
	lines int           // lines in the file
	at    map[Key]int64 // key → when noted, unix seconds
	order []noted       // keys by time noted, for expiry
	head  int           // order[:head] are expired or superseded

	// A rewrite of a big file runs beside Note (compact): keys noted
	// meanwhile go to the old file and to tail, for the new one.
	rewriting bool
	closing   bool
	tail      []noted
	compactor sync.WaitGroup
}

// compactHook, when set, runs in the background rewrite before it takes the
// lock to finish; tests hold a rewrite open with it.
var compactHook func()

type noted struct {
	k  Key
	at int64
}

// Open reads the keys noted within window before now at path, and appends
// to it from then on. window <= 0 means DefaultWindow; maxKeys <= 0 means
// DefaultMaxKeys.
func Open(path string, window time.Duration, maxKeys int, now time.Time) (*Log, error) {
	if window <= 0 {
		window = DefaultWindow
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	l := &Log{window: window, maxKeys: maxKeys, path: path, at: map[Key]int64{}}
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("repeat: %w", err)
	}
	cut := now.Add(-window).Unix()
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// "<key hex> <unix seconds>"; a torn or foreign line is skipped:
		// this is a count, not a record anything depends on.
		ks, ts, ok := bytes.Cut(sc.Bytes(), []byte{' '})
		k, kerr := strconv.ParseUint(string(ks), 16, 64)
		t, terr := strconv.ParseInt(string(ts), 10, 64)
		if !ok || kerr != nil || terr != nil || k == 0 || t < cut {
			continue
		}
		l.remember(Key(k), t)
	}
	if err := l.rewrite(); err != nil {
		return nil, err
	}
	return l, nil
}

// Note records k as taken at now and reports whether it was taken within
// the window before.
func (l *Log) Note(k Key, now time.Time) (again bool) {
	if l == nil || k == 0 {
		return false
	}
	t := now.Unix()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(t)
	_, again = l.at[k]
	l.remember(k, t)
	if l.f != nil {
		if _, err := fmt.Fprintf(l.f, "%x %d\n", uint64(k), t); err != nil {
			// Counting is best effort; mail must not wait on it.
			l.f.Close()
			l.f = nil
		}
		l.lines++
		if l.rewriting {
			l.tail = append(l.tail, noted{k, t})
		} else if l.lines > 2*len(l.at)+1024 && !l.closing {
			l.compact(t)
		}
	}
	return again
}

// compact (l.mu held) starts rewriting the file with the live keys in the
// background: at the two million keys a busy gateway keeps, writing them
// took 0.7 s, and every SMTP session noting a key would wait that long.
// Only the copy of the keys is made under the lock.
func (l *Log) compact(now int64) {
	snap := slices.Clone(l.order[l.head:])
	cut := now - int64(l.window/time.Second)
	l.rewriting, l.tail = true, nil
	l.compactor.Add(1)
	go func() {
		defer l.compactor.Done()
		tmp := l.path + ".tmp"
		err := os.WriteFile(tmp, liveLines(snap, cut), 0o600)
		if compactHook != nil {
			compactHook()
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		tail := l.tail
		l.rewriting, l.tail = false, nil
		if err == nil {
			err = l.finishCompact(tmp, tail)
		}
		if err != nil {
			os.Remove(tmp)
		}
	}()
}

// liveLines are the file lines of the latest note of each key in snap
// noted at or after cut.
func liveLines(snap []noted, cut int64) []byte {
	latest := make(map[Key]int64, len(snap))
	for _, n := range snap {
		latest[n.k] = n.at
	}
	var buf bytes.Buffer
	for _, n := range snap {
		if n.at >= cut && latest[n.k] == n.at {
			fmt.Fprintf(&buf, "%x %d\n", uint64(n.k), n.at)
			latest[n.k] = -1 // once, though noted twice in one second
		}
	}
	return buf.Bytes()
}

// finishCompact (l.mu held, or during Open) adds the keys noted during a
// rewrite to the new file and puts it in the old one's place.
func (l *Log) finishCompact(tmp string, tail []noted) error {
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, n := range tail {
		fmt.Fprintf(w, "%x %d\n", uint64(n.k), n.at)
	}
	if err := errors.Join(w.Flush(), os.Rename(tmp, l.path)); err != nil {
		f.Close()
		return err
	}
	if l.f != nil {
		l.f.Close()
	}
	l.f, l.lines = f, len(l.at)+len(tail)
	return nil
}

// Close closes the file, after a rewrite in progress has finished; none
// starts after Close.
func (l *Log) Close() error {
	l.mu.Lock()
	l.closing = true
	l.mu.Unlock()
	l.compactor.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// remember (l.mu held, or during Open) adds k at t, dropping the oldest
// keys beyond maxKeys.
func (l *Log) remember(k Key, t int64) {
	l.at[k] = t
	l.order = append(l.order, noted{k, t})
	for len(l.at) > l.maxKeys {
		l.dropOldest()
	}
}

// expire (l.mu held) forgets keys noted before the window.
func (l *Log) expire(now int64) {
	cut := now - int64(l.window/time.Second)
	for l.head < len(l.order) && l.order[l.head].at < cut {
		l.dropOldest()
	}
	if l.head > 1024 && l.head > len(l.order)/2 {
		l.order = slices.Clone(l.order[l.head:])
		l.head = 0
	}
}

func (l *Log) dropOldest() {
	n := l.order[l.head]
	l.head++
	if l.at[n.k] == n.at {
		delete(l.at, n.k)
	}
}

// rewrite (during Open) replaces the file by one holding the live keys, so
// it does not grow without bound.
func (l *Log) rewrite() error {
	tmp := l.path + ".tmp"
	err := os.WriteFile(tmp, liveLines(l.order[l.head:], 0), 0o600)
	if err == nil {
		err = l.finishCompact(tmp, nil)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("repeat: %w", err)
	}
	return nil
}
