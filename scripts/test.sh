#!/usr/bin/env bash
# Install and run the whole test suite: lint, then every test against PostgreSQL
# (127.0.0.1:5432, database "test"), then again against SQLite (the embedded default).
# A missing service is a failure, never a skip.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh" test
cd "$ROOT"

PG_URL="${GRANTS_TEST_DATABASE_URL:-postgresql+psycopg://127.0.0.1:5432/test}"

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432; then return 0; fi
  if command -v pg_ctlcluster >/dev/null; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
}
ensure_postgres

echo "== ruff"
ruff check grants worker tests bench
echo "== tests on PostgreSQL"
GRANTS_TEST_DATABASE_URL="$PG_URL" python -m pytest -q "$@"
echo "== tests on SQLite (embedded default)"
GRANTS_TEST_DATABASE_URL="sqlite://" python -m pytest -q -m "not postgres_only" "$@"
