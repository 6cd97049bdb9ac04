#!/usr/bin/env bash
# Builds misend's Linux packages into dist/: a .deb and an .rpm of the
# binary with the systemd unit, and a release archive.
#
#   packaging/build.sh [VERSION]     # default: the latest tag, else 0.0.0
#   DIST=/tmp/out packaging/build.sh # write elsewhere than dist/
#
# The binary names its version, commit and build date (misend version).
# nfpm comes from the Go module proxy at the pinned version.
set -euo pipefail
cd "$(dirname "$0")/.."
NFPM=github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0
version=${1:-$(git describe --tags --abbrev=0 2>/dev/null || echo v0.0.0)}
version=${version#v}
arch=$(go env GOARCH)
commit=$(git rev-parse HEAD 2>/dev/null || echo "")
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
dist=${DIST:-dist}
mkdir -p "$dist"
pkg=github.com/misend/misend/internal/version
CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X $pkg.Release=$version -X $pkg.Commit=$commit -X $pkg.BuildDate=$date" \
  -o "$dist/misend" ./cmd/misend
# nfpm expands variables in some fields only; fill them all in here.
sed -e "s|\${MISEND_VERSION}|$version|" -e "s|\${MISEND_ARCH}|$arch|" -e "s|\${MISEND_BINARY}|$dist/misend|" \
  packaging/nfpm.yaml >"$dist/nfpm.yaml"
for p in ${PACKAGERS:-deb rpm}; do
  go run "$NFPM" package --config "$dist/nfpm.yaml" --packager "$p" --target "$dist/"
done
tar -C "$dist" -czf "$dist/misend_${version}_linux_${arch}.tar.gz" misend
ls -1 "$dist/"
