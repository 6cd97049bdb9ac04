#!/usr/bin/env bash
# Installs OpenLDAP (slapd, ldap-utils) for the LDAP directory test when it is
# missing: Debian packages, no system database configured, the system
# instance stopped. The test runs its own private slapd on a loopback port.
set -euo pipefail
if [ -x /usr/sbin/slapd ] && command -v ldapadd >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "slapd missing and cannot be installed here (needs root and apt-get)" >&2
  exit 1
fi
echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
# Other tests may be installing their servers at the same time: wait for
# dpkg's lock rather than fail on it.
apt="apt-get -o DPkg::Lock::Timeout=600"
if ! $apt install -y -qq slapd ldap-utils >/dev/null 2>&1; then
  $apt update -qq >/dev/null || true
  $apt install -y -qq slapd ldap-utils >/dev/null
fi
if command -v systemctl >/dev/null 2>&1; then systemctl stop slapd >/dev/null 2>&1 || true; fi
if command -v service >/dev/null 2>&1; then service slapd stop >/dev/null 2>&1 || true; fi
