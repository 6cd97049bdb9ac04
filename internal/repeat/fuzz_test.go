package repeat

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzOpen: whatever the file beside the spool holds, Open reads it
// without failing or panicking, and the log works afterwards.
func FuzzOpen(f *testing.F) {
	f.Add([]byte("1f 1796029200\n"))
	f.Add([]byte("ffffffffffffffff 9223372036854775807\n0 0\n"))
	f.Add([]byte("\x00\xff zz\n\n\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "taken.log")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := Open(path, time.Hour, 10, t0)
		if err != nil {
			t.Fatal(err)
		}
		l.Note(KeyOf("x", "a", nil), t0)
		if !l.Note(KeyOf("x", "a", nil), t0) {
			t.Error("repeat not noticed after loading")
		}
		l.Close()
	})
}
