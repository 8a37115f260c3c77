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

# Redis on 127.0.0.1:6379: the Celery broker of the notification tests (real worker processes).
ensure_redis() {
  if ! command -v redis-server >/dev/null && command -v apt-get >/dev/null; then
    apt_install redis-server
  fi
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then return 0; fi
  command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; exit 1; }
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.5
  done
  echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1
}
ensure_redis

echo "== ruff"
ruff check grants worker tests bench
echo "== tests on PostgreSQL"
GRANTS_TEST_DATABASE_URL="$PG_URL" python -m pytest -q "$@"
echo "== tests on SQLite (embedded default)"
GRANTS_TEST_DATABASE_URL="sqlite://" python -m pytest -q -m "not postgres_only" "$@"
