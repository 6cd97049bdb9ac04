#!/usr/bin/env bash
# The whole misend test suite: static checks, unit and integration tests.
# The servers integration tests start on loopback (Postfix, PostgreSQL,
# OpenLDAP, Chromium) are installed here, before any test, from Debian (CI
# runs as root); then MISEND_REQUIRE_SERVERS=1 makes a server that is
# missing or does not start FAIL its tests instead of skipping them.
set -euo pipefail
cd "$(dirname "$0")"

export PATH="$PATH:$(go env GOPATH)/bin"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
if ! command -v staticcheck >/dev/null; then
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
staticcheck ./...

# The add-ins' Send handlers are JavaScript; their tests run in Node
# with a fake Office object and no packages. Node is required: a missing
# node fails the run rather than skipping the add-in's tests.
echo "== add-in JavaScript (node --test)"
if ! command -v node >/dev/null; then echo "node is required for the add-in tests (apt-get install nodejs)"; exit 1; fi
node --test internal/addin/jstest/

echo "== servers for the integration tests"
integration/install-servers.sh
# Microsoft's published manifest schemas and converter (npm ci), xmllint.
MISEND_REQUIRE_SERVERS=1 internal/addin/schemacheck/install.sh
export MISEND_REQUIRE_SERVERS=1

echo "== go test"
go test -count=1 -timeout 15m ./...
echo "== the packages that keep data, again on PostgreSQL"
MISEND_TEST_DB=postgres go test -count=1 -timeout 10m ./cmd/misend/ ./internal/audit/ ./internal/auth/ \
  ./internal/decisions/ ./internal/detect/ ./internal/directory/ ./internal/feedback/ ./internal/model/ \
  ./internal/reports/ ./internal/refit/ ./internal/terms/ ./internal/web/ ./internal/api/ ./internal/server/ ./internal/journal/
