// Package postfix holds misend's integration tests against a real Postfix:
// each test starts a private instance (own config and queue directories,
// loopback ports, no chroot) and stops it at the end. Postfix → misend
// relay → sink, and Postfix with misend as its milter → sink.
//
// The tests skip themselves when Postfix is not installed or the test does
// not run as root; install.sh installs it (test.sh runs that first).
package postfix
