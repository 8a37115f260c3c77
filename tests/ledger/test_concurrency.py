"""The envelope never over-commits under concurrency: 8 OS processes, 400 reservations.

PostgreSQL run (``postgres_only``: it fails, never skips, when PostgreSQL is unreachable) and the
same invariant on the embedded default, a SQLite file in WAL mode (8 threads: the single-writer
lock is per database file, so threads exercise it exactly as processes would, at less start-up).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants import ledger_stress
from grants.devtools import throwaway_database
from grants.templating import money
from tests import conftest

PROCESSES = 8
ROOM = Decimal("1000000.00")  # room for a handful of reservations of 50,000–400,000 €


def _run_and_check(database_url: str, instance_dir: str, threads: bool = False) -> None:
    attempts = 400
    setup = ledger_stress.prepare(database_url, instance_dir, ROOM)
    outcome = ledger_stress.run(
        setup,
        PROCESSES,
        attempts,
        Decimal("50000"),
        Decimal("400000"),
        timeout=240,
        threads=threads,
    )
    assert outcome.errors == []
    assert outcome.attempts == attempts
    result = ledger_stress.check(setup)
    accepted = sum(outcome.accepted, Decimal("0"))
    assert result.over_commitment == 0
    assert result.reserved + result.committed <= result.amount
    assert result.movement_sum == result.reserved == accepted
    assert result.movement_count == len(outcome.accepted)
    assert 0 < len(outcome.accepted) < attempts
    remaining = result.amount - result.reserved
    for amount, message in outcome.refused:
        # Room only shrinks during the run: every refused amount exceeds what is finally left.
        assert amount > remaining
        assert message.startswith("Il reste ") and message.endswith(f"{money(amount)} demandés.")
    assert result.audit_chain_intact


@pytest.mark.postgres_only
def test_eight_processes_never_over_commit_on_postgresql(tmp_path) -> None:
    base = conftest.test_database_url()
    assert base.startswith("postgresql"), "this test needs GRANTS_TEST_DATABASE_URL on PostgreSQL"
    with throwaway_database(base, "grants_ledger") as url:
        _run_and_check(url, str(tmp_path))


def test_eight_writers_never_over_commit_on_sqlite_wal(tmp_path) -> None:
    """The embedded default: 8 threads, each with its own session and connection, on a WAL file."""
    with throwaway_database("sqlite://", "grants_ledger") as url:
        _run_and_check(url, str(tmp_path), threads=True)
