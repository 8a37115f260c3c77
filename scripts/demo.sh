#!/usr/bin/env bash
# Install and run the product on the embedded defaults (SQLite, local files, in-process tasks)
# with demo data, on http://127.0.0.1:5000.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
cd "$ROOT"
exec grants demo "$@"
