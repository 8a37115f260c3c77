"""Scoring throughput through the real code path against the pure scoring functions (issue 4).

Seeds 100,000 filed dossiers (6 professionals, 2 cost lines, 3 resource lines, 2 financers and an
objective each), then scores them all as the re-score job does (load from the database in chunks,
compute, store the cards, commit per chunk) and prints dossiers per second, with the ratio against
``grid.score`` called on the same inputs already in memory. Target: ratio >= 0.3.

    python bench/scoring.py            # 100,000 dossiers
    python bench/scoring.py --small    # 3,000 dossiers, under a minute
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

from sqlalchemy import insert, select  # noqa: E402

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


def run(count: int) -> float:
    from grants.extensions import db
    from grants.models import Dossier
    from grants.scoring import grid
    from grants.services import config_versions, scoring
    from grants.services.scoring import CHUNK  # the chunk of the re-score job
    from grants.services.scoring_inputs import load_inputs

    seed_start = time.perf_counter()
    seed(count)
    print(f"seeded {count} dossiers in {time.perf_counter() - seed_start:.1f} s")
    grid_version = config_versions.active("scoring_grid")
    ids = list(db.session.scalars(select(Dossier.id).order_by(Dossier.id)))

    start = time.perf_counter()
    for offset in range(0, len(ids), CHUNK):
        scoring.score_dossiers(
            ids[offset : offset + CHUNK],
            trigger="bench",
            session=db.session,
            grid_version=grid_version,
        )
        db.session.commit()
    real = time.perf_counter() - start

    inputs = []
    for offset in range(0, len(ids), CHUNK):
        inputs.extend(load_inputs(ids[offset : offset + CHUNK]).values())
    payload = grid_version.payload
    start = time.perf_counter()
    for item in inputs:
        grid.score(item, payload)
    pure = time.perf_counter() - start

    real_rate, pure_rate = len(ids) / real, len(inputs) / pure
    print(f"real code path (load, score, store): {real_rate:,.0f} dossiers/s ({real:.1f} s)")
    print(f"pure scoring on inputs in memory:    {pure_rate:,.0f} dossiers/s ({pure:.1f} s)")
    return real_rate / pure_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="3,000 dossiers")
    args = parser.parse_args()
    count = 3000 if args.small else 100_000
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
