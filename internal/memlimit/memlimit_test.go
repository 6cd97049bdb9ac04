package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// The limit starts at the floor and is raised to twice the live heap once
// more is live than half the floor; GOMEMLIMIT turns it off.
func TestLimitFollowsLiveHeap(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(math.MaxInt64)
	l := Start(8 << 20)
	if got := debug.SetMemoryLimit(-1); got != 8<<20 {
		t.Fatalf("limit %d after Start, want the floor", got)
	}
	hold := make([]byte, 16<<20)
	for i := range hold {
		hold[i] = byte(i)
	}
	runtime.GC()
	got := l.Fit()
	if got < 2*(16<<20) || got != debug.SetMemoryLimit(-1) {
		t.Errorf("limit %d with 16 MiB live, want at least twice that", got)
	}
	runtime.KeepAlive(hold)
	l.Stop()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit %d after Stop", got)
	}

	t.Setenv("GOMEMLIMIT", "1GiB")
	before := debug.SetMemoryLimit(-1)
	l = Start(8 << 20)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("Start changed the limit to %d though GOMEMLIMIT is set", got)
	}
	l.Stop()
}

// Relax sets GOGC while the limit is set, Stop puts it back, and neither
// GOGC nor GOMEMLIMIT set by the operator is overridden.
func TestRelax(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "")
	defer debug.SetMemoryLimit(math.MaxInt64)
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	l := Start(8 << 20)
	l.Relax(400)
	if got := debug.SetGCPercent(-1); got != 400 {
		t.Errorf("GOGC %d after Relax(400)", got)
	}
	debug.SetGCPercent(400)
	l.Stop()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC %d after Stop, want 100 back", got)
	}
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(env, "200")
		l := Start(8 << 20)
		l.Relax(400)
		if got := debug.SetGCPercent(100); got != 100 {
			t.Errorf("GOGC %d after Relax with %s set", got, env)
		}
		l.Stop()
		t.Setenv(env, "")
	}
}
