#!/usr/bin/env bash
# Installs what the manifest schema tests of internal/addin need: xmllint
# (Debian's libxml2-utils, as root, when missing) and, from
# package-lock.json into node_modules here, Microsoft's published JSON
# schemas (@microsoft/app-manifest) and manifest converter
# (office-addin-manifest-converter). Nothing is fetched when the tests run.
# Without root or npm this prints a note and succeeds (the tests then skip
# themselves) — unless MISEND_REQUIRE_SERVERS=1, when it fails.
set -euo pipefail
cd "$(dirname "$0")"
required() { [ "${MISEND_REQUIRE_SERVERS:-}" = 1 ]; }

if ! command -v xmllint >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt="apt-get -o DPkg::Lock::Timeout=600"
    DEBIAN_FRONTEND=noninteractive $apt install -y -qq libxml2-utils >/dev/null 2>&1 ||
      { $apt update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive $apt install -y -qq libxml2-utils >/dev/null; }
  fi
  command -v xmllint >/dev/null 2>&1 || { required && { echo "schemacheck: xmllint could not be installed" >&2; exit 1; }; }
fi
if ! command -v npm >/dev/null 2>&1; then
  required && { echo "schemacheck: npm is not installed" >&2; exit 1; }
  echo "schemacheck: npm is not installed; the manifest schema tests will be skipped" >&2
  exit 0
fi
# node_modules/.misend-lock is the lock file the last install followed.
if ! cmp -s package-lock.json node_modules/.misend-lock 2>/dev/null; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.misend-lock
fi
