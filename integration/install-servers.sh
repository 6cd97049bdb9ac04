#!/usr/bin/env bash
# Installs every server the integration tests start privately on loopback:
# Postfix, PostgreSQL, OpenLDAP (slapd, ldap-utils), Chromium (with
# playwright-core to drive it), rsyslog (the SIEM export's collector) and
# promtool (Debian's prometheus package: checks and unit-tests the alert
# rules in docs/prometheus). Debian packages, no system instance left
# running. test.sh runs this before any test and then sets
# MISEND_REQUIRE_SERVERS=1: a server still missing fails here, and a server
# that does not start fails its tests — never a silent skip.
#
# Test code installs nothing itself. Idempotent, and quick when everything
# is there.
set -euo pipefail
cd "$(dirname "$0")"

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1; }
have_slapd() { [ -x /usr/sbin/slapd ] && command -v ldapadd >/dev/null 2>&1; }
have_promtool() { command -v promtool >/dev/null 2>&1; }

want=()
have_postgres || want+=(postgresql)
have_slapd || want+=(slapd ldap-utils)
if [ ${#want[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-servers: ${want[*]} missing and this is not root with apt-get" >&2
    exit 1
  fi
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  apt="apt-get -o DPkg::Lock::Timeout=600"
  if ! $apt install -y -qq "${want[@]}" >/dev/null 2>&1; then
    $apt update -qq >/dev/null || true
    $apt install -y -qq "${want[@]}" >/dev/null
  fi
  # The packages may start system instances; the tests need none of them.
  for svc in postgresql slapd; do
    if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
    if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
  done
fi

# promtool alone: the prometheus package without what it recommends
# (exporters, a web console), and no server left running.
if ! have_promtool && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null || true
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends prometheus >/dev/null
  fi
  if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus >/dev/null 2>&1 || true; fi
  if command -v service >/dev/null 2>&1; then service prometheus stop >/dev/null 2>&1 || true; fi
fi

MISEND_REQUIRE_SERVERS=1 postfix/install.sh
MISEND_REQUIRE_SERVERS=1 browser/install.sh
MISEND_REQUIRE_SERVERS=1 syslog/install.sh

missing=()
have_postgres || missing+=(PostgreSQL)
have_slapd || missing+=(OpenLDAP)
{ command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ]; } || missing+=(Postfix)
[ -x /usr/bin/chromium ] || missing+=(Chromium)
have_promtool || missing+=(promtool)
[ -f browser/node_modules/playwright-core/package.json ] || missing+=(playwright-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-servers: still missing: ${missing[*]}" >&2
  exit 1
fi
