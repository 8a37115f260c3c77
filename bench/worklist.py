"""Instructor work list against the same SQL run directly (issue 3).

Seeds 100,000 filed dossiers across the 8 Île-de-France départements (bulk Core inserts and
INSERT … SELECT), an ARS head-office instructor, then prints the median time of the instructor's
filtered, sorted first page and of a full-text search through the app's route, each as a ratio
against the very SQL statements the page runs (compiled once, executed through the same engine by a
minimal JSON route of the same app, hit by the same client in the same run), and the number of
queries per page. Target: ratio <= 2.

    python bench/worklist.py            # 100,000 dossiers
    python bench/worklist.py --small    # 10,000 dossiers
GRANTS_DATABASE_URL=postgresql+psycopg://127.0.0.1:5432/test selects PostgreSQL (a throwaway
database is created and dropped); otherwise a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import jsonify, request  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402

from bench._common import build_app as make_app  # noqa: E402
from bench._common import result_line, throwaway_database

TARGET = 2.0
DEPARTEMENTS = ("75", "77", "78", "91", "92", "93", "94", "95")
STATES = ("completeness_check", "awaiting_documents", "admissible", "under_instruction")
STRUCTURES = ("msp", "msp", "pole", "cds")
AIDS = (
    ["investment_real_estate"],
    ["feasibility_study"],
    ["investment_real_estate", "operating"],
    ["investment_equipment", "operating"],
)
WORDS = (
    "maison de santé pluriprofessionnelle",
    "médecins généralistes",
    "infirmiers libéraux",
    "masseurs-kinésithérapeutes",
    "sages-femmes",
    "centre de santé municipal",
    "pôle de santé",
    "quartier prioritaire de la politique de la ville",
    "permanence des soins ambulatoires",
    "téléconsultation",
    "accueil d'internes en stage",
    "rénovation d'un bâtiment communal",
    "construction neuve",
    "accessibilité des personnes à mobilité réduite",
    "éducation thérapeutique du patient",
    "prévention du diabète",
    "santé mentale",
    "orthophonistes",
    "chirurgiens-dentistes",
    "pharmacie",
)
PAGE_QUERY = {
    "tab": "tous",
    "state": ["completeness_check", "admissible"],
    "aid_type": "investment_real_estate",
    "sort": "updated_at",
    "direction": "desc",
}
SEARCH_QUERY = {"tab": "tous", "q": "téléconsultation diabète"}


def build_app(database_url: str, instance: Path):  # type: ignore[no-untyped-def]
    from grants import security

    app = make_app(database_url, instance, login_rate_limit="100000 per minute")
    app.config["WTF_CSRF_ENABLED"] = False
    baseline_sql: dict[str, tuple[str, str]] = {}

    def baseline(name: str):  # type: ignore[no-untyped-def]
        """The page's two statements, as SQL text, through the same engine, as JSON."""
        from grants.extensions import db

        page_sql, tracks_sql = baseline_sql[name]
        connection = db.session.connection()
        rows = connection.exec_driver_sql(page_sql).all()[:50]
        ids = ", ".join(str(row.id) for row in rows) or "0"
        tracks = connection.exec_driver_sql(tracks_sql.replace("IN (0)", f"IN ({ids})")).all()
        return jsonify(
            rows=[[str(value) for value in row] for row in rows],
            tracks=[[str(value) for value in row] for row in tracks],
            args=len(request.args),
        )

    app.add_url_rule("/_bench/worklist/<name>", "bench_worklist", baseline)
    security.PUBLIC_ENDPOINTS = security.PUBLIC_ENDPOINTS | {"bench_worklist"}
    app.extensions["bench_baseline_sql"] = baseline_sql
    return app


def _search_text(rng: random.Random, title: str, communes: list[str], org: str) -> str:
    words = rng.sample(WORDS, 6)
    return f"{title} {org} {' '.join(communes)} {' '.join(words)}"


