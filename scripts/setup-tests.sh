#!/usr/bin/env bash
# Installs and starts everything the test suite needs on a fresh Debian machine, then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use:
#   poppler-utils   reads PDFs back (pdftoppm, pdftotext, pdfinfo)
#   cups-ipp-utils  ippeveprinter, a real IPP Everywhere printer on loopback
#   avahi-daemon, dbus  ippeveprinter needs a DNS-SD daemon even with advertising turned off
#   chromium        the kiosk's end-to-end tests run in a real browser (driven by playwright-core)
#   fonts-droid-fallback, fonts-symbola  fallback fonts for text the label font lacks (Chinese, Japanese, symbols)
#   postgresql      the shop ledger (PostgreSQL 15 from Debian): its tests run against a real server
#   glabels         its own PDF of an imported glabels document is what the station's print is measured against
#   fuse3, python3-fusepy  a network share whose server goes away (test/doubles/hung-share.py): needs root and /dev/fuse
DEBIAN_PACKAGES=(poppler-utils cups-ipp-utils avahi-daemon dbus procps chromium fonts-droid-fallback fonts-symbola postgresql glabels fuse3 python3-fusepy)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Start the system bus and avahi unless they already run (on a desktop or a systemd machine they do). Files left by
# daemons that were killed (a socket, a pid file) do not count: ask the bus itself, and look for the process.
if ! dbus-send --system --dest=org.freedesktop.DBus --print-reply / org.freedesktop.DBus.GetId >/dev/null 2>&1; then
  $SUDO rm -f /run/dbus/pid /run/dbus/system_bus_socket
  $SUDO mkdir -p /run/dbus
  $SUDO dbus-daemon --system --fork
fi
if ! pgrep -x avahi-daemon >/dev/null; then
  $SUDO rm -f /run/avahi-daemon/pid
  $SUDO avahi-daemon --daemonize --no-chroot
fi

# PostgreSQL: start the distribution's cluster (none runs on a fresh machine) and give the tests an account that may
# create their own databases. Tests that stop the server mid-run start a private one of their own instead.
if command -v pg_lsclusters >/dev/null; then
  if [ -z "$(pg_lsclusters --no-header)" ]; then
    $SUDO pg_createcluster "$(ls /usr/lib/postgresql | sort -n | tail -n 1)" main >/dev/null
  fi
  PG_LINE="$(pg_lsclusters --no-header | head -n 1)"
  PG_VERSION="$(echo "$PG_LINE" | awk '{print $1}')"
  PG_CLUSTER="$(echo "$PG_LINE" | awk '{print $2}')"
  $SUDO pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
  PSQL=(psql -v ON_ERROR_STOP=1 -q)
  if [ "$(id -u)" -eq 0 ]; then PSQL=(runuser -u postgres -- "${PSQL[@]}"); else PSQL=(sudo -u postgres "${PSQL[@]}"); fi
  "${PSQL[@]}" -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'benchprint_test') THEN
      CREATE ROLE benchprint_test LOGIN CREATEDB PASSWORD 'benchprint_test';
    END IF; END \$\$;"
fi

npm ci --no-audit --no-fund
