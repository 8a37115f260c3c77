"""Envelope reservations per second under 8 concurrent writers, with zero over-commitment (issue 4).

Seeds a throwaway database, then 8 spawned OS processes (each with its own app and engine, started
together behind a barrier) attempt random reservations of 1,000–50,000 € through the real ledger
service (``grants.services.ledger.reserve`` inside ``run_with_retry``: guarded UPDATE, movement,
audit event, commit) on ONE envelope sized for about 90 % of them, so the last ones are refused
with their reason. Afterwards the envelope, the sum and count of its reservation movements and its
audit chain are read back.

value  = reservation attempts per second (accepted or refused, each one committed transaction),
         measured from the barrier to the last writer's end (process start-up excluded); the
         accepted-only rate is printed too.
target = over-commitment == 0: PASS requires reserved + committed <= amount, the movements summing
         to the envelope's running total, as many movements as accepted reservations, every
         refusal carrying its reason, no error and an intact audit chain. The rate is reported,
         not judged: it depends on the machine, and correctness under contention is the point.

    python bench/ledger.py            # 8 writers x 1,000 attempts
    python bench/ledger.py --small    # 8 writers x 75 attempts (under a minute)
GRANTS_DATABASE_URL=postgresql+psycopg://127.0.0.1:5432/test selects PostgreSQL (a throwaway
database is created and dropped); otherwise a temporary SQLite file in WAL mode is used.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import throwaway_database  # noqa: E402
from grants import ledger_stress  # noqa: E402

WRITERS = 8
LOW, HIGH = Decimal("1000"), Decimal("50000")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="quick run")
    args = parser.parse_args()
    attempts = WRITERS * (75 if args.small else 1000)
    room = (attempts * (LOW + HIGH) / 2 * Decimal("0.9")).quantize(Decimal("1"))
    with throwaway_database() as database_url, tempfile.TemporaryDirectory() as folder:
        setup = ledger_stress.prepare(database_url, folder, room)
        outcome = ledger_stress.run(setup, WRITERS, attempts, LOW, HIGH, timeout=900)
        check = ledger_stress.check(setup)
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite-wal"
    accepted = sum(outcome.accepted, Decimal("0"))
    seconds = outcome.seconds or float("inf")
    rate = outcome.attempts / seconds
    problems = []
    if check.over_commitment:
        problems.append(f"over-commitment {check.over_commitment} €")
    if check.reserved + check.committed > check.amount:
        problems.append("reserved + committed above the amount")
    if not (check.movement_sum == check.reserved == accepted):
        problems.append(f"movements {check.movement_sum} / total {check.reserved} / {accepted}")
    if check.movement_count != len(outcome.accepted):
        problems.append("movement count differs from accepted reservations")
    if any(not message.startswith("Il reste ") for _, message in outcome.refused):
        problems.append("a refusal without its reason")
    if outcome.errors or outcome.attempts != attempts:
        problems.append(f"errors: {outcome.errors[:3]}")
    if not check.audit_chain_intact:
        problems.append("audit chain broken")
    print(f"backend={backend} writers={WRITERS} attempts={outcome.attempts} room={room} €")
    print(
        f"accepted={len(outcome.accepted)} refused={len(outcome.refused)} "
        f"errors={len(outcome.errors)} in {outcome.seconds:.2f} s"
    )
    print(
        f"reservations: {rate:.1f} attempts/s, {len(outcome.accepted) / seconds:.1f} accepted/s; "
        f"envelope {check.amount} €, reserved {check.reserved} €, "
        f"over-commitment {check.over_commitment} €"
    )
    for problem in problems:
        print(f"problem: {problem}")
    verdict = "PASS" if not problems else "FAIL"
    print(f"RESULT name=ledger value={rate:.2f} target=over_commitment==0 {verdict}")


if __name__ == "__main__":
    main()
