"""Two financers deciding at the same moment on the same dossier, each in its own thread, session
and connection on a committed PostgreSQL database: both decisions are kept, and the dossier ends
decided (or rejected) exactly once — the second decision sees the first through the dossier lock.

``postgres_only``: it fails, never skips, when PostgreSQL is unreachable.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants import create_app
from grants.devtools import throwaway_database
from grants.extensions import db
from grants.models import AuditEvent, Dossier, FinancerDecision, User
from tests import conftest, factories
from tests.decisions import support

D = Decimal
ROUNDS = 3


def _prepare(app, outcomes: dict[str, str]) -> tuple[int, dict[str, int]]:  # type: ignore[no-untyped-def]
    """A committed dossier whose ARS and Région decide (the Département already refused)."""
    from flask_migrate import upgrade

    from grants.services.reference import load_all

    with app.app_context():
        upgrade()
        load_all()
        promoter = factories.UserFactory()
        factories.MembershipFactory(user=promoter, role="owner")
        db.session.flush()
        dossier = support.decisions_pending(promoter)
        dep = support.track_of(dossier, "DEP_77")
        dep.state = "refused"  # decided before: only the two concurrent decisions remain
        from grants.models.base import utcnow

        dep.decided_at = utcnow()
        deciders = support.deciders()
        db.session.commit()
        ids = {code: deciders[code].id for code in outcomes}
        dossier_id = dossier.id
        db.session.remove()
    return dossier_id, ids


def _decide(app, dossier_id, code, user_id, outcome, barrier, errors):  # type: ignore[no-untyped-def]
    from grants.services.decisions import decide

    try:
        with app.app_context():
            dossier = db.session.get(Dossier, dossier_id)
            track = support.track_of(dossier, code)
            actor = db.session.get(User, user_id)
            amounts = {support.RE: "200000"} if outcome == "granted" else {}
            version = track.lock_version
            barrier.wait(timeout=30)
            decide(
                track,
                actor,
                outcome,
                amounts,
                "",
                "Motif du refus." if outcome == "refused" else "",
                f"ACT-{code}",
                support.YESTERDAY,
                "Signataire",
                version,
            )
            db.session.commit()
            db.session.remove()
    except Exception as exc:  # noqa: BLE001 - reported to the test
        import traceback

        errors.append(f"{code}: {exc!r}\n{traceback.format_exc()}")


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("outcomes", "final", "event"),
    [
        ({"ARS_IMMO": "granted", "REGION_IDF": "granted"}, support.CONCLUDED, "dossier.conclude"),
        ({"ARS_IMMO": "refused", "REGION_IDF": "refused"}, {"rejected"}, "dossier.reject"),
    ],
)
def test_two_financers_deciding_at_once_are_both_kept(tmp_path, outcomes, final, event) -> None:
    base = conftest.test_database_url()
    assert base.startswith("postgresql"), "this test needs GRANTS_TEST_DATABASE_URL on PostgreSQL"
    with throwaway_database(base, "grants_decisions") as url:
        app = create_app(conftest.make_settings(url, tmp_path))
        try:
            # Warm the process up once, one decision after the other: what the first use sets up
            # for the whole process (session listeners installed on first use, the PDF fonts)
            # is then in place before two threads race.
            dossier_id, users = _prepare(app, outcomes)
            warm_up: list[str] = []
            for code, outcome in outcomes.items():
                _decide(app, dossier_id, code, users[code], outcome, threading.Barrier(1), warm_up)
            assert warm_up == []
            for _round in range(ROUNDS):
                dossier_id, users = _prepare(app, outcomes)
                barrier = threading.Barrier(len(outcomes))
                errors: list[str] = []
                threads = [
                    threading.Thread(
                        target=_decide,
                        args=(app, dossier_id, code, users[code], outcome, barrier, errors),
                    )
                    for code, outcome in outcomes.items()
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=120)
                assert errors == []
                with app.app_context():
                    dossier = db.session.get(Dossier, dossier_id)
                    assert dossier.state in final
                    states = {t.financer.code: t.state for t in dossier.tracks}
                    assert states["ARS_IMMO"] == states["REGION_IDF"] == outcomes["ARS_IMMO"]
                    kept = db.session.scalar(
                        select(func.count(FinancerDecision.id)).where(
                            FinancerDecision.dossier_id == dossier_id
                        )
                    )
                    assert kept == 2
                    closing = db.session.scalar(
                        select(func.count(AuditEvent.id)).where(
                            AuditEvent.dossier_id == dossier_id, AuditEvent.action == event
                        )
                    )
                    assert closing == 1
                    from grants.services.audit import verify_stream

                    assert verify_stream(f"dossier:{dossier_id}")
                    db.session.remove()
        finally:
            with app.app_context():
                db.engine.dispose()
