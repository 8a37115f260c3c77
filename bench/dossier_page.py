"""Dossier summary page and section save against a hand-written SQL baseline (issue 2).

Seeds 1,000 dossiers plus one large dossier (60 professionals, 200 cost lines, 40 pieces), then
prints the median time of the dossier summary page and of a section save, each as a ratio against
the same rows loaded by one hand-written SQL query and rendered by a minimal route of the same
app, hit by the same client in the same run. Target: ratio <= 3.

    python bench/dossier_page.py            # full size
    python bench/dossier_page.py --small    # quick run (CI)
GRANTS_DATABASE_URL=postgresql+psycopg://127.0.0.1:5432/test selects PostgreSQL (a throwaway
database is created and dropped); otherwise a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template  # noqa: E402
from jinja2 import ChoiceLoader, FileSystemLoader  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from bench._common import build_app as make_app  # noqa: E402
from bench._common import median_seconds, result_line, throwaway_database

TARGET = 3.0
BASELINE_SQL = """
SELECT 'dossier' AS kind, title AS a, state AS b, structure_type AS c, nature AS d, 0 AS pos
  FROM dossiers WHERE id = :id
UNION ALL SELECT 'communes', c.name, c.insee_code, c.departement_code, '', dc.position
  FROM dossier_communes dc JOIN communes c ON c.insee_code = dc.insee_code WHERE dc.dossier_id = :id
UNION ALL SELECT 'professionals', last_name, first_name, profession, CAST(etp AS TEXT), position
  FROM professionals WHERE dossier_id = :id
UNION ALL SELECT 'cost_lines', label, aid_type, CAST(year AS TEXT), CAST(amount AS TEXT), position
  FROM cost_lines WHERE dossier_id = :id
UNION ALL SELECT 'resource_lines', label, aid_type, kind, CAST(amount AS TEXT), position
  FROM resource_lines WHERE dossier_id = :id
UNION ALL SELECT 'attachments', original_name, piece_code, status, CAST(size AS TEXT), id
  FROM attachments WHERE dossier_id = :id
