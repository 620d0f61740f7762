#!/usr/bin/env bash
# Installs the zbar shared library that pyzbar loads, through the system package manager, when missing.
set -euo pipefail
PY=${1:-python3}
if "$PY" -c 'import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library("zbar") else 1)'; then
  exit 0
fi
echo "kucun: libzbar is missing (pyzbar needs it to decode barcode images); installing it..."
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libzbar0 >/dev/null
elif command -v dnf >/dev/null 2>&1; then
  $SUDO dnf install -y zbar-libs >/dev/null
elif command -v apk >/dev/null 2>&1; then
  $SUDO apk add --no-cache zbar >/dev/null
elif command -v pacman >/dev/null 2>&1; then
  $SUDO pacman -S --noconfirm zbar >/dev/null
elif command -v brew >/dev/null 2>&1; then
  brew install zbar >/dev/null
else
  echo "kucun: no known package manager found; install the zbar library (libzbar0) by hand." >&2
  exit 1
fi
"$PY" -c 'import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library("zbar") else 1)' \
  || { echo "kucun: libzbar still not found after installing it" >&2; exit 1; }
echo "kucun: libzbar installed."
