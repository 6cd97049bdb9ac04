#!/bin/sh
# Stop misend before its binary goes, on removal only: an upgrade restarts
# it in postinstall. Mail in the spool, the database and keys are kept.
set -e
case "$1" in
  remove|0)
    if [ -d /run/systemd/system ]; then
      systemctl disable --now misend >/dev/null 2>&1 || true
    fi
    ;;
esac
