"""Scoring throughput through the real code path against the pure scoring functions (issue 4).

Seeds 100,000 filed dossiers (3 to 6 professionals, 2 cost lines, 3 resource lines, 2 financers
and an objective each), then runs the re-score job a grid change starts, in-process after the
commit as the embedded default does without a broker (read each chunk from the database, score it,
store its cards and the job's progress, commit), and prints dossiers per second, with the ratio
against ``grid.score`` called on the same inputs already in memory. Target: ratio >= 0.3.

    python bench/scoring.py            # 100,000 dossiers
    python bench/scoring.py --small    # 20,000 dossiers, under a minute

The job reads each chunk while the previous one is scored and stores it while the next one is: the
first read and the last store overlap nothing, and weigh on a run of a few chunks (3,000 dossiers:
0.25 to 0.32 here), hence twenty chunks for the small run.
GRANTS_DATABASE_URL=postgresql+psycopg://127.0.0.1:5432/test selects PostgreSQL (a throwaway
database is created and dropped); otherwise a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bench._common import build_app, result_line, throwaway_database  # noqa: E402

TARGET = 0.3
PROFESSIONS = [
    ("medecin_generaliste", "already_on_site", "1.00"),
    ("medecin_generaliste", "new_installation", "0.80"),
    ("medecin_generaliste", "already_on_site", "0.50"),
    ("infirmier", "already_on_site", "1.00"),
    ("masseur_kinesitherapeute", "already_on_site", "0.50"),
    ("orthophoniste", "new_installation", "0.30"),
]


def seed(count: int) -> None:  # noqa: PLR0915 - a flat list of bulk inserts
    from flask_migrate import upgrade

    from grants.extensions import db
    from grants.models import (
        CostLine,
        Dossier,
        DossierFinancer,
        Financer,
        HealthObjective,
        Organisation,
        Professional,
        ResourceLine,
        User,
    )
    from grants.services.reference import load_all

    upgrade()
    load_all()
    db.session.commit()
    financers = {f.code: f for f in db.session.scalars(select(Financer))}
    user = User(email="bench@example.org", password_hash="x", full_name="Bench")
    organisation = Organisation(
        legal_name="Bench",
        category="ps_group",
        legal_form="sisa",
        siret="73282932000074",
        representative_name="B",
        representative_function="G",
        contact_name="B",
        contact_email="b@example.org",
        contact_phone="0100000000",
    )
    db.session.add_all([user, organisation])
    db.session.commit()
    now = datetime.now(UTC)
    for start in range(0, count, 5000):
        ids = range(start + 1, min(start + 5001, count + 1))
        db.session.execute(
            insert(Dossier),
            [
                {
                    "id": i,
                    "organisation_id": organisation.id,
                    "created_by_id": user.id,
                    "state": "completeness_check",
                    "reference": f"IDF-2026-77-{i:06d}",
                    "submitted_at": now,
                    "title": f"MSP {i}",
                    "structure_type": "msp",
                    "nature": "creation",
                    "aid_types": ["investment_real_estate", "operating"],
                    "diagnosis_reference": "DTP" if i % 2 else None,
                    "needs_analysis": "Besoins",
                    "coordinator_named": i % 3 == 0,
                    "unscheduled_care": i % 4 == 0,
                    "feasibility_conclusion": "feasible",
                    "planned_rent_m2_year": Decimal("120"),
                    "market_rent_m2_year": Decimal("180"),
                    "commitment_years": 5 + i % 10,
                    "accepted_commitments": ["maintain_activity", "moderate_rent"],
                    "cls_signed": i % 5 == 0,
                }
                for i in ids
            ],
        )
        db.session.execute(
            insert(Professional),
            [
                {
                    "dossier_id": i,
                    "position": p,
                    "last_name": "N",
                    "first_name": "P",
                    "profession": profession,
                    "exercise_mode": "liberal",
                    "status_in_project": status,
                    "etp": Decimal(etp),
                    "sector": "secteur_1",
                    "age_band": "gte60" if p == i % 6 else "35_54",
                    "contracts": [],
                }
                for i in ids
                for p, (profession, status, etp) in enumerate(PROFESSIONS[: 3 + i % 4])
            ],
        )
        db.session.execute(
            insert(CostLine),
            [
                {"dossier_id": i, "aid_type": a, "year": 2026, "label": "C", "amount": amount}
                for i in ids
                for a, amount in (
                    ("investment_real_estate", Decimal(1000000 + i)),
                    ("operating", Decimal("120000")),
                )
            ],
        )
        db.session.execute(
            insert(ResourceLine),
            [
                {
                    "dossier_id": i,
                    "aid_type": "investment_real_estate",
                    "kind": kind,
                    "financer_id": financers[code].id if code else None,
                    "label": "R",
                    "amount": amount,
                    "status": "requested" if code else "self",
                }
                for i in ids
                for kind, code, amount in (
                    ("financer", "ARS_IMMO", Decimal("400000")),
                    ("financer", "REGION_IDF", Decimal("300000")),
                    ("own_funds", None, Decimal(300000 + i)),
                )
            ],
        )
        db.session.execute(
            insert(DossierFinancer),
            [
                {"dossier_id": i, "financer_id": financers[code].id}
                for i in ids
                for code in ("ARS_IMMO", "REGION_IDF")
            ],
        )
        db.session.execute(
            insert(HealthObjective),
            [
                {"dossier_id": i, "objective": "O", "indicator": "I", "target": "T", "year": 2028}
                for i in ids
            ],
        )
        db.session.commit()
    db.session.execute(text("ANALYZE"))  # statistics, as a database in service has
    db.session.commit()


def run(count: int) -> float:
    from grants.extensions import db
    from grants.models import Dossier
    from grants.scoring import grid
    from grants.services import config_versions, scoring
    from grants.services.scoring_inputs import load_inputs
    from grants.services.scoring_store import CARDS

    seed_start = time.perf_counter()
    seed(count)
    print(f"seeded {count} dossiers in {time.perf_counter() - seed_start:.1f} s")
    grid_version = config_versions.active("scoring_grid")
    first = db.session.scalars(select(Dossier.id).order_by(Dossier.id).limit(100)).all()
    scoring.score_dossiers(first, trigger="warm-up", grid_version=grid_version)
    db.session.commit()  # statements compiled and caches filled, as in a worker that has run
    job = scoring.start_rescore(grid_version, actor=None)

    start = time.perf_counter()
    db.session.commit()  # no broker: the job runs in-process after the commit
    real = time.perf_counter() - start

    db.session.refresh(job)
    current = db.session.scalar(select(func.count()).select_from(CARDS).where(CARDS.c.current))
    if (job.state, job.done, current) != ("done", count, count):
        raise SystemExit(
            f"re-score job {job.state} ({job.done}/{count}, {current} cards): {job.error}"
        )
    ids = list(db.session.scalars(select(Dossier.id).order_by(Dossier.id)))
    inputs = []
    for offset in range(0, len(ids), scoring.CHUNK):
        inputs.extend(load_inputs(ids[offset : offset + scoring.CHUNK]).values())
    payload = grid_version.payload
    start = time.perf_counter()
    for item in inputs:
        grid.score(item, payload)
    pure = time.perf_counter() - start

    real_rate, pure_rate = count / real, len(inputs) / pure
    print(f"real code path (re-score job): {real_rate:,.0f} dossiers/s ({real:.1f} s)")
    print(f"pure scoring on inputs in memory: {pure_rate:,.0f} dossiers/s ({pure:.1f} s)")
    return real_rate / pure_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="20,000 dossiers")
    args = parser.parse_args()
    count = 20_000 if args.small else 100_000
    with throwaway_database() as url, tempfile.TemporaryDirectory() as instance:
        app = build_app(url, Path(instance))
        with app.app_context():
            print(f"database: {url.split('://')[0]}")
            ratio = run(count)
            from grants.extensions import db

            db.session.remove()
            db.engine.dispose()
    print(result_line("scoring", ratio, TARGET, higher_is_better=True))


if __name__ == "__main__":
    main()
