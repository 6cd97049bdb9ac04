#!/bin/sh
# The state directory exists before the first start, so that `misend init`
# run with sudo can create the database there for the misend user; the
# configuration directory is readable by the service, not by everyone.
set -e
install -d -o misend -g misend -m 0750 /var/lib/misend
install -d -o root -g misend -m 0750 /etc/misend
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
  # An upgrade restarts a running misend on the new binary.
  if systemctl is-active --quiet misend; then
    systemctl try-restart misend >/dev/null 2>&1 || true
  fi
fi
cat <<'TXT'
misend is installed. First run:
  sudo misend init --org-domain corp.example --public-url https://misend.corp.example \
       --upstream mx.corp.example:25 --network 10.0.0.0/8 --admin you@corp.example
  sudo misend config check
  sudo systemctl enable --now misend
TXT
