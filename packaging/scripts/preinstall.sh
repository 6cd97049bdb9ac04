#!/bin/sh
# misend runs as its own system user, which owns its state and keys.
set -e
if ! getent group misend >/dev/null; then
  groupadd --system misend
fi
if ! getent passwd misend >/dev/null; then
  useradd --system --gid misend --home-dir /var/lib/misend --no-create-home \
    --shell /usr/sbin/nologin --comment "misend mail gateway" misend
fi
