// Package postfix holds misend's integration tests against a real Postfix:
// each test starts a private instance (own config and queue directories,
// loopback ports, no chroot) and stops it at the end. The set-ups are the
// two a site uses:
//
//   - relay: Postfix's relayhost is misend's SMTP gateway, whose upstream is
//     a sink; mail to the organisation's own domain goes straight to a
//     mailbox sink, so Postfix's bounces reach the sender there;
//   - milter: Postfix asks misend over smtpd_milters; held mail is discarded
//     from Postfix, kept in misend's spool and, on release, handed back to a
//     second Postfix smtpd without milters.
//
// Detection runs over a learned history: a small hand-written one, or a
// generated organisation (internal/synth) learned through the real parser.
//
// The benchmarks compare each set-up with Postfix alone on the same
// traffic (throughput, added p50/p99 latency, one message per connection
// too); run them one at a time with -benchtime 1x:
//
//	go test -run XXX -bench PostfixRelay -benchtime 1x ./integration/postfix
//	go test -run XXX -bench PostfixMilter -benchtime 1x ./integration/postfix
//
// The tests skip themselves when Postfix is not installed or the test does
// not run as root; install.sh installs it (test.sh runs that first).
package postfix
