// Package testneeds decides what a test does when a server it needs —
// Postfix, PostgreSQL, OpenLDAP, Chromium — is missing or does not start.
//
// On a developer's machine the test is skipped with a message that says
// what is missing and how to get it. Where the servers are required
// (MISEND_REQUIRE_SERVERS=1, which test.sh sets after installing them all)
// the test fails instead: a CI run that tested nothing must not pass.
//
// It deliberately installs nothing: test code never runs a package
// manager; test.sh does, once, before any test starts.
package testneeds

import (
	"fmt"
	"os"
	"testing"
)

// RequireVar is the environment variable that turns a missing server from
// a skip into a failure.
const RequireVar = "MISEND_REQUIRE_SERVERS"

// Required reports whether missing servers fail tests here.
func Required() bool {
	switch os.Getenv(RequireVar) {
	case "", "0", "false", "no":
		return false
	}
	return true
}

// Missing ends t because server cannot be used: why says what went wrong.
// It fails t when servers are required, and skips it otherwise.
func Missing(t testing.TB, server, why string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf("%s is needed and unavailable: %s", server, fmt.Sprintf(why, args...))
	if Required() {
		t.Fatalf("%s (%s is set: servers are required here)", msg, RequireVar)
		return
	}
	t.Skipf("%s (skipped; run ./test.sh, which installs it and sets %s=1, to make this a failure)", msg, RequireVar)
}
