package store

import (
	"strings"
	"testing"
)

// FuzzRebind: any query text is rebound without a panic, and one without
// a question mark is left as it was.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{`SELECT ? FROM t`, `'?'`, `"a""?"`, `--?`, `'`, `?''?`, "x -- ?\n?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := rebind(q)
		if !strings.Contains(q, "?") && out != q {
			t.Errorf("rebind changed %q to %q", q, out)
		}
		if strings.Count(out, "?") > strings.Count(q, "?") {
			t.Errorf("rebind added question marks: %q → %q", q, out)
		}
	})
}
