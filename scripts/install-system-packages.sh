#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: OpenLDAP slapd,
# PostgreSQL, Chromium, poppler (pdftotext, pdfinfo), ClamAV, systemd-analyze (unit checks).
# Debian 12 and 13.
# Needs root and apt-get; prints what it does. Safe to run again.
set -euo pipefail

PACKAGES=(make git python3 python3-venv openssl slapd ldap-utils postgresql poppler-utils chromium chromium-driver
          fonts-dejavu-core clamav systemd)
OPTIONAL=(libharfbuzz-subset0)

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "install-system-packages: nicht root oder kein apt-get – übersprungen." >&2
  exit 0
fi

apt_retry() {
  local n
  for n in 1 2 3; do
    if "$@"; then return 0; fi
    echo "apt: Versuch $n fehlgeschlagen, neuer Versuch in 5 s …" >&2
    sleep 5
  done
  return 1
}

export DEBIAN_FRONTEND=noninteractive
apt_retry apt-get update -q
want=("${PACKAGES[@]}")
for p in "${OPTIONAL[@]}"; do
  if apt-cache show "$p" >/dev/null 2>&1; then want+=("$p"); fi
done
apt_retry apt-get install -y -q --no-install-recommends "${want[@]}"