ORDER BY 1, 6
"""


def build_app(database_url: str, instance: Path):  # type: ignore[no-untyped-def]
    app = make_app(database_url, instance, login_rate_limit="100000 per minute")
    app.config["WTF_CSRF_ENABLED"] = False
    # The baseline template extends the product's layout, through the app's own Jinja loader.
    app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(Path(__file__).parent)])

    def baseline_rows(dossier_id: int) -> dict[str, list]:
        from grants.extensions import db

        rows: dict[str, list] = defaultdict(list)
        for row in db.session.execute(text(BASELINE_SQL), {"id": dossier_id}):
            rows[row.kind].append(row)
        return rows

    def baseline_page(dossier_id: int) -> str:
        return render_template("baseline_dossier.html", rows=baseline_rows(dossier_id))

    def baseline_save(dossier_id: int) -> str:
        from flask import request

        from grants.extensions import db

        rows = baseline_rows(dossier_id)
        db.session.execute(
            text("UPDATE dossiers SET title = :title, nature = :nature WHERE id = :id"),
            {"title": request.form["title"], "nature": request.form["nature"], "id": dossier_id},
        )
        db.session.commit()
        return render_template("baseline_dossier.html", rows=rows)

    app.add_url_rule("/_bench/page/<int:dossier_id>", "bench_page", baseline_page)
    app.add_url_rule("/_bench/save/<int:dossier_id>", "bench_save", baseline_save, methods=["POST"])
    from grants import security

    security.PUBLIC_ENDPOINTS = security.PUBLIC_ENDPOINTS | {"bench_page", "bench_save"}
    return app


def seed(app, dossiers: int, big: dict[str, int]) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from grants.extensions import db
    from grants.models import (
        Attachment,
        CostLine,
        Dossier,
        DossierCommune,
        Financer,
        Membership,
        Organisation,
        Professional,
        ResourceLine,
        User,
    )
    from grants.services.passwords import hash_password
    from grants.services.reference import load_all

    with app.app_context():
        upgrade()
        load_all()
        user = User(
            email="bench@exemple.fr", full_name="Bench", password_hash=hash_password("x" * 12)
        )
        orgs = [
            Organisation(
                legal_name=f"Organisation {i}",
                category="ps_group",
                legal_form="sisa",
                siret="73282932000074",
                representative_name="R",
                representative_function="F",
                contact_name="C",
                contact_email="c@exemple.fr",
                contact_phone="0100000000",
            )
            for i in range(20)
        ]
        db.session.add_all([user, *orgs])
        db.session.flush()
        db.session.add(Membership(user_id=user.id, organisation_id=orgs[0].id, role="owner"))
        now = datetime.now(UTC)
        idf = ["77458", "91687", "93029", "94054", "95268", "78621", "92073", "75056"]
        db.session.execute(
            insert(Dossier),
            [
                {
                    "organisation_id": orgs[i % 20].id,
                    "created_by_id": user.id,
                    "state": "draft",
                    "title": f"Maison de santé {i}",
                    "structure_type": "msp",
                    "nature": "creation",
                    "aid_types": ["investment_real_estate"],
                    "lock_version": 1,
                    "created_at": now,
                    "updated_at": now,
                    "departement_code": idf[i % 8][:2],
                }
                for i in range(dossiers)
            ],
        )
        ids = list(db.session.scalars(select(Dossier.id).order_by(Dossier.id)))
        db.session.execute(
            insert(DossierCommune),
            [{"dossier_id": d, "insee_code": idf[i % 8], "position": 0} for i, d in enumerate(ids)],
        )
        db.session.execute(
            insert(Professional),
            [
                {
                    "dossier_id": d,
                    "position": k,
                    "last_name": f"Nom {k}",
                    "first_name": "Prénom",
                    "profession": "medecin_generaliste" if k < 2 else "infirmier",
                    "exercise_mode": "liberal",
                    "status_in_project": "already_on_site",
                    "etp": Decimal("1"),
                    "msu": False,
                    "pdsa": False,
                    "contracts": [],
                }
                for d in ids
                for k in range(4)
            ],
        )
        big_dossier = Dossier(
            organisation_id=orgs[0].id,
            created_by_id=user.id,
            state="draft",
            title="Grand dossier",
            structure_type="msp",
            nature="creation",
            aid_types=["investment_real_estate", "operating"],
        )
        financers = list(db.session.scalars(select(Financer).limit(3)))
        big_dossier.financers = financers
        db.session.add(big_dossier)
        db.session.flush()
        big_id = big_dossier.id
        db.session.add(DossierCommune(dossier_id=big_id, insee_code="77458", position=0))
        db.session.execute(
            insert(Professional),
            [
                {
                    "dossier_id": big_id,
                    "position": k,
                    "last_name": f"Nom {k}",
                    "first_name": "Prénom",
                    "profession": "medecin_generaliste" if k % 3 == 0 else "infirmier",
                    "exercise_mode": "liberal",
                    "status_in_project": "already_on_site",
                    "etp": Decimal("0.8"),
                    "sector": "secteur_1",
                    "msu": False,
                    "pdsa": False,
                    "contracts": [],
                }
                for k in range(big["professionals"])
            ],
        )
        db.session.execute(
            insert(CostLine),
            [
                {
                    "dossier_id": big_id,
                    "position": k,
                    "aid_type": "investment_real_estate" if k % 2 else "operating",
                    "year": 2013 + k % 3,
                    "label": f"Ligne de coût {k}",
                    "amount": Decimal("1234.56"),
                }
                for k in range(big["cost_lines"])
            ],
        )
        db.session.execute(
            insert(ResourceLine),
            [
                {
                    "dossier_id": big_id,
                    "position": k,
                    "aid_type": "investment_real_estate",
                    "kind": "financer",
                    "financer_id": financers[k % 3].id,
                    "label": "",
                    "amount": Decimal("1000"),
                    "status": "requested",
                }
                for k in range(12)
            ],
        )
        pieces = ["projet_sante", "plan_financement_signe", "lettres_engagement_ps", "statuts"]
        db.session.execute(
            insert(Attachment),
            [
                {
                    "dossier_id": big_id,
                    "piece_code": pieces[k % 4],
                    "storage_key": f"bench/{k}",
                    "original_name": f"piece-{k}.pdf",
                    "content_type": "application/pdf",
                    "size": 1000,
                    "sha256": "0" * 64,
                    "status": "uploaded",
                    "uploaded_by_id": user.id,
                    "uploaded_at": now,
                }
                for k in range(big["pieces"])
            ],
        )
        db.session.commit()
        return big_id, user.email


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="quick run")
    args = parser.parse_args()
    dossiers = 100 if args.small else 1000
    big = {"professionals": 60, "cost_lines": 200, "pieces": 40}
    repeat = 15 if args.small else 40
    with throwaway_database() as database_url, tempfile.TemporaryDirectory() as folder:
        app = build_app(database_url, Path(folder))
        big_id, email = seed(app, dossiers, big)
        client = app.test_client()
        response = client.post("/connexion", data={"email": email, "password": "x" * 12})
        assert response.status_code == 302, response.status_code
        page_url = f"/espace/dossiers/{big_id}"
        save_url = f"/espace/dossiers/{big_id}/rubriques/identity"
        for url in (page_url, f"/_bench/page/{big_id}", save_url):
            status = client.get(url).status_code
            assert status == 200, (url, status)

        def get_page() -> None:
            assert client.get(page_url).status_code == 200

        def get_baseline() -> None:
            assert client.get(f"/_bench/page/{big_id}").status_code == 200

        counter = {"n": 0}

        def save_form() -> dict[str, str]:
            counter["n"] += 1
            return {"title": f"Grand dossier {counter['n']}", "nature": "creation"}

        def post_section() -> None:
            with app.app_context():
                from grants.extensions import db
                from grants.models import Dossier

                version = db.session.get(Dossier, big_id).lock_version
            data = {
                **save_form(),
                "structure_type": "msp",
                "aid_types": ["investment_real_estate", "operating"],
                "lock_version": str(version),
            }
            status = client.post(save_url, data=data).status_code
            assert status == 302, status

        def post_baseline() -> None:
            assert client.post(f"/_bench/save/{big_id}", data=save_form()).status_code == 200

        page = median_seconds(get_page, repeat)
        page_base = median_seconds(get_baseline, repeat)
        save = median_seconds(post_section, repeat)
        save_base = median_seconds(post_baseline, repeat)
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    page_ratio, save_ratio = page / page_base, save / save_base
    print(f"backend={backend} dossiers={dossiers + 1} big={big}")
    print(
        f"summary page: median {page * 1000:.1f} ms, baseline {page_base * 1000:.1f} ms, "
        f"ratio {page_ratio:.2f}"
    )
    print(
        f"section save: median {save * 1000:.1f} ms, baseline {save_base * 1000:.1f} ms, "
        f"ratio {save_ratio:.2f}"
    )
    print(result_line("dossier_page", max(page_ratio, save_ratio), TARGET))


if __name__ == "__main__":
    main()
