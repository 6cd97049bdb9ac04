// Package memlimit keeps a batch command's memory near what it needs. Go's
// collector lets the heap grow to twice what is live before it runs
// (GOGC=100): for misend import, which holds a whole organisation's model
// while it replays the fit window, that doubling is most of its peak (the
// Enron mailboxes: 158 MB live, 416 MB peak). A soft limit makes the
// collector run more often near it instead (279 MB peak for about a third
// more CPU), and is raised when what is live needs more, so a larger
// organisation costs time, never a collector running flat out.
//
// It deliberately does nothing when GOMEMLIMIT is set: the operator chose.
package memlimit

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// Limiter holds the soft limit a command set.
type Limiter struct {
	floor   int64
	set     bool
	relaxed bool
	percent int // GOGC before Relax
}

// Start sets a soft limit of floor bytes unless GOMEMLIMIT is set.
func Start(floor int64) *Limiter {
	l := &Limiter{floor: floor}
	if os.Getenv("GOMEMLIMIT") != "" || floor <= 0 {
		return l
	}
	debug.SetMemoryLimit(floor)
	l.set = true
	return l
}

// Fit raises the limit to twice the live heap when that is above the
// floor: call it after a phase that leaves most of what the next one needs
// live (a learned model). It returns the limit in force, or math.MaxInt64
// when there is none.
func (l *Limiter) Fit() int64 {
	if !l.set {
		return debug.SetMemoryLimit(-1)
	}
	live := Live()
	limit := max(l.floor, 2*live)
	debug.SetMemoryLimit(limit)
	return limit
}

// Relax lets the heap grow to percent more than is live before the
// collector runs (GOGC=percent), while the limit is set: the limit keeps
// the peak under it all the same, and a command whose garbage is mostly
// short-lived (a message parsed, learned and dropped) spends less time
// collecting it. Nothing when GOGC is set, or GOMEMLIMIT.
func (l *Limiter) Relax(percent int) {
	if !l.set || l.relaxed || os.Getenv("GOGC") != "" {
		return
	}
	l.percent = debug.SetGCPercent(percent)
	l.relaxed = true
}

// Stop removes the limit Start set, and what Relax changed.
func (l *Limiter) Stop() {
	if l.relaxed {
		debug.SetGCPercent(l.percent)
		l.relaxed = false
	}
	if l.set {
		debug.SetMemoryLimit(math.MaxInt64)
		l.set = false
	}
}

// Live returns the bytes of heap the last collection found live.
func Live() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}
