// Package browser holds misend's end-to-end tests in a real browser: a Go
// test starts misend on loopback (gateway, spool, web UI and API over a
// learned synthetic organisation, a capturing SMTP sink as upstream) and
// drives the pages in the system's headless Chromium through
// playwright-core (drive.mjs), then checks in misend itself what happened:
// mail reaching the sink, term lists changed, the audit log written.
//
// install.sh installs Debian's chromium and playwright-core; without them,
// or with -short, the tests skip. Screenshots of every page visited go to
// artifacts/ (or $MISEND_BROWSER_ARTIFACTS), which git ignores.
package browser
