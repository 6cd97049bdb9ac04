package web

import (
	"sync"
	"time"
)

// throttle slows password guessing from one client across many accounts,
// which the per-account lockout alone does not: after max failures from an
// address within window, sign-in from it is refused until the window ends.
type throttle struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	fails map[string][]time.Time
}

func newThrottle(max int, window time.Duration, now func() time.Time) *throttle {
	return &throttle{max: max, window: window, now: now, fails: map[string][]time.Time{}}
}

// recent drops failures older than the window; callers hold mu.
func (t *throttle) recent(ip string) []time.Time {
	cut := t.now().Add(-t.window)
	l := t.fails[ip]
	i := 0
	for i < len(l) && l[i].Before(cut) {
		i++
	}
	l = l[i:]
	if len(l) == 0 {
		delete(t.fails, ip)
		return nil
	}
	t.fails[ip] = l
	return l
}

// blocked tells whether ip has used up its failures.
func (t *throttle) blocked(ip string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.recent(ip)) >= t.max
}

// fail records a failed sign-in from ip.
func (t *throttle) fail(ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.recent(ip)
	if len(l) < t.max {
		t.fails[ip] = append(l, t.now())
	}
	// Bound memory under a flood from many addresses: forget the oldest
	// picture rather than grow without limit.
	if len(t.fails) > 100000 {
		for k := range t.fails {
			delete(t.fails, k)
			if len(t.fails) <= 50000 {
				break
			}
		}
	}
}
