#!/usr/bin/env bash
# Installs what the browser end-to-end tests need: Debian's chromium and
# Japanese fonts (as root, when missing) and playwright-core from
# package-lock.json into node_modules here. playwright-core never downloads a browser; the tests
# drive /usr/bin/chromium. Without root and without chromium this prints a
# note and succeeds (the Go tests then skip themselves) — unless
# MISEND_REQUIRE_SERVERS=1, when it fails.
set -euo pipefail
cd "$(dirname "$0")"

# The fonts make screenshots show Japanese text rather than boxes.
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || want+=(fonts-noto-cjk)
if [ ${#want[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "integration/browser: ${want[*]} not installed and this is not root; browser tests may be skipped" >&2
  else
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
  fi
fi
required() { [ "${MISEND_REQUIRE_SERVERS:-}" = 1 ]; }
if ! command -v chromium >/dev/null 2>&1; then
  required && { echo "integration/browser: chromium could not be installed" >&2; exit 1; }
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  required && { echo "integration/browser: npm is not installed" >&2; exit 1; }
  echo "integration/browser: npm is not installed; browser tests will be skipped" >&2
  exit 0
fi

if [ ! -f node_modules/playwright-core/package.json ] ||
   [ "$(node -p 'require("./node_modules/playwright-core/package.json").version')" != "$(node -p 'require("./package-lock.json").packages["node_modules/playwright-core"].version')" ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
