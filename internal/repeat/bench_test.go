package repeat

import (
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkCompactStall measures how long noting a key waits while the
// file of DefaultMaxKeys keys is rewritten: the part of a rewrite done
// under the lock (0.72 s when the whole rewrite was; now the copy of the
// keys).
func BenchmarkCompactStall(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), "taken.log"), time.Hour, DefaultMaxKeys, t0)
	if err != nil {
		b.Fatal(err)
	}
	for i := range DefaultMaxKeys {
		l.remember(Key(i+1), t0.Unix())
	}
	b.ResetTimer()
	for range b.N {
		l.mu.Lock()
		l.compact(t0.Unix())
		l.mu.Unlock()
		b.StopTimer()
		l.compactor.Wait()
		b.StartTimer()
	}
}