def seed(app, dossiers: int) -> str:  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from grants.extensions import db
    from grants.models import Commune, Dossier, DossierCommune, Financer, Organisation, User
    from grants.services.passwords import hash_password
    from grants.services.reference import load_communes, load_departements, load_financers
    from grants.services.search_text import with_folded_words

    rng = random.Random(20260105)
    with app.app_context():
        upgrade()
        load_departements()
        load_communes()
        load_financers()  # what the work list needs (not the pieces or the envelopes)
        creator = User(email="porteur@exemple.fr", full_name="Porteur", password_hash="x")
        instructor = User(
            email="ars@exemple.fr",
            full_name="Instructrice ARS",
            role="ars_instructor",
            password_hash=hash_password("x" * 12),
        )
        instructor.financers = list(
            db.session.scalars(select(Financer).where(Financer.code.in_(("ARS_FIR", "ARS_IMMO"))))
        )
        orgs = [
            Organisation(
                legal_name=f"SISA Santé {i}",
                category="ps_group",
                legal_form="sisa",
                siret="73282932000074",
                representative_name="R",
                representative_function="F",
                contact_name="C",
                contact_email="c@exemple.fr",
                contact_phone="0100000000",
            )
            for i in range(200)
        ]
        db.session.add_all([creator, instructor, *orgs])
        db.session.flush()
        communes = {
            dep: [
                (c.insee_code, c.name)
                for c in db.session.scalars(
                    select(Commune)
                    .where(Commune.departement_code == dep)
                    .order_by(Commune.population.desc())
                    .limit(40)
                )
            ]
            for dep in DEPARTEMENTS
        }
        start = datetime(2024, 1, 1, tzinfo=UTC)
        table = Dossier.__table__
        dossier_rows, commune_rows = [], []
        for n in range(1, dossiers + 1):
            dep = DEPARTEMENTS[n % 8]
            code, name = communes[dep][rng.randrange(len(communes[dep]))]
            org = orgs[n % 200]
            state = STATES[n % 4]
            submitted = start + timedelta(minutes=7 * n + rng.randrange(5))
            title = f"{WORDS[n % 7].capitalize()} de {name}"
            dossier_rows.append(
                {
                    "id": n,
                    "organisation_id": org.id,
                    "created_by_id": creator.id,
                    "state": state,
                    "reference": f"IDF-{submitted.year}-{dep}-{n:06d}",
                    "departement_code": dep,
                    "title": title,
                    "structure_type": STRUCTURES[n % 4],
                    "aid_types": AIDS[(n // 4) % 4],
                    "submitted_at": submitted,
                    "created_at": submitted,
                    "updated_at": submitted + timedelta(days=rng.randrange(90)),
                    "clock_paused_at": submitted if state == "awaiting_documents" else None,
                    "lock_version": 1,
                    "search_text": with_folded_words(
                        _search_text(rng, title, [name, code], org.legal_name)
                    ),
                }
            )
            commune_rows.append({"dossier_id": n, "insee_code": code, "position": 0})
        for chunk in range(0, dossiers, 10000):
            db.session.execute(insert(table), dossier_rows[chunk : chunk + 10000])
        db.session.execute(insert(DossierCommune.__table__), commune_rows)
        # Every dossier targets both ARS financers, the Région and its Département.
        db.session.execute(
            text(
                "INSERT INTO dossier_financers (dossier_id, financer_id) "
                "SELECT d.id, f.id FROM dossiers d JOIN financers f "
                "ON f.code IN ('ARS_FIR', 'ARS_IMMO', 'REGION_IDF') "
                "OR f.code = 'DEP_' || d.departement_code"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO financer_tracks (dossier_id, financer_id, state, lock_version, "
                "opened_at, updated_at, checklist_completed_at) "
                "SELECT d.id, df.financer_id, "
                "CASE WHEN d.state IN ('admissible', 'under_instruction') "
                "THEN 'instructing' ELSE 'checking' END, 1, d.submitted_at, d.updated_at, "
                "CASE WHEN d.state IN ('admissible', 'under_instruction') "
                "THEN d.updated_at END "
                "FROM dossiers d JOIN dossier_financers df ON df.dossier_id = d.id"
            )
        )
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text("SELECT setval('dossiers_id_seq', (SELECT max(id) FROM dossiers))")
            )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return instructor.email


def compile_baseline(app, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The SQL the page runs for each query, with its parameters inlined, and the search plan."""
    from werkzeug.datastructures import MultiDict

    from grants.extensions import db
    from grants.forms.worklist import WorklistForm
    from grants.models import User
    from grants.services import worklist

    plans = {}
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email))
        financer_ids = sorted(f.id for f in user.financers)
        for name, query in (("page", PAGE_QUERY), ("search", SEARCH_QUERY)):
            form = WorklistForm(MultiDict([(k, v) for k, vs in _items(query) for v in vs]), user)
            assert form.validate(), form.errors
            filters = form.filters()

            def sql(statement):  # type: ignore[no-untyped-def]
                return str(
                    statement.compile(
                        dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
                    )
                )

            page_sql = sql(worklist.page_statement(user, financer_ids, filters))
            tracks_sql = sql(worklist.tracks_statement([0], financer_ids))
            assert "IN (0)" in tracks_sql
            app.extensions["bench_baseline_sql"][name] = (page_sql, tracks_sql)
            if db.engine.dialect.name == "postgresql":
                plans[name] = "\n".join(db.session.scalars(text("EXPLAIN " + page_sql)))
    return plans


def interleaved_medians(app_action, base_action, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median of each, sampled alternately so that load drifting on the machine hits both."""
    for _ in range(3):
        app_action()
        base_action()
    app_samples, base_samples = [], []
    for _ in range(repeat):
        for action, samples in ((app_action, app_samples), (base_action, base_samples)):
            start = time.perf_counter()
            action()
            samples.append(time.perf_counter() - start)
    return statistics.median(app_samples), statistics.median(base_samples)


def _items(query: dict) -> list[tuple[str, list[str]]]:
    return [(k, v if isinstance(v, list) else [v]) for k, v in query.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="quick run (10,000 dossiers)")
    args = parser.parse_args()
    dossiers = 10_000 if args.small else 100_000
    repeat = 15 if args.small else 30
    with throwaway_database() as database_url, tempfile.TemporaryDirectory() as folder:
        app = build_app(database_url, Path(folder))
        started = time.perf_counter()
        email = seed(app, dossiers)
        seeded = time.perf_counter() - started
        plans = compile_baseline(app, email)
        client = app.test_client()
        response = client.post("/connexion", data={"email": email, "password": "x" * 12})
        assert response.status_code == 302, response.status_code
        page_url = "/instruction/?" + urlencode(PAGE_QUERY, doseq=True)
        search_url = "/instruction/?" + urlencode(SEARCH_QUERY, doseq=True)
        for url in (page_url, search_url):
            html = client.get(url).get_data(as_text=True)
            assert 'rel="next"' in html, url

        def timed(url: str):  # type: ignore[no-untyped-def]
            def action() -> None:
                assert client.get(url).status_code == 200

            return action

        results = {}
        for name, url in (("page", page_url), ("search", search_url)):
            # The first visit counts (once per filter change); the timed ones reuse that count.
            client.get(url)
            results[name] = interleaved_medians(
                timed(url), timed(f"/_bench/worklist/{name}"), repeat
            )

        from grants.extensions import db

        with app.app_context():
            engine = db.engine
        # Outside any app context: each request loads what it needs, as in production.
        statements: list[str] = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        counts = {}
        for name, url in (("page", page_url), ("search", search_url)):
            client.get(url)  # cached count for this filter set
            statements.clear()
            client.get(url)
            counts[name] = len(statements)
        event.remove(engine, "before_cursor_execute", listener)
        per_page, per_search = counts["page"], counts["search"]
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    print(f"backend={backend} dossiers={dossiers} seeded in {seeded:.1f} s")
    for name, (app_time, base_time) in results.items():
        label = "filtered sorted first page" if name == "page" else "full-text search"
        print(
            f"{label}: median {app_time * 1000:.1f} ms, same SQL direct {base_time * 1000:.1f} ms,"
            f" ratio {app_time / base_time:.2f}"
        )
    if plans:
        used = "ix_dossiers_search" in plans["search"]
        print(f"search plan uses ix_dossiers_search: {used}")
    print(f"queries per page: {per_page} (list), {per_search} (search)")
    ratio = max(a / b for a, b in results.values())
    print(result_line("worklist", ratio, TARGET))


if __name__ == "__main__":
    main()
