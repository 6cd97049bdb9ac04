#!/usr/bin/env bash
# Installs Postfix for the integration tests in this directory when it is
# missing: Debian package, no system configuration ("No configuration"), not
# started. The tests run their own private instances on loopback ports.
#
# Idempotent and instant when Postfix is there: it only looks for the binary
# and the postfix user and postdrop group the private instances run as.
set -euo pipefail
installed() {
  { command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ]; } &&
    getent passwd postfix >/dev/null && getent group postdrop >/dev/null
}
if installed; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  if [ "${MISEND_REQUIRE_SERVERS:-}" = 1 ]; then
    echo "postfix missing and cannot install it here (needs root and apt-get)" >&2
    exit 1
  fi
  echo "postfix missing and cannot install it here; its integration tests will be skipped" >&2
  exit 0
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq postfix >/dev/null
# The package may start the system instance; the tests need none of it.
if command -v systemctl >/dev/null 2>&1; then systemctl stop postfix >/dev/null 2>&1 || true; fi
installed || { echo "postfix installed but its user or group is missing" >&2; exit 1; }
