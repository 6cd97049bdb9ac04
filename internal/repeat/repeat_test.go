package repeat

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func open(t *testing.T, path string, window time.Duration, max int, now time.Time) *Log {
	t.Helper()
	l, err := Open(path, window, max, now)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestKeyOf(t *testing.T) {
	a := KeyOf("<1@corp.example>", "a@corp.example", []string{"x@p.example", "y@p.example"})
	tests := []struct {
		name string
		k    Key
		same bool
	}{
		{"recipients in another order", KeyOf("<1@corp.example>", "a@corp.example", []string{"y@p.example", "x@p.example"}), true},
		{"another Message-ID", KeyOf("<2@corp.example>", "a@corp.example", []string{"x@p.example", "y@p.example"}), false},
		{"another sender", KeyOf("<1@corp.example>", "b@corp.example", []string{"x@p.example", "y@p.example"}), false},
		{"a recipient fewer", KeyOf("<1@corp.example>", "a@corp.example", []string{"x@p.example"}), false},
	}
	for _, tc := range tests {
		if (tc.k == a) != tc.same {
			t.Errorf("%s: same key %v, want %v", tc.name, tc.k == a, tc.same)
		}
	}
	if k := KeyOf("", "a@corp.example", nil); k != 0 {
		t.Errorf("a message without Message-ID has key %x", k)
	}
}

// TestRepeatAcrossKill: a key noted by a process that never closed its log
// (killed) is known to the next one; within the window only.
func TestRepeatAcrossKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "taken.log")
	first := open(t, path, time.Hour, 0, t0)
	k1, k2 := KeyOf("<1@x>", "a@x", []string{"b@y"}), KeyOf("<2@x>", "a@x", []string{"b@y"})
	if first.Note(k1, t0) || first.Note(k2, t0.Add(40*time.Minute)) {
		t.Fatal("a first message counted as taken again")
	}
	if !first.Note(k1, t0.Add(time.Minute)) {
		t.Error("the same message again in the same process was not noticed")
	}
	// no Close: the process was killed
	next := open(t, path, time.Hour, 0, t0.Add(50*time.Minute))
	if !next.Note(k2, t0.Add(50*time.Minute)) {
		t.Error("a message taken before the restart was not noticed after it")
	}
	if next.Note(k1, t0.Add(2*time.Hour)) {
		t.Error("a message taken outside the window counted as taken again")
	}
	next.Note(0, t0)
	if next.Note(0, t0) {
		t.Error("messages without a key counted")
	}
}

// TestBounded: the log keeps at most maxKeys keys, and its file does not
// grow with every message.
func TestBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "taken.log")
	l := open(t, path, time.Hour, 100, t0)
	for i := range 5000 {
		l.Note(KeyOf(fmt.Sprint(i), "a@x", nil), t0.Add(time.Duration(i)*time.Millisecond))
	}
	// A rewrite runs in the background while keys keep coming, and takes
	// what came meanwhile into the new file; the next Note after it
	// finishes starts another if that left the file too long.
	l.compactor.Wait()
	if len(l.at) != 100 {
		t.Errorf("%d keys kept, want 100", len(l.at))
	}
	if !l.Note(KeyOf("4999", "a@x", nil), t0.Add(5*time.Second)) {
		t.Error("a recent key was forgotten")
	}
	if l.Note(KeyOf("1", "a@x", nil), t0.Add(5*time.Second)) {
		t.Error("an old key beyond the bound was kept")
	}
	l.compactor.Wait()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte{'\n'}); n > 2*100+1024+1 {
		t.Errorf("file has %d lines for 100 keys", n)
	}
}

func TestDamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "taken.log")
	k := KeyOf("<1@x>", "a@x", []string{"b@y"})
	os.WriteFile(path, fmt.Appendf(nil, "garbage\n%x notatime\n\n%x %d\n%x", uint64(k)+1, uint64(k), t0.Unix(), uint64(k)+2), 0o600)
	l := open(t, path, time.Hour, 0, t0)
	if len(l.at) != 1 || !l.Note(k, t0) {
		t.Errorf("keys after a damaged file: %v", l.at)
	}
}

// A big file is rewritten in the background: keys noted while it runs are
// neither lost nor made to wait for it, and the file shrinks to the live
// keys.
func TestCompactInBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "taken.log")
	l := open(t, path, time.Hour, 0, t0)
	hold, held := make(chan struct{}), make(chan struct{})
	compactHook = func() { close(held); <-hold }
	defer func() { compactHook = nil }()
	same := KeyOf("<same@x>", "a@x", []string{"b@y"})
	// The same key again and again grows the file, not the live keys.
	for i := 0; ; i++ {
		l.Note(same, t0.Add(time.Duration(i)*time.Millisecond))
		l.mu.Lock()
		started := l.rewriting
		l.mu.Unlock()
		if started {
			break
		}
		if i > 5000 {
			t.Fatal("no rewrite started")
		}
	}
	<-held
	// The rewrite is stuck writing; noting goes on.
	done := make(chan bool)
	during := KeyOf("<during@x>", "a@x", []string{"b@y"})
	go func() { done <- l.Note(during, t0.Add(time.Second)) }()
	select {
	case again := <-done:
		if again {
			t.Error("a new key counted as taken again")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Note waited for the rewrite")
	}
	close(hold)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(b, []byte("\n")); lines > 3 {
		t.Errorf("%d lines after the rewrite, want the live keys only", lines)
	}
	next := open(t, path, time.Hour, 0, t0.Add(2*time.Second))
	if !next.Note(during, t0.Add(2*time.Second)) || !next.Note(same, t0.Add(2*time.Second)) {
		t.Error("a key noted before or during the rewrite was lost")
	}
}
