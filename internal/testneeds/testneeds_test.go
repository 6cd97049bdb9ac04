package testneeds

import (
	"testing"
)

// recorder stands in for a test to see how Missing ends it.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }

func TestMissing(t *testing.T) {
	for _, tc := range []struct {
		env        string
		fail, skip bool
	}{
		{"", false, true},
		{"0", false, true},
		{"1", true, false},
		{"yes", true, false},
	} {
		t.Setenv(RequireVar, tc.env)
		r := &recorder{TB: t}
		Missing(r, "PostgreSQL", "initdb: %s", "not found")
		if r.failed != tc.fail || r.skipped != tc.skip {
			t.Errorf("%s=%q: failed %v skipped %v, want %v %v", RequireVar, tc.env, r.failed, r.skipped, tc.fail, tc.skip)
		}
	}
}
