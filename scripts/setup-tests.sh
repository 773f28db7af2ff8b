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
DEBIAN_PACKAGES=(poppler-utils cups-ipp-utils avahi-daemon dbus procps chromium fonts-droid-fallback fonts-symbola)

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

npm ci --no-audit --no-fund
