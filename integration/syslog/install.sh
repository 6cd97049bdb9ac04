#!/usr/bin/env bash
# Installs rsyslog for the SIEM export's integration test when it is
# missing: the Debian package, not started (the test runs a private
# rsyslogd on a loopback port with its own configuration).
set -euo pipefail
if command -v rsyslogd >/dev/null 2>&1 || [ -x /usr/sbin/rsyslogd ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "rsyslog missing and cannot install it here (needs root and apt-get)" >&2
  [ -n "${MISEND_REQUIRE_SERVERS:-}" ] && exit 1
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq --no-install-recommends rsyslog >/dev/null
# The package may start the system daemon; the test needs none of it.
if command -v systemctl >/dev/null 2>&1; then systemctl stop rsyslog >/dev/null 2>&1 || true; fi
if [ -f /run/rsyslogd.pid ]; then kill "$(cat /run/rsyslogd.pid)" 2>/dev/null || true; fi
