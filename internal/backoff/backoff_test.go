package backoff

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := New(3, time.Second, time.Minute)
	l.Now = func() time.Time { return now }
	var waits []time.Duration
	for range 12 {
		if w := l.Wait("sato"); w > 0 {
			now = now.Add(w) // a patient guesser waits each time
		}
		waits = append(waits, l.Fail("sato"))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute, time.Minute}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if w := l.Wait("sato"); w != time.Minute {
		t.Errorf("wait after a run: %v, want the ceiling", w)
	}
	if w := l.Wait("ito"); w != 0 {
		t.Errorf("another key waits %v", w)
	}
	// However long the run, the owner waits at most the ceiling.
	now = now.Add(time.Minute)
	if w := l.Wait("sato"); w != 0 {
		t.Errorf("after the ceiling: %v", w)
	}
	l.Succeed("sato")
	if w := l.Fail("sato"); w != 0 {
		t.Errorf("after success, the first failure costs %v", w)
	}
	// Failures long ago are forgotten.
	for range 5 {
		now = now.Add(time.Hour)
		if w := l.Fail("ito"); w != 0 {
			t.Fatalf("spaced failures cost %v", w)
		}
	}
}
