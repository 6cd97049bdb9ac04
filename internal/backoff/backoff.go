// Package backoff slows password guessing without handing anyone a way to
// lock others out. Each key — an account, a client address — may fail a
// few times for free; after that every failure doubles the time before
// the next attempt is even looked at, up to a ceiling. The ceiling is what
// keeps it from being a weapon: a stranger typing wrong passwords for an
// account can delay its owner's correct sign-in by at most Max, never lock
// it for a quarter of an hour, while a guesser's rate still falls to one
// attempt per Max.
//
// It keeps its counts in memory, per process: replicas each slow guessing
// on their own, which multiplies a guesser's rate by the number of
// replicas and no more.
package backoff

import (
	"sync"
	"time"
)

// Limiter is a back-off per key. Its zero value is not usable; set the
// fields or use New. Safe for concurrent use.
type Limiter struct {
	Free int           // failures allowed before any wait
	Base time.Duration // the first wait
	Max  time.Duration // the longest wait
	Now  func() time.Time

	mu   sync.Mutex
	keys map[string]*state
}

type state struct {
	failures int
	until    time.Time // no attempt is looked at before this
	last     time.Time
}

// New returns a limiter.
func New(free int, base, max time.Duration) *Limiter {
	return &Limiter{Free: free, Base: base, Max: max, Now: time.Now}
}

// maxKeys bounds memory under a flood of distinct keys (addresses made up
// by the thousand): past it, keys idle longest are forgotten first.
const maxKeys = 100000

// Wait returns how long key must wait before its next attempt is looked
// at; 0 means now.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.keys[key]
	if st == nil {
		return 0
	}
	return max(st.until.Sub(l.Now()), 0)
}

// Fail records a failed attempt of key, one that was looked at (Wait was
// 0), and returns the wait it now owes.
func (l *Limiter) Fail(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	if l.keys == nil {
		l.keys = map[string]*state{}
	}
	st := l.keys[key]
	if st == nil {
		l.evict(now)
		st = &state{}
		l.keys[key] = st
	}
	// A key quiet for longer than the ceiling starts again: its failures
	// were typos long ago, not a guessing run.
	if !st.last.IsZero() && now.Sub(st.last) > 2*l.Max+l.Base*time.Duration(l.Free) {
		st.failures = 0
	}
	st.failures++
	st.last = now
	wait := time.Duration(0)
	if n := st.failures - l.Free; n > 0 {
		wait = l.Base
		for i := 1; i < n && wait < l.Max; i++ {
			wait *= 2
		}
		wait = min(wait, l.Max)
	}
	st.until = now.Add(wait)
	return wait
}

// Succeed forgets key's failures: its owner is in.
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// evict makes room for a new key (l.mu held).
func (l *Limiter) evict(now time.Time) {
	if len(l.keys) < maxKeys {
		return
	}
	for k, st := range l.keys {
		if now.After(st.until) {
			delete(l.keys, k)
		}
	}
	for k := range l.keys { // still full: all are waiting; forget any
		if len(l.keys) < maxKeys {
			break
		}
		delete(l.keys, k)
	}
}
