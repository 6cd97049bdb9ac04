package pgtest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/misend/misend/internal/testneeds"
)

// A PostgreSQL that cannot start fails the tests that need it where
// servers are required (CI, through test.sh), and skips them elsewhere.
// The test runs itself again with a server directory that holds nothing.
func TestUnstartableServer(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "1" {
		DSN(t)
		return
	}
	for _, tc := range []struct {
		require string
		fail    bool
	}{{"1", true}, {"", false}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestUnstartableServer$", "-test.v")
		cmd.Env = append(os.Environ(), "PGTEST_CHILD=1", "MISEND_TEST_PG_BIN="+t.TempDir(), testneeds.RequireVar+"="+tc.require)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != tc.fail {
			t.Errorf("%s=%q: failed %v, want %v:\n%s", testneeds.RequireVar, tc.require, failed, tc.fail, out)
		}
		if !tc.fail && !strings.Contains(string(out), "--- SKIP") {
			t.Errorf("without %s the test is not skipped:\n%s", testneeds.RequireVar, out)
		}
	}
}
