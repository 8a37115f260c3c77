#!/usr/bin/env bash
# Shared by demo.sh and test.sh: system packages, a virtual environment, the project installed.
# Usage: source scripts/bootstrap.sh [extra]   (extra = "test" installs the test dependencies)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${GRANTS_VENV:-$ROOT/.venv}"
EXTRA="${1:-}"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root (or sudo) to run: $*" >&2; return 1; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

if command -v apt-get >/dev/null; then
  # WeasyPrint renders PDFs with Pango; venv may be a separate Debian package.
  apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
  # Font subsetting (smaller PDFs); without it WeasyPrint warns, and the tests make warnings errors.
  if apt-cache show libharfbuzz-subset0 >/dev/null 2>&1; then apt_install libharfbuzz-subset0; fi
  python3 -c "import ensurepip" 2>/dev/null || apt_install python3-venv
  if [ "$EXTRA" = "test" ]; then
    apt_install chromium postgresql-client
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
if [ "$EXTRA" = "test" ]; then
  "$VENV/bin/python" -m pip install -q -e "$ROOT[test]"
else
  "$VENV/bin/python" -m pip install -q -e "$ROOT"
fi
export PATH="$VENV/bin:$PATH"
